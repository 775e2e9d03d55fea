using Microsoft.AspNetCore.Mvc;

namespace Astralytiq.ML.Deployments;

/// <summary><c>/api/v1/ml/deployments</c>: named endpoints serving variants by weight, with shadows, canary rollouts, revisions and metrics.</summary>
internal static class DeploymentEndpoints
{
    public static void Map(RouteGroupBuilder deployments, MlSettings settings)
    {
        deployments.MapPost("/", Create);
        deployments.MapGet("/", List);
        deployments.MapGet("/{name}", Get);
        deployments.MapPut("/{name}", Update);
        deployments.MapDelete("/{name}", Delete);
        deployments.MapPost("/{name}/weights", SetWeights);
        deployments.MapPost("/{name}/promote", Promote);
        deployments.MapPost("/{name}/rollback", Rollback);
        deployments.MapGet("/{name}/revisions", Revisions);
        deployments.MapGet("/{name}/metrics", Metrics);
        deployments.MapGet("/{name}/drift", Drift);
        deployments.MapPost("/{name}/drift", MeasureDrift);
        deployments.MapPost("/{name}/feedback", Feedback);
        deployments.MapGet("/{name}/performance", Performance);
        deployments.MapGet("/{name}/retraining", Retraining);
        deployments.MapPut("/{name}/retraining", SetRetraining);
        deployments.MapPost("/{name}/retraining/runs", Retrain);
        deployments.MapPost("/{name}/predict", Predict).WithRequestBodyLimit(Prediction.PredictionEndpoints.PredictBodyBytes(settings));
    }

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(409, 422), EndpointName("CreateDeployment")]
    [EndpointSummary("Create a deployment: variants (model with a version or an alias) with weights adding up to 100, shadows, an optional canary rollout; live once every version is loaded and warmed")]
    private static async Task<Results<Created<DeploymentDto>, ApiError>> Create(CreateDeploymentRequest request, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/ml/deployments/{d.Name}");

    [RequiresPermission(Permission.DeploymentsRead), Errors(422), EndpointName("ListDeployments")]
    [EndpointSummary("The organisation's deployments with their variants, weights and canary state")]
    private static async Task<Results<Ok<Page<DeploymentDto>>, ApiError>> List(int? offset, int? limit, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(offset, limit, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsRead), Errors(404), EndpointName("GetDeployment")]
    [EndpointSummary("A deployment by name or id: its revision, variants (with the version each serves now), shadows and canary state")]
    private static async Task<Results<Ok<DeploymentDto>, ApiError>> Get(string name, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(name, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("UpdateDeployment")]
    [EndpointSummary("Replace what a deployment serves (a new revision; a canary in it starts its rollout)")]
    private static async Task<Results<Ok<DeploymentDto>, ApiError>> Update(string name, UpdateDeploymentRequest request, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(name, request, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404), EndpointName("DeleteDeployment")]
    [EndpointSummary("Delete a deployment with its revisions and traffic figures (the models stay)")]
    private static async Task<Results<NoContent, ApiError>> Delete(string name, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(name, ct)).ToNoContent();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("SetDeploymentWeights")]
    [EndpointSummary("Change the variants' weights (percent, adding up to 100); a running canary rollout stops")]
    private static async Task<Results<Ok<DeploymentDto>, ApiError>> SetWeights(string name, SetWeightsRequest request, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.SetWeightsAsync(name, request, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("PromoteDeploymentVariant")]
    [EndpointSummary("Make one variant (or a shadow) the only one, at 100 %")]
    private static async Task<Results<Ok<DeploymentDto>, ApiError>> Promote(string name, PromoteVariantRequest request, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.PromoteAsync(name, request, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("RollbackDeployment")]
    [EndpointSummary("Serve an earlier revision's configuration again (default: the previous one), as a new revision; requests under way finish on the old one")]
    private static async Task<Results<Ok<DeploymentDto>, ApiError>> Rollback(string name, RollbackDeploymentRequest? request, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.RollbackAsync(name, request ?? new RollbackDeploymentRequest(), ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsRead), Errors(404), EndpointName("ListDeploymentRevisions")]
    [EndpointSummary("Every revision of a deployment, newest first: what changed, who changed it (none: the platform's canary), when and why")]
    private static async Task<Results<Ok<IReadOnlyList<DeploymentRevisionDto>>, ApiError>> Revisions(string name, DeploymentHandlers handler, CancellationToken ct) =>
        (await handler.RevisionsAsync(name, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsRead), Errors(404, 422), EndpointName("GetDeploymentMetrics")]
    [EndpointSummary("Each variant's requests, errors, latency percentiles and predictions over a window (default: the last hour), with a time series")]
    private static async Task<Results<Ok<DeploymentMetricsResponse>, ApiError>> Metrics(string name, DateTimeOffset? from, DateTimeOffset? to, DeploymentMetrics metrics, CancellationToken ct) =>
        (await metrics.ReadAsync(name, from, to, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsRead), Errors(404, 422), EndpointName("GetDeploymentDrift")]
    [EndpointSummary("Drift of the deployment's inputs by window and feature (default: the last 7 days), against the training data of the version its largest variant serves")]
    private static async Task<Results<Ok<DriftReportDto>, ApiError>> Drift(string name, DateTimeOffset? from, DateTimeOffset? to, Monitoring.DriftService drift, CancellationToken ct) =>
        (await drift.ReadAsync(name, from, to, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), Errors(404, 409, 422), EndpointName("MeasureDeploymentDrift")]
    [EndpointSummary("Measure the drift of a window now (default: the last drift window up to now) and keep it; 409 when the window has too few logged predictions")]
    private static async Task<Results<Ok<DriftWindowDto>, ApiError>> MeasureDrift(string name, DateTimeOffset? from, DateTimeOffset? to, Monitoring.DriftService drift, CancellationToken ct) =>
        (await drift.ComputeAsync(name, from, to, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), Errors(404, 422), EndpointName("SendDeploymentFeedback")]
    [EndpointSummary("Send actual values for predictions made through the deployment (by prediction_id or request key; one or up to 1,000): a value sent again replaces the earlier one")]
    private static async Task<Results<Ok<FeedbackResponse>, ApiError>> Feedback(string name, FeedbackRequest request, Monitoring.FeedbackService feedback, CancellationToken ct) =>
        (await feedback.RecordAsync(name, request, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsRead), Errors(404, 422), EndpointName("GetDeploymentPerformance")]
    [EndpointSummary("Quality on the labelled predictions of a window (default: the last 7 days, by prediction time), per variant and version, against the training metric, with a time series")]
    private static async Task<Results<Ok<DeploymentPerformanceDto>, ApiError>> Performance(string name, DateTimeOffset? from, DateTimeOffset? to, string? metric,
        Monitoring.FeedbackService feedback, CancellationToken ct) =>
        (await feedback.PerformanceAsync(name, from, to, metric, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsRead), Errors(404), EndpointName("GetDeploymentRetraining")]
    [EndpointSummary("The deployment's retraining policy, when its schedule fires next, and every retraining run with its decision, newest first")]
    private static async Task<Results<Ok<RetrainingStateDto>, ApiError>> Retraining(string name, Monitoring.RetrainingService retraining, CancellationToken ct) =>
        (await retraining.GetAsync(name, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("SetDeploymentRetraining")]
    [EndpointSummary("Set the retraining policy: triggers (drift share, metric decay, cron schedule), the comparison (metric, margin, rows) and the action (promote or canary)")]
    private static async Task<Results<Ok<RetrainingStateDto>, ApiError>> SetRetraining(string name, RetrainingPolicyDto request, Monitoring.RetrainingService retraining, CancellationToken ct) =>
        (await retraining.SetPolicyAsync(name, request, ct)).ToOk();

    [RequiresPermission(Permission.DeploymentsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("StartDeploymentRetraining")]
    [EndpointSummary("Retrain now: train a challenger on the newest data with the champion's settings; it is compared and decided on like an automatic run (409 while one is under way)")]
    private static async Task<Results<Created<RetrainingRunDto>, ApiError>> Retrain(string name, StartRetrainingRequest? request, Monitoring.RetrainingService retraining, CancellationToken ct) =>
        (await retraining.StartByHandAsync(name, request ?? new StartRetrainingRequest(), ct)).ToCreated(r => $"{ApiRoutes.V1}/ml/deployments/{name}/retraining");

    [RequiresPermission(Permission.DeploymentsRead), NotAChange("a prediction changes nothing; it is recorded in the prediction log and the deployment's metrics"),
     Errors(404, 409, 422), EndpointName("PredictThroughDeployment")]
    [EndpointSummary("Predict through a deployment: a variant by weight (sticky per key, or named in X-Astralytiq-Variant); shadows get a copy; the answer names the variant and version")]
    private static async Task<Results<Ok<DeploymentPredictResponse>, ApiError>> Predict(
        string name, DeploymentPredictRequest request, [FromHeader(Name = DeploymentServing.VariantHeader)] string? variant,
        [FromHeader(Name = DeploymentServing.KeyHeader)] string? key, DeploymentServing serving, CancellationToken ct) =>
        (await serving.PredictAsync(name, request, variant, key, ct)).ToOk();
}
