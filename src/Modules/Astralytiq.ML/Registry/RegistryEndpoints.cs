using Astralytiq.Contracts.ML;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.ML.Registry;

/// <summary>The registry: models, their versions, metrics, importance, aliases and archiving.</summary>
internal static class RegistryEndpoints
{
    public static void Map(RouteGroupBuilder models)
    {
        models.MapGet("/", List)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(422)
            .WithName("ListModels")
            .WithSummary("The tenant's models with their latest version, its status and primary metric, and their aliases");
        models.MapGet("/versions", VersionsByName)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(404, 422)
            .WithName("GetModelVersions")
            .WithSummary("Every version of the model with this name, newest first");
        models.MapGet("/{model}", Get)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(404)
            .WithName("GetModel")
            .WithSummary("A model (by id or name) with all its versions: parameters, metrics, feature schema, leaderboard, importance, artifact hash");
        models.MapGet("/{model}/metrics", Metrics)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(404, 422)
            .WithName("GetModelMetrics")
            .WithSummary("Held-out and cross-validated metrics of a version (the newest ready one unless version or alias is given)");
        models.MapGet("/{model}/explain", Explain)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(404, 409, 422)
            .WithName("ExplainModel")
            .WithSummary("Global permutation feature importance of a version");
        models.MapPut("/{model}/aliases/{alias}", SetAlias)
            .RequirePermission(Permission.ModelsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409, 422)
            .WithName("SetModelAlias")
            .WithSummary("Point an alias (production, staging or any name) at a ready version");
        models.MapDelete("/{model}/aliases/{alias}", RemoveAlias)
            .RequirePermission(Permission.ModelsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("RemoveModelAlias")
            .WithSummary("Remove an alias");
        models.MapPost("/{model}/versions/{version:int}/archive", Archive)
            .RequirePermission(Permission.ModelsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409)
            .WithName("ArchiveModelVersion")
            .WithSummary("Archive a ready version: it stays in the registry but no longer serves predictions");
    }

    private static async Task<Results<Ok<Page<ModelSummaryDto>>, ApiError>> List(string? search, int? offset, int? limit, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(search, offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<IReadOnlyList<ModelVersionDto>>, ApiError>> VersionsByName(string? name, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.VersionsByNameAsync(name, ct)).ToOk();

    private static async Task<Results<Ok<ModelDetailDto>, ApiError>> Get(string model, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(model, ct)).ToOk();

    private static async Task<Results<Ok<ModelMetricsResponse>, ApiError>> Metrics(string model, int? version, string? alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.MetricsAsync(model, version, alias, ct)).ToOk();

    private static async Task<Results<Ok<ExplainResponse>, ApiError>> Explain(string model, int? version, string? alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ExplainAsync(model, version, alias, ct)).ToOk();

    private static async Task<Results<Ok<ModelAliasDto>, ApiError>> SetAlias(string model, string alias, SetAliasRequest request, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.SetAliasAsync(model, alias, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> RemoveAlias(string model, string alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.RemoveAliasAsync(model, alias, ct)).ToNoContent();

    private static async Task<Results<Ok<ModelVersionDto>, ApiError>> Archive(string model, int version, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ArchiveAsync(model, version, ct)).ToOk();
}
