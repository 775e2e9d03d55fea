using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;
using Astralytiq.Contracts.Notifications;

namespace Astralytiq.Contracts.Client;

/// <summary>In-app notifications.</summary>
public sealed class NotificationsClient
{
    private readonly AstralytiqClient _client;

    internal NotificationsClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<NotificationListResponse>> ListAsync(bool unreadOnly = false, int offset = 0, int limit = 20, CancellationToken ct = default) =>
        _client.SendAsync<NotificationListResponse>(HttpMethod.Get, $"api/v1/notifications?offset={offset}&limit={limit}" + (unreadOnly ? "&unread=true" : string.Empty), null, ct);

    public Task<ApiResponse<object>> MarkReadAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<object>(HttpMethod.Post, $"api/v1/notifications/{id}/read", null, ct);

    public Task<ApiResponse<object>> MarkAllReadAsync(CancellationToken ct = default) =>
        _client.SendAsync<object>(HttpMethod.Post, "api/v1/notifications/read-all", null, ct);
}
