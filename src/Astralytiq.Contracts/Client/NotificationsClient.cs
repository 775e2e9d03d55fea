namespace Astralytiq.Contracts.Client;

/// <summary>In-app notifications.</summary>
public sealed class NotificationsClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<NotificationListResponse>> ListAsync(bool unreadOnly = false, int offset = 0, int limit = 20, CancellationToken ct = default) =>
        Api.SendAsync<NotificationListResponse>(HttpMethod.Get, $"api/v1/notifications?offset={offset}&limit={limit}" + (unreadOnly ? "&unread=true" : string.Empty), null, ct);

    public Task<ApiResponse<object>> MarkReadAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Post, $"api/v1/notifications/{id}/read", null, ct);

    public Task<ApiResponse<object>> MarkAllReadAsync(CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Post, "api/v1/notifications/read-all", null, ct);

    public Task<ApiResponse<NotificationPreferencesDto>> GetPreferencesAsync(CancellationToken ct = default) =>
        Api.SendAsync<NotificationPreferencesDto>(HttpMethod.Get, "api/v1/notifications/preferences", null, ct);

    public Task<ApiResponse<NotificationPreferencesDto>> SetPreferencesAsync(NotificationPreferencesRequest request, CancellationToken ct = default) =>
        Api.SendAsync<NotificationPreferencesDto>(HttpMethod.Put, "api/v1/notifications/preferences", request, ct);
}
