using Astralytiq.Contracts;
using Astralytiq.Platform.Configuration;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.ML;
using Astralytiq.ML.Persistence;
using Astralytiq.ML.Prediction;
using Astralytiq.ML.Registry;
using Astralytiq.ML.Training;
using Astralytiq.Platform.Auditing;
using Astralytiq.Platform.Http;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Persistence;
using Astralytiq.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.ML;

public static class MLModule
{
    public static IServiceCollection AddMLModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<MlDbContext, MlSqliteDbContext, MlPostgresDbContext>(configuration, MlDbContext.Module);
        services.AddSingleton(SettingsBinder.Bind<MlSettings>(configuration, "Astralytiq:ML"));
        services.AddSingleton<ModelCache>();
        services.AddScoped<ModelArtifacts>();
        services.AddScoped<RegistryHandlers>();
        services.AddScoped<TrainingHandlers>();
        services.AddScoped<PredictionHandlers>();
        services.AddScoped<Contracts.IModelReader, Contracts.ModelReader>();
        services.AddJobHandler<TrainingJob>(TrainingJob.Kind);
        services.AddScoped<ScoringHandlers>();
        services.AddJobHandler<ScoringJob>(ScoringJob.Kind);
        return services;
    }

    public static RouteGroupBuilder MapMLEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ml").WithTags("Machine learning").ProducesErrors(401, 403, 429);
        var models = group.MapGroup("/models");
        models.MapPost("/train", Train)
            .RequirePermission(Permission.ModelsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 422)
            .WithName("TrainModel")
            .WithSummary("Train a new version of a model (created on first use of its name) from a dataset version: 202 with the job, the model and the version; follow the job for trial-by-trial progress, cancel it to stop");
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
        models.MapPost("/{model}/predict", Predict)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(404, 409, 422)
            .WithName("Predict")
            .WithSummary("Predict one row or up to 10,000: values checked against the feature schema (422 naming the field); class probabilities or a 90 % interval; explain=true adds each feature's contribution");
        models.MapPost("/{model}/score", Score)
            .RequirePermission(Permission.ModelsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409, 422)
            .WithName("ScoreDataset")
            .WithSummary("Score every row of a dataset version into a new dataset with prediction columns: 202 with the job; the new dataset lists the scored one as its parent");
        models.MapGet("/{model}/forecast", Forecast)
            .RequirePermission(Permission.ModelsRead)
            .ProducesErrors(404, 409, 422)
            .WithName("Forecast")
            .WithSummary("Forecast h steps past the end of a forecasting model's data, with 90 % prediction intervals and recent history");
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
        return group;
    }

    private static async Task<Results<Accepted<TrainModelResponse>, ApiError>> Train(TrainModelRequest request, TrainingHandlers handler, CancellationToken ct)
    {
        var started = await handler.StartAsync(request, ct);
        return started.IsSuccess
            ? TypedResults.Accepted(ApiRoutes.Job(started.Value.JobId), started.Value)
            : new ApiError(started.Error!);
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

    private static async Task<Results<Ok<PredictResponse>, ApiError>> Predict(
        string model, int? version, string? alias, bool? explain, PredictRequest request, PredictionHandlers handler, CancellationToken ct) =>
        (await handler.PredictAsync(model, version, alias, explain ?? false, request, ct)).ToOk();

    private static async Task<Results<Accepted<ScoreDatasetResponse>, ApiError>> Score(string model, ScoreDatasetRequest request, ScoringHandlers handler, CancellationToken ct)
    {
        var started = await handler.StartAsync(model, request, ct);
        return started.IsSuccess
            ? TypedResults.Accepted(ApiRoutes.Job(started.Value.JobId), started.Value)
            : new ApiError(started.Error!);
    }

    private static async Task<Results<Ok<ForecastResponse>, ApiError>> Forecast(
        string model, int? version, string? alias, int? horizon, string? series, PredictionHandlers handler, CancellationToken ct) =>
        (await handler.ForecastAsync(model, version, alias, horizon, series, ct)).ToOk();

    private static async Task<Results<Ok<ModelAliasDto>, ApiError>> SetAlias(string model, string alias, SetAliasRequest request, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.SetAliasAsync(model, alias, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> RemoveAlias(string model, string alias, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.RemoveAliasAsync(model, alias, ct)).ToNoContent();

    private static async Task<Results<Ok<ModelVersionDto>, ApiError>> Archive(string model, int version, RegistryHandlers handler, CancellationToken ct) =>
        (await handler.ArchiveAsync(model, version, ct)).ToOk();
}
