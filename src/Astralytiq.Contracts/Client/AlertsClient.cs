namespace Astralytiq.Contracts.Client;

/// <summary>
/// Alert rules, their history and silences, and the metrics they watch: the organisation's (<c>api/v1/alerts</c>), or
/// the platform operator's (<see cref="OperatorClient.Alerts"/>, <c>api/v1/operator/alerts</c>).
/// </summary>
public sealed class AlertsClient(AstralytiqClient client, string root = "api/v1/alerts") : AreaClient(client)
{
    public Task<ApiResponse<IReadOnlyList<AlertMetricDto>>> MetricsAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<AlertMetricDto>>(HttpMethod.Get, $"{root}/metrics", null, ct);

    public Task<ApiResponse<AlertSeriesDto>> SeriesAsync(string metric, int windowMinutes = 5, int? stepMinutes = null, int points = 48, CancellationToken ct = default) =>
        Api.SendAsync<AlertSeriesDto>(HttpMethod.Get,
            $"{root}/metrics/{Uri.EscapeDataString(metric)}/series?window_minutes={windowMinutes}&points={points}" + (stepMinutes is { } s ? $"&step_minutes={s}" : string.Empty), null, ct);

    public Task<ApiResponse<IReadOnlyList<AlertRuleDto>>> ListAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<AlertRuleDto>>(HttpMethod.Get, $"{root}/rules", null, ct);

    public Task<ApiResponse<AlertRuleDto>> GetAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<AlertRuleDto>(HttpMethod.Get, $"{root}/rules/{id}", null, ct);

    public Task<ApiResponse<AlertRuleDto>> CreateAsync(AlertRuleRequest request, CancellationToken ct = default) =>
        Api.SendAsync<AlertRuleDto>(HttpMethod.Post, $"{root}/rules", request, ct);

    public Task<ApiResponse<AlertRuleDto>> UpdateAsync(Guid id, AlertRuleRequest request, CancellationToken ct = default) =>
        Api.SendAsync<AlertRuleDto>(HttpMethod.Put, $"{root}/rules/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"{root}/rules/{id}", null, ct);

    public Task<ApiResponse<AlertRuleDto>> EvaluateAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<AlertRuleDto>(HttpMethod.Post, $"{root}/rules/{id}/evaluate", null, ct);

    public Task<ApiResponse<Page<AlertEventDto>>> EventsAsync(Guid? ruleId = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<AlertEventDto>>(HttpMethod.Get, $"{root}/events?offset={offset}&limit={limit}" + (ruleId is { } r ? $"&rule_id={r}" : string.Empty), null, ct);

    public Task<ApiResponse<IReadOnlyList<AlertSilenceDto>>> SilencesAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<AlertSilenceDto>>(HttpMethod.Get, $"{root}/silences", null, ct);

    public Task<ApiResponse<AlertSilenceDto>> SilenceAsync(AlertSilenceRequest request, CancellationToken ct = default) =>
        Api.SendAsync<AlertSilenceDto>(HttpMethod.Post, $"{root}/silences", request, ct);

    public Task<ApiResponse<object>> EndSilenceAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"{root}/silences/{id}", null, ct);
}

/// <summary>Webhook endpoints, their delivery log and replays.</summary>
public sealed class WebhooksClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<IReadOnlyList<WebhookEndpointDto>>> ListAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<WebhookEndpointDto>>(HttpMethod.Get, "api/v1/notifications/webhooks", null, ct);

    public Task<ApiResponse<WebhookEndpointDto>> CreateAsync(WebhookEndpointRequest request, CancellationToken ct = default) =>
        Api.SendAsync<WebhookEndpointDto>(HttpMethod.Post, "api/v1/notifications/webhooks", request, ct);

    public Task<ApiResponse<WebhookEndpointDto>> UpdateAsync(Guid id, WebhookEndpointRequest request, CancellationToken ct = default) =>
        Api.SendAsync<WebhookEndpointDto>(HttpMethod.Put, $"api/v1/notifications/webhooks/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/notifications/webhooks/{id}", null, ct);

    public Task<ApiResponse<WebhookEndpointDto>> RotateSecretAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<WebhookEndpointDto>(HttpMethod.Post, $"api/v1/notifications/webhooks/{id}/rotate-secret", null, ct);

    public Task<ApiResponse<WebhookDeliveryDto>> TestAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<WebhookDeliveryDto>(HttpMethod.Post, $"api/v1/notifications/webhooks/{id}/test", null, ct);

    public Task<ApiResponse<Page<WebhookDeliveryDto>>> DeliveriesAsync(Guid id, string? status = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<WebhookDeliveryDto>>(HttpMethod.Get, $"api/v1/notifications/webhooks/{id}/deliveries?offset={offset}&limit={limit}" + (status is null ? string.Empty : "&status=" + Uri.EscapeDataString(status)), null, ct);

    public Task<ApiResponse<WebhookDeliveryDto>> ReplayAsync(Guid id, Guid deliveryId, CancellationToken ct = default) =>
        Api.SendAsync<WebhookDeliveryDto>(HttpMethod.Post, $"api/v1/notifications/webhooks/{id}/deliveries/{deliveryId}/replay", null, ct);
}
