using Astralytiq.Contracts.Notifications;
namespace Astralytiq.Contracts.Client;

/// <summary>What needs no sign-in: public links, embedded dashboards, report unsubscribes.</summary>
public sealed class PublicClient(AstralytiqClient client) : AreaClient(client)
{
    /// <summary>A dashboard through a public link: no sign-in; the link's password, when it has one.</summary>
    public Task<ApiResponse<PublicDashboardResponse>> GetDashboardAsync(string token, string? password = null, CancellationToken ct = default) =>
        Api.SendAnonymousAsync<PublicDashboardResponse>($"api/v1/public/dashboards/{Uri.EscapeDataString(token)}", password, ct);

    public Task<ApiResponse<WidgetDataResponse>> GetWidgetDataAsync(string token, string widgetId, IEnumerable<string>? filters = null, string? password = null, int? offset = null, int? limit = null, CancellationToken ct = default) =>
        Api.SendAnonymousAsync<WidgetDataResponse>($"api/v1/public/dashboards/{Uri.EscapeDataString(token)}/widgets/{Uri.EscapeDataString(widgetId)}/data"
            + AstralytiqClient.Query(("filter", filters), ("offset", offset is null ? null : [offset.Value.ToString(CultureInfo.InvariantCulture)]), ("limit", limit is null ? null : [limit.Value.ToString(CultureInfo.InvariantCulture)])), password, ct);

    public Task<ApiResponse<EmbeddedDashboardResponse>> GetEmbeddedDashboardAsync(string token, CancellationToken ct = default) =>
        Api.SendAnonymousAsync<EmbeddedDashboardResponse>($"api/v1/embed/dashboards/{Uri.EscapeDataString(token)}", null, ct);

    public Task<ApiResponse<WidgetDataResponse>> GetEmbeddedWidgetDataAsync(string token, string widgetId, IEnumerable<string>? filters = null, CancellationToken ct = default) =>
        Api.SendAnonymousAsync<WidgetDataResponse>($"api/v1/embed/dashboards/{Uri.EscapeDataString(token)}/widgets/{Uri.EscapeDataString(widgetId)}/data" + AstralytiqClient.Query(("filter", filters)), null, ct);

    public Task<ApiResponse<UnsubscribeResponse>> UnsubscribeFromReportAsync(string token, CancellationToken ct = default) =>
        PostAnonymousAsync<UnsubscribeResponse>($"api/v1/public/reports/unsubscribe?token={Uri.EscapeDataString(token)}", ct);

    /// <summary>The link in a notification email: no more emails of that event type to that person.</summary>
    public Task<ApiResponse<NotificationUnsubscribeResponse>> UnsubscribeFromNotificationsAsync(string token, CancellationToken ct = default) =>
        PostAnonymousAsync<NotificationUnsubscribeResponse>($"api/v1/public/notifications/unsubscribe?token={Uri.EscapeDataString(token)}", ct);

    private async Task<ApiResponse<T>> PostAnonymousAsync<T>(string path, CancellationToken ct)
    {
        using var response = await Api.Http.PostAsync(path, null, ct).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? new ApiResponse<T> { Status = response.StatusCode, Value = await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct).ConfigureAwait(false), Headers = response.Headers }
            : new ApiResponse<T> { Status = response.StatusCode, Error = response.Content.Headers.ContentType?.MediaType == "application/json" ? await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiJson.Options, ct).ConfigureAwait(false) : null, Headers = response.Headers };
    }
}
