namespace Astralytiq.Notifications.Inbox;

/// <summary>One in-app notice for one person (shown under the bell in the web client).</summary>
internal sealed class InboxItem : ITenantOwned
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

/// <summary>Leaves a notice in a person's inbox (of the current tenant) and pushes it to their open pages.</summary>
internal sealed partial class InboxWriter(NotificationsDbContext db, ITenantContext tenant, IUserPush push, TimeProvider time, ILogger<InboxWriter> logger)
{
    public const string Pushed = "notification";

    public async Task LeaveAsync(Guid userId, string kind, string title, string? body, string? link, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tenantId = tenant.TenantId ?? throw new InvalidOperationException("Notifications belong to a tenant");
        var item = new InboxItem
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, UserId = userId,
            Kind = Cut(kind, 60), Title = Cut(title, 300), Body = body is null ? null : Cut(body, 2000), Link = link is null ? null : Cut(link, 500), CreatedAt = now,
        };
        db.Inbox.Add(item);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Pushed to the person's open pages at once; the bell also asks on its own, so a missed push only waits for that.
            await push.PushAsync(tenantId, userId, Pushed, item.ToDto(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPushFailed(logger, ex, item.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} was stored but not pushed live")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, Guid notificationId);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}

/// <summary><c>/api/v1/notifications</c>: the signed-in user's own notifications, newest first; marking them read.</summary>
internal static class InboxEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", List);
        group.MapPost("/{id:guid}/read", Read);
        group.MapPost("/read-all", ReadAll);
    }

    private static IQueryable<InboxItem> Mine(NotificationsDbContext db, ITenantContext tenant) =>
        db.Inbox.Where(n => n.UserId == tenant.UserId);

    [RequiresPermission(Permission.ProfileSelf), Errors(422), EndpointName("ListNotifications")]
    [EndpointSummary("Your notifications, newest first (unread=true for only the unread), with how many are unread")]
    private static async Task<Results<Ok<NotificationListResponse>, ApiError>> List(bool? unread, int? offset, int? limit, NotificationsDbContext db, ITenantContext tenant, CancellationToken ct)
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
    private static async Task<Results<NoContent, ApiError>> Read(Guid id, NotificationsDbContext db, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!await Mine(db, tenant).AnyAsync(n => n.Id == id, ct).ConfigureAwait(false))
        {
            return new ApiError(new NotFoundError("Notification"));
        }
        await Mine(db, tenant).Where(n => n.Id == id && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    [RequiresPermission(Permission.ProfileSelf), EndpointName("MarkAllNotificationsRead")]
    [EndpointSummary("Mark all your notifications read")]
    private static async Task<NoContent> ReadAll(NotificationsDbContext db, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await Mine(db, tenant).Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}

/// <summary>
/// At start-up, moves the notices the kernel kept before this module had an inbox into it (in batches, each copied then
/// removed from the kernel's table; a copy that was made before a crash is not made twice).
/// </summary>
internal sealed partial class InboxMove(ILegacyInbox legacy, NotificationsDbContext db, ITenantContext tenant, ILogger<InboxMove> logger) : IStartupTask
{
    public const int Batch = 500;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        while (await legacy.ReadBatchAsync(Batch, cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
        {
            foreach (var group in batch.GroupBy(n => n.TenantId))
            {
                using var scope = tenant.BeginTenantScope(group.Key);
                var ids = group.Select(n => n.Id).ToList();
                var present = await db.Inbox.Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
                db.Inbox.AddRange(group.Where(n => !present.Contains(n.Id)).Select(n => new InboxItem
                {
                    Id = n.Id, TenantId = n.TenantId, UserId = n.UserId, Kind = n.Kind, Title = n.Title, Body = n.Body, Link = n.Link,
                    CreatedAt = n.CreatedAt, ReadAt = n.ReadAt,
                }));
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                db.ChangeTracker.Clear();
            }
            await legacy.RemoveAsync([.. batch.Select(n => n.Id)], cancellationToken).ConfigureAwait(false);
            moved += batch.Count;
        }
        if (moved > 0)
        {
            LogMoved(logger, moved);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} in-app notification(s) from the kernel's table into the Notifications module's inbox")]
    private static partial void LogMoved(ILogger logger, int count);
}
