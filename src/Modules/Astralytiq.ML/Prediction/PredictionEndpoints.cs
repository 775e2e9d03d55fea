namespace Astralytiq.ML.Prediction;

/// <summary>Predictions (with explanations), batch scoring of a dataset, forecasts.</summary>
internal static class PredictionEndpoints
{
    /// <summary>Room per row in a predict body: a wide row of long feature names and values fits, so the row limit is the one a user meets.</summary>
    public const int BytesPerRow = 4096;

    public static long PredictBodyBytes(MlSettings settings) => Math.Min(((long)settings.MaxBatchRows * BytesPerRow) + (64 * 1024), 512L * 1024 * 1024);

    public static void Map(RouteGroupBuilder models, MlSettings settings)
    {
        models.MapPost("/{model}/predict", Predict).WithRequestBodyLimit(PredictBodyBytes(settings));
        models.MapPost("/{model}/score", Score);
        models.MapGet("/{model}/forecast", Forecast).RequireTenantFeature(TenantFeatures.Forecasting);
    }

    [RequiresPermission(Permission.ModelsRead), NotAChange("a prediction changes nothing; it is recorded in the prediction log"), Errors(404, 409, 422), EndpointName("Predict")]
    [EndpointSummary("Predict one row or up to 10,000: values checked against the feature schema (422 naming the field); class probabilities or a 90 % interval; explain=true adds each feature's contribution")]
    private static async Task<Results<Ok<PredictResponse>, ApiError>> Predict(
        string model, int? version, string? alias, bool? explain, PredictRequest request, PredictionHandlers handler, CancellationToken ct) =>
        (await handler.PredictAsync(model, version, alias, explain ?? false, request, ct)).ToOk();

    [RequiresPermission(Permission.ModelsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("ScoreDataset")]
    [EndpointSummary("Score every row of a dataset version into a new dataset with prediction columns: 202 with the job; the new dataset lists the scored one as its parent")]
    private static async Task<Results<Accepted<ScoreDatasetResponse>, ApiError>> Score(string model, ScoreDatasetRequest request, ScoringHandlers handler, CancellationToken ct)
    {
        var started = await handler.StartAsync(model, request, ct);
        return started.IsSuccess
            ? TypedResults.Accepted(ApiRoutes.Job(started.Value.JobId), started.Value)
            : new ApiError(started.Error!);
    }

    [RequiresPermission(Permission.ModelsRead), Errors(404, 409, 422), EndpointName("Forecast")]
    [EndpointSummary("Forecast h steps past the end of a forecasting model's data, with 90 % prediction intervals and recent history")]
    private static async Task<Results<Ok<ForecastResponse>, ApiError>> Forecast(
        string model, int? version, string? alias, int? horizon, string? series, PredictionHandlers handler, CancellationToken ct) =>
        (await handler.ForecastAsync(model, version, alias, horizon, series, ct)).ToOk();
}
