namespace Astralytiq.Data.Pipelines;

/// <summary>Saved pipelines: create, list, change, delete, run now, their runs.</summary>
internal static class PipelineEndpoints
{
    public static void Map(RouteGroupBuilder pipelines)
    {
        pipelines.MapPost("/", CreatePipeline);
        pipelines.MapGet("/", ListPipelines);
        pipelines.MapGet("/{id:guid}", GetPipeline);
        pipelines.MapPut("/{id:guid}", UpdatePipeline);
        pipelines.MapDelete("/{id:guid}", DeletePipeline);
        pipelines.MapPost("/{id:guid}/run", RunPipeline);
        pipelines.MapGet("/{id:guid}/runs", PipelineRuns);
    }

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 409), EndpointName("CreatePipeline")]
    [EndpointSummary("Save a pipeline: a source (a dataset's latest version, an HTTP JSON API or a database query), steps, the output dataset, and an optional cron schedule with time zone (at most every 5 minutes); secrets are sealed with the tenant key")]
    private static async Task<Results<Created<PipelineResponse>, ApiError>> CreatePipeline(PipelineRequest request, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(p => $"{ApiRoutes.V1}/data/pipelines/{p.Id}");

    [RequiresPermission(Permission.DatasetsRead), Errors(400), EndpointName("ListPipelines")]
    [EndpointSummary("The tenant's pipelines with their schedule, next run and last run")]
    private static async Task<Results<Ok<Page<PipelineResponse>>, ApiError>> ListPipelines(int? offset, int? limit, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(offset, limit, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("GetPipeline")]
    [EndpointSummary("One pipeline (header values and the password are never shown)")]
    private static async Task<Results<Ok<PipelineResponse>, ApiError>> GetPipeline(Guid id, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 404, 409), EndpointName("UpdatePipeline")]
    [EndpointSummary("Change a pipeline; header values sent as •••• and a missing password keep the stored ones")]
    private static async Task<Results<Ok<PipelineResponse>, ApiError>> UpdatePipeline(Guid id, PipelineRequest request, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(404), EndpointName("DeletePipeline")]
    [EndpointSummary("Delete a pipeline (its output dataset stays)")]
    private static async Task<Results<NoContent, ApiError>> DeletePipeline(Guid id, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(404, 409), EndpointName("RunPipeline")]
    [EndpointSummary("Run a pipeline now: 202 with the run; follow its job for progress")]
    private static async Task<Results<Accepted<PipelineRunDto>, ApiError>> RunPipeline(Guid id, PipelineHandlers handler, CancellationToken ct)
    {
        var run = await handler.RunAsync(id, "manual", ct);
        return run.IsSuccess ? TypedResults.Accepted($"{ApiRoutes.V1}/jobs/{run.Value.JobId}", run.Value) : new ApiError(run.Error!);
    }

    [RequiresPermission(Permission.DatasetsRead), Errors(400, 404), EndpointName("ListPipelineRuns")]
    [EndpointSummary("A pipeline's runs, newest first: trigger, status, times, the version made or the error")]
    private static async Task<Results<Ok<IReadOnlyList<PipelineRunDto>>, ApiError>> PipelineRuns(Guid id, int? limit, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.RunsAsync(id, limit, ct)).ToOk();
}
