namespace Astralytiq.ML.Registry;

/// <summary>The registry: models, their versions, metrics, importance, aliases and archiving.</summary>
internal static class RegistryEndpoints
{
    public static void Map(RouteGroupBuilder models)
    {
        models.MapGet("/", List);
        models.MapGet("/versions", VersionsByName);
        models.MapGet("/{model}", Get);
        models.MapGet("/{model}/metrics", Metrics);
        models.MapGet("/{model}/explain", Explain);
        models.MapPut("/{model}/aliases/{alias}", SetAlias);
        models.MapDelete("/{model}/aliases/{alias}", RemoveAlias);
        models.MapPost("/{model}/versions/{version:int}/archive", Archive);
        models.MapPost("/{model}/versions/{version:int}/finish", Finish);
    }

    [RequiresPermission(Permission.ModelsRead), Errors(422), EndpointName("ListModels")]
    [EndpointSummary("The tenant's models with their latest version, its status and primary metric, and their aliases")]
    private static async Task<Results<Ok<Page<ModelSummaryDto>>, ApiError>> List(string? search, int? offset, int? limit, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(search, offset, limit, ct)).ToOk();

    [RequiresPermission(Permission.ModelsRead), Errors(404, 422), EndpointName("GetModelVersions")]
    [EndpointSummary("Every version of the model with this name, newest first")]
    private static async Task<Results<Ok<IReadOnlyList<ModelVersionDto>>, ApiError>> VersionsByName(string? name, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.VersionsByNameAsync(name, ct)).ToOk();

    [RequiresPermission(Permission.ModelsRead), Errors(404), EndpointName("GetModel")]
    [EndpointSummary("A model (by id or name) with all its versions: parameters, metrics, feature schema, leaderboard, importance, artifact hash")]
    private static async Task<Results<Ok<ModelDetailDto>, ApiError>> Get(string model, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(model, ct)).ToOk();

    [RequiresPermission(Permission.ModelsRead), Errors(404, 422), EndpointName("GetModelMetrics")]
    [EndpointSummary("Held-out and cross-validated metrics of a version (the newest ready one unless version or alias is given)")]
    private static async Task<Results<Ok<ModelMetricsResponse>, ApiError>> Metrics(string model, int? version, string? alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.MetricsAsync(model, version, alias, ct)).ToOk();

    [RequiresPermission(Permission.ModelsRead), Errors(404, 409, 422), EndpointName("ExplainModel")]
    [EndpointSummary("Global permutation feature importance of a version")]
    private static async Task<Results<Ok<ExplainResponse>, ApiError>> Explain(string model, int? version, string? alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ExplainAsync(model, version, alias, ct)).ToOk();

    [RequiresPermission(Permission.ModelsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("SetModelAlias")]
    [EndpointSummary("Point an alias (production, staging or any name) at a ready version")]
    private static async Task<Results<Ok<ModelAliasDto>, ApiError>> SetAlias(string model, string alias, SetAliasRequest request, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.SetAliasAsync(model, alias, request, ct)).ToOk();

    [RequiresPermission(Permission.ModelsWrite), AuditedExplicitly, Errors(404), EndpointName("RemoveModelAlias")]
    [EndpointSummary("Remove an alias")]
    private static async Task<Results<NoContent, ApiError>> RemoveAlias(string model, string alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.RemoveAliasAsync(model, alias, ct)).ToNoContent();

    [RequiresPermission(Permission.ModelsWrite), AuditedExplicitly, Errors(404, 409), EndpointName("FinishModelTraining")]
    [EndpointSummary("End a training version's search now and keep its best configuration so far (the trial under way is dropped); cancelling the job instead discards the version")]
    private static async Task<Results<Ok<ModelVersionDto>, ApiError>> Finish(string model, int version, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.FinishAsync(model, version, ct)).ToOk();

    [RequiresPermission(Permission.ModelsWrite), AuditedExplicitly, Errors(404, 409), EndpointName("ArchiveModelVersion")]
    [EndpointSummary("Archive a ready version: it stays in the registry but no longer serves predictions")]
    private static async Task<Results<Ok<ModelVersionDto>, ApiError>> Archive(string model, int version, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ArchiveAsync(model, version, ct)).ToOk();
}
