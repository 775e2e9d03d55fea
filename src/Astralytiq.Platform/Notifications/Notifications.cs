using Astralytiq.Contracts.Notifications;
using Microsoft.AspNetCore.SignalR;

namespace Astralytiq.Platform.Notifications;

/// <summary>Leaves in-app notifications for users of the current tenant (shown under the bell in the web client).</summary>
public interface INotifier
{
    Task NotifyAsync(Guid userId, string kind, string title, string? body, string? link, CancellationToken cancellationToken);
}

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

    public NotificationDto ToDto() => new(Id, Kind, Title, Body, Link, CreatedAt, ReadAt);
}

internal sealed partial class Notifier(PlatformDbContext db, ITenantContext tenant, TimeProvider time, IHubContext<NotificationHub> hub, ILogger<Notifier> logger) : INotifier
{
    public async Task NotifyAsync(Guid userId, string kind, string title, string? body, string? link, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tenantId = tenant.TenantId ?? throw new InvalidOperationException("Notifications belong to a tenant");
        var notification = new Notification
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, UserId = userId,
            Kind = Cut(kind, 60), Title = Cut(title, 300), Body = body is null ? null : Cut(body, 2000), Link = link is null ? null : Cut(link, 500), CreatedAt = now,
        };
        db.Notifications.Add(notification);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Pushed to the person's open pages at once; the bell also asks on its own, so a missed push only waits for that.
            await hub.Clients.Group(NotificationHub.Group(tenantId, userId)).SendAsync(NotificationHub.Pushed, notification.ToDto(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPushFailed(logger, ex, notification.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} was stored but not pushed live")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, Guid notificationId);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}

/// <summary><c>/api/v1/notifications</c>: the signed-in user's own notifications, newest first; marking them read.</summary>
internal static class NotificationEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/notifications").WithTags("Notifications").ProducesErrors(401, 403, 429);
        group.MapGet("/", List);
        group.MapPost("/{id:guid}/read", Read);
        group.MapPost("/read-all", ReadAll);
    }

    private static IQueryable<Notification> Mine(PlatformDbContext db, ITenantContext tenant) =>
        db.Notifications.Where(n => n.UserId == tenant.UserId);

    [RequiresPermission(Permission.ProfileSelf), Errors(422), EndpointName("ListNotifications")]
    [EndpointSummary("Your notifications, newest first (unread=true for only the unread), with how many are unread")]
    private static async Task<Results<Ok<NotificationListResponse>, ApiError>> List(bool? unread, int? offset, int? limit, PlatformDbContext db, ITenantContext tenant, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 20);
        if (o < 0 || l is < 1 or > 200)
        {
            return new ApiError(ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200"));
        }
        var query = Mine(db, tenant).AsNoTracking();
        var unreadCount = await query.CountAsync(n => n.ReadAt == null, ct).ConfigureAwait(false);
        if (unread == true)
        {
            query = query.Where(n => n.ReadAt == null);
        }
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        // Ids are version-7 GUIDs (time-ordered); ordering by them avoids sorting DateTimeOffset on SQLite.
        var items = await query.OrderByDescending(n => n.Id).Skip(o).Take(l).ToListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(new NotificationListResponse(items.Select(n => n.ToDto()).ToList(), unreadCount, total, o, l));
    }

    [RequiresPermission(Permission.ProfileSelf), Errors(404), EndpointName("MarkNotificationRead")]
    [EndpointSummary("Mark one of your notifications read")]
    private static async Task<Results<NoContent, ApiError>> Read(Guid id, PlatformDbContext db, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var found = await Mine(db, tenant).AnyAsync(n => n.Id == id, ct).ConfigureAwait(false);
        if (!found)
        {
            return new ApiError(new NotFoundError("Notification"));
        }
        await Mine(db, tenant).Where(n => n.Id == id && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    [RequiresPermission(Permission.ProfileSelf), EndpointName("MarkAllNotificationsRead")]
    [EndpointSummary("Mark all your notifications read")]
    private static async Task<NoContent> ReadAll(PlatformDbContext db, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await Mine(db, tenant).Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct).ConfigureAwait(false);
        return TypedResults.NoContent();
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
