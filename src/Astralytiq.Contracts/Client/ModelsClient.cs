namespace Astralytiq.Contracts.Client;

/// <summary>Models: training, registry, metrics, explanations, prediction, forecasts, scoring.</summary>
public sealed class ModelsClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<TrainModelResponse>> TrainAsync(TrainModelRequest request, CancellationToken ct = default) =>
        Api.SendAsync<TrainModelResponse>(HttpMethod.Post, "api/v1/ml/models/train", request, ct);

    public Task<ApiResponse<Page<ModelSummaryDto>>> ListAsync(string? search = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<ModelSummaryDto>>(HttpMethod.Get, $"api/v1/ml/models?offset={offset}&limit={limit}" + (search is null ? string.Empty : "&search=" + Uri.EscapeDataString(search)), null, ct);

    public Task<ApiResponse<ModelDetailDto>> GetAsync(string model, CancellationToken ct = default) =>
        Api.SendAsync<ModelDetailDto>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}", null, ct);

    public Task<ApiResponse<IReadOnlyList<ModelVersionDto>>> ListVersionsAsync(string name, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<ModelVersionDto>>(HttpMethod.Get, "api/v1/ml/models/versions?name=" + Uri.EscapeDataString(name), null, ct);

    public Task<ApiResponse<ModelMetricsResponse>> GetMetricsAsync(string model, int? version = null, string? alias = null, CancellationToken ct = default) =>
        Api.SendAsync<ModelMetricsResponse>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/metrics" + VersionQuery(version, alias, null), null, ct);

    public Task<ApiResponse<ExplainResponse>> ExplainAsync(string model, int? version = null, string? alias = null, CancellationToken ct = default) =>
        Api.SendAsync<ExplainResponse>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/explain" + VersionQuery(version, alias, null), null, ct);

    public Task<ApiResponse<PredictResponse>> PredictAsync(string model, PredictRequest request, int? version = null, string? alias = null, bool explain = false, CancellationToken ct = default) =>
        Api.SendAsync<PredictResponse>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/predict" + VersionQuery(version, alias, explain ? "explain=true" : null), request, ct);

    public Task<ApiResponse<ForecastResponse>> ForecastAsync(string model, int? horizon = null, string? series = null, int? version = null, string? alias = null, CancellationToken ct = default) =>
        Api.SendAsync<ForecastResponse>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/forecast" + VersionQuery(version, alias,
            string.Join("&", new[] { horizon is null ? null : $"horizon={horizon}", series is null ? null : "series=" + Uri.EscapeDataString(series) }.Where(x => x is not null))), null, ct);

    public Task<ApiResponse<ScoreDatasetResponse>> ScoreDatasetAsync(string model, ScoreDatasetRequest request, CancellationToken ct = default) =>
        Api.SendAsync<ScoreDatasetResponse>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/score", request, ct);

    public Task<ApiResponse<ModelAliasDto>> SetAliasAsync(string model, string alias, int version, CancellationToken ct = default) =>
        Api.SendAsync<ModelAliasDto>(HttpMethod.Put, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/aliases/{Uri.EscapeDataString(alias)}", new SetAliasRequest(version), ct);

    public Task<ApiResponse<object>> RemoveAliasAsync(string model, string alias, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/aliases/{Uri.EscapeDataString(alias)}", null, ct);

    public Task<ApiResponse<ModelVersionDto>> ArchiveVersionAsync(string model, int version, CancellationToken ct = default) =>
        Api.SendAsync<ModelVersionDto>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/versions/{version}/archive", null, ct);

    /// <summary>Ends a training version's search now; it becomes ready with the best configuration so far.</summary>
    public Task<ApiResponse<ModelVersionDto>> FinishTrainingAsync(string model, int version, CancellationToken ct = default) =>
        Api.SendAsync<ModelVersionDto>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/versions/{version}/finish", null, ct);

    private static string VersionQuery(int? version, string? alias, string? extra)
    {
        var parts = new[] { version is null ? null : $"version={version}", alias is null ? null : "alias=" + Uri.EscapeDataString(alias), string.IsNullOrEmpty(extra) ? null : extra }
            .Where(p => p is not null).ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }
}
