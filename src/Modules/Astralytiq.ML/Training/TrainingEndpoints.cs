namespace Astralytiq.ML.Training;

/// <summary>Training a new version of a model (a job with trial-by-trial progress).</summary>
internal static class TrainingEndpoints
{
    public static void Map(RouteGroupBuilder models)
    {
        models.MapPost("/train", Train).RequireTenantFeature(TenantFeatures.MlTraining);
    }

    [RequiresPermission(Permission.ModelsWrite), AuditedExplicitly, Errors(404, 422), EndpointName("TrainModel")]
    [EndpointSummary("Train a new version of a model (created on first use of its name) from a dataset version: 202 with the job, the model and the version; follow the job for trial-by-trial progress, cancel it to stop")]
    private static async Task<Results<Accepted<TrainModelResponse>, ApiError>> Train(TrainModelRequest request, TrainingHandlers handler, CancellationToken ct)
    {
        var started = await handler.StartAsync(request, ct);
        return started.IsSuccess
            ? TypedResults.Accepted(ApiRoutes.Job(started.Value.JobId), started.Value)
            : new ApiError(started.Error!);
    }
}
