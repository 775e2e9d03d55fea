using Microsoft.AspNetCore.SignalR;

namespace Astralytiq.Platform.Notifications;

/// <summary>
/// Sends a message to a person's open pages at once, over the live hub (<c>/hubs/notifications</c>): the Notifications
/// module pushes each new inbox notice through it. A person with no page open misses nothing: the pages also ask.
/// </summary>
public interface IUserPush
{
    Task PushAsync(Guid tenantId, Guid userId, string method, object payload, CancellationToken cancellationToken);
}

internal sealed class HubUserPush(IHubContext<NotificationHub> hub) : IUserPush
{
    public Task PushAsync(Guid tenantId, Guid userId, string method, object payload, CancellationToken cancellationToken) =>
        hub.Clients.Group(NotificationHub.Group(tenantId, userId)).SendAsync(method, payload, cancellationToken);
}

/// <summary>
/// The in-app notices kept by the kernel before the Notifications module had its own inbox (table <c>notifications</c>),
/// for that module to move into its inbox at start-up. The table goes once every deployment has moved its rows.
/// </summary>
public sealed record LegacyNotice(Guid Id, Guid TenantId, Guid UserId, string Kind, string Title, string? Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public interface ILegacyInbox
{
    /// <summary>The oldest notices still in the kernel's table, across tenants.</summary>
    Task<IReadOnlyList<LegacyNotice>> ReadBatchAsync(int max, CancellationToken cancellationToken);

    Task RemoveAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);
}

/// <summary>A notice as the kernel kept it (legacy; see <see cref="ILegacyInbox"/>).</summary>
internal sealed class Notification : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string Kind { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public string? Body { get; set; }

    public string? Link { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }
}

internal sealed class LegacyInbox(PlatformDbContext db, ITenantContext tenant) : ILegacyInbox
{
    public async Task<IReadOnlyList<LegacyNotice>> ReadBatchAsync(int max, CancellationToken cancellationToken)
    {
        using var system = tenant.BeginSystemScope();
        return await db.Notifications.AsNoTracking().OrderBy(n => n.Id).Take(max)
            .Select(n => new LegacyNotice(n.Id, n.TenantId, n.UserId, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        using var system = tenant.BeginSystemScope();
        await db.Notifications.Where(n => ids.Contains(n.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The live inbox: a signed-in client connects to <c>/hubs/notifications</c> and receives <c>notification</c> (a
/// <see cref="NotificationDto"/>) for each notice left for it, as it is left. Only the person's own notices, in their
/// organisation: the group is named by the token's tenant and user.
/// </summary>
[Authorize]
internal sealed class NotificationHub : Hub
{
    public const string Path = "/hubs/notifications";
    public const string Pushed = "notification";

    public static string Group(Guid tenantId, Guid userId) => $"inbox:{tenantId:N}:{userId:N}";

    public override async Task OnConnectedAsync()
    {
        var user = Context.User;
        if (!Guid.TryParse(user?.FindFirst(TokenClaims.TenantId)?.Value, out var tenantId) || !Guid.TryParse(user.FindFirst(TokenClaims.Subject)?.Value, out var userId))
        {
            // An operator (no organisation) or a token without a person: nothing to receive.
            Context.Abort();
            return;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(tenantId, userId), Context.ConnectionAborted).ConfigureAwait(false);
        await base.OnConnectedAsync().ConfigureAwait(false);
    }
}
