using Astralytiq.Contracts.Data;
using Astralytiq.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Data.Pipelines;

/// <summary>Saved pipelines: create, list, change, delete, run now, their runs.</summary>
internal static class PipelineEndpoints
{
    public static void Map(RouteGroupBuilder pipelines)
    {
        pipelines.MapPost("/", CreatePipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 409)
            .WithName("CreatePipeline")
            .WithSummary("Save a pipeline: a source (a dataset's latest version, an HTTP JSON API or a database query), steps, the output dataset, and an optional cron schedule with time zone (at most every 5 minutes); secrets are sealed with the tenant key");
        pipelines.MapGet("/", ListPipelines)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(400)
            .WithName("ListPipelines")
            .WithSummary("The tenant's pipelines with their schedule, next run and last run");
        pipelines.MapGet("/{id:guid}", GetPipeline)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("GetPipeline")
            .WithSummary("One pipeline (header values and the password are never shown)");
        pipelines.MapPut("/{id:guid}", UpdatePipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 404, 409)
            .WithName("UpdatePipeline")
            .WithSummary("Change a pipeline; header values sent as •••• and a missing password keep the stored ones");
        pipelines.MapDelete("/{id:guid}", DeletePipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeletePipeline")
            .WithSummary("Delete a pipeline (its output dataset stays)");
        pipelines.MapPost("/{id:guid}/run", RunPipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409)
            .WithName("RunPipeline")
            .WithSummary("Run a pipeline now: 202 with the run; follow its job for progress");
        pipelines.MapGet("/{id:guid}/runs", PipelineRuns)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(400, 404)
            .WithName("ListPipelineRuns")
            .WithSummary("A pipeline's runs, newest first: trigger, status, times, the version made or the error");
    }

    private static async Task<Results<Created<PipelineResponse>, ApiError>> CreatePipeline(PipelineRequest request, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(p => $"{ApiRoutes.V1}/data/pipelines/{p.Id}");

    private static async Task<Results<Ok<Page<PipelineResponse>>, ApiError>> ListPipelines(int? offset, int? limit, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<PipelineResponse>, ApiError>> GetPipeline(Guid id, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<PipelineResponse>, ApiError>> UpdatePipeline(Guid id, PipelineRequest request, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> DeletePipeline(Guid id, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();

    private static async Task<Results<Accepted<PipelineRunDto>, ApiError>> RunPipeline(Guid id, PipelineHandlers handler, CancellationToken ct)
    {
        var run = await handler.RunAsync(id, "manual", ct);
        return run.IsSuccess ? TypedResults.Accepted($"{ApiRoutes.V1}/jobs/{run.Value.JobId}", run.Value) : new ApiError(run.Error!);
    }

    private static async Task<Results<Ok<IReadOnlyList<PipelineRunDto>>, ApiError>> PipelineRuns(Guid id, int? limit, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.RunsAsync(id, limit, ct)).ToOk();
}
