using Astralytiq.Contracts.ML;

namespace Astralytiq.Contracts.Client;

/// <summary>Deployments: named endpoints serving model variants by weight, with shadows, canary rollouts, revisions and metrics.</summary>
public sealed class DeploymentsClient(AstralytiqClient client) : AreaClient(client)
{
    private static string Path(string name) => "api/v1/ml/deployments/" + Uri.EscapeDataString(name);

    public Task<ApiResponse<DeploymentDto>> CreateAsync(CreateDeploymentRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentDto>(HttpMethod.Post, "api/v1/ml/deployments", request, ct);

    public Task<ApiResponse<Page<DeploymentDto>>> ListAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<DeploymentDto>>(HttpMethod.Get, $"api/v1/ml/deployments?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<DeploymentDto>> GetAsync(string name, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentDto>(HttpMethod.Get, Path(name), null, ct);

    public Task<ApiResponse<DeploymentDto>> UpdateAsync(string name, UpdateDeploymentRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentDto>(HttpMethod.Put, Path(name), request, ct);

    public Task<ApiResponse<object>> DeleteAsync(string name, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, Path(name), null, ct);

    public Task<ApiResponse<DeploymentDto>> SetWeightsAsync(string name, SetWeightsRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentDto>(HttpMethod.Post, Path(name) + "/weights", request, ct);

    public Task<ApiResponse<DeploymentDto>> PromoteAsync(string name, PromoteVariantRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentDto>(HttpMethod.Post, Path(name) + "/promote", request, ct);

    public Task<ApiResponse<DeploymentDto>> RollbackAsync(string name, RollbackDeploymentRequest? request = null, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentDto>(HttpMethod.Post, Path(name) + "/rollback", request ?? new RollbackDeploymentRequest(), ct);

    public Task<ApiResponse<IReadOnlyList<DeploymentRevisionDto>>> RevisionsAsync(string name, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<DeploymentRevisionDto>>(HttpMethod.Get, Path(name) + "/revisions", null, ct);

    public Task<ApiResponse<DeploymentMetricsResponse>> MetricsAsync(string name, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken ct = default)
    {
        var query = string.Join("&", new[] { from is null ? null : "from=" + Uri.EscapeDataString(from.Value.ToString("O")), to is null ? null : "to=" + Uri.EscapeDataString(to.Value.ToString("O")) }
            .Where(p => p is not null));
        return Api.SendAsync<DeploymentMetricsResponse>(HttpMethod.Get, Path(name) + "/metrics" + (query.Length == 0 ? string.Empty : "?" + query), null, ct);
    }

    public Task<ApiResponse<DriftReportDto>> DriftAsync(string name, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken ct = default) =>
        Api.SendAsync<DriftReportDto>(HttpMethod.Get, Path(name) + "/drift" + Window(from, to), null, ct);

    public Task<ApiResponse<DriftWindowDto>> MeasureDriftAsync(string name, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken ct = default) =>
        Api.SendAsync<DriftWindowDto>(HttpMethod.Post, Path(name) + "/drift" + Window(from, to), null, ct);

    /// <summary>Sends actual values for predictions made through the deployment (one item, or a batch in <c>items</c>).</summary>
    public Task<ApiResponse<FeedbackResponse>> FeedbackAsync(string name, FeedbackRequest request, CancellationToken ct = default) =>
        Api.SendAsync<FeedbackResponse>(HttpMethod.Post, Path(name) + "/feedback", request, ct);

    /// <summary>Quality on labelled predictions by variant and version against training (default window: the last 7 days).</summary>
    public Task<ApiResponse<DeploymentPerformanceDto>> PerformanceAsync(string name, DateTimeOffset? from = null, DateTimeOffset? to = null, string? metric = null, CancellationToken ct = default)
    {
        var window = Window(from, to);
        var query = metric is null ? window : window + (window.Length == 0 ? "?" : "&") + "metric=" + Uri.EscapeDataString(metric);
        return Api.SendAsync<DeploymentPerformanceDto>(HttpMethod.Get, Path(name) + "/performance" + query, null, ct);
    }

    public Task<ApiResponse<RetrainingStateDto>> RetrainingAsync(string name, CancellationToken ct = default) =>
        Api.SendAsync<RetrainingStateDto>(HttpMethod.Get, Path(name) + "/retraining", null, ct);

    public Task<ApiResponse<RetrainingStateDto>> SetRetrainingAsync(string name, RetrainingPolicyDto policy, CancellationToken ct = default) =>
        Api.SendAsync<RetrainingStateDto>(HttpMethod.Put, Path(name) + "/retraining", policy, ct);

    /// <summary>Starts a retraining now (409 while one is under way).</summary>
    public Task<ApiResponse<RetrainingRunDto>> RetrainAsync(string name, StartRetrainingRequest? request = null, CancellationToken ct = default) =>
        Api.SendAsync<RetrainingRunDto>(HttpMethod.Post, Path(name) + "/retraining/runs", request ?? new StartRetrainingRequest(), ct);

    private static string Window(DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = string.Join("&", new[] { from is null ? null : "from=" + Uri.EscapeDataString(from.Value.ToString("O")), to is null ? null : "to=" + Uri.EscapeDataString(to.Value.ToString("O")) }
            .Where(p => p is not null));
        return query.Length == 0 ? string.Empty : "?" + query;
    }

    /// <summary>Predicts through the deployment; <paramref name="variant"/> names the variant to use (testing), instead of the weights.</summary>
    public Task<ApiResponse<DeploymentPredictResponse>> PredictAsync(string name, DeploymentPredictRequest request, string? variant = null, CancellationToken ct = default) =>
        Api.SendAsync<DeploymentPredictResponse>(HttpMethod.Post, Path(name) + "/predict", request, ct,
            headers: variant is null ? null : new Dictionary<string, string> { ["X-Astralytiq-Variant"] = variant });
}
