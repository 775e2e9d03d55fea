using Astralytiq.Identity.Contracts;
using Astralytiq.Notifications.Preferences;

namespace Astralytiq.Notifications.Delivery;

/// <summary>
/// The link in a notification email that stops emails of that event type for that person (no sign-in: the token, sealed
/// with the platform's master key, is the proof). Their other channels for the event stay as they were.
/// </summary>
internal sealed class NotificationUnsubscribes(NotificationsDbContext db, ITenantContext tenant, IUserDirectory users, SecretProtector protector, IAuditLog audit, TimeProvider time)
{
    private static ReadOnlySpan<byte> Purpose => "notification-unsubscribe"u8;

    public static string Token(SecretProtector protector, Guid tenantId, Guid userId, string eventType) =>
        protector.SealForLink($"{tenantId:N}|{userId:N}|{eventType}", Purpose);

    public static (Guid TenantId, Guid UserId, string EventType)? Read(SecretProtector protector, string? token)
    {
        var parts = protector.OpenFromLink(token, Purpose)?.Split('|');
        return parts is { Length: 3 } && Guid.TryParseExact(parts[0], "N", out var tenantId) && Guid.TryParseExact(parts[1], "N", out var userId)
            ? (tenantId, userId, parts[2])
            : null;
    }

    public async Task<Result<NotificationUnsubscribeResponse>> UnsubscribeAsync(string? token, CancellationToken ct)
    {
        if (Read(protector, token) is not { } read || NotificationEvents.Describe(read.EventType) is not { } description)
        {
            return new NotFoundError("Notification subscription");
        }
        using var scope = tenant.BeginTenantScope(read.TenantId);
        if (await users.FindAsync(read.UserId, ct).ConfigureAwait(false) is not { } user)
        {
            return new NotFoundError("Notification subscription");
        }
        var row = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == user.Id && p.EventType == read.EventType, ct).ConfigureAwait(false);
        var channels = row?.ChannelList ?? NotificationEvents.Personal;
        if (channels.Contains(NotifyChannels.Email))
        {
            var now = time.GetUtcNow();
            if (row is null)
            {
                row = new NotificationPreference { Id = Guid.CreateVersion7(now), TenantId = read.TenantId, UserId = user.Id, EventType = read.EventType };
                db.NotificationPreferences.Add(row);
            }
            row.Channels = string.Join(',', channels.Where(c => c != NotifyChannels.Email));
            row.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Two clicks at once: the unique index kept one row, and both asked for the same thing.
                db.ChangeTracker.Clear();
            }
            await audit.RecordAsync(new AuditRecord("notification.unsubscribed", AuditOutcome.Success, "user", user.Id.ToString(),
                new Dictionary<string, string> { ["event_type"] = read.EventType, ["channel"] = NotifyChannels.Email }), ct).ConfigureAwait(false);
        }
        return new NotificationUnsubscribeResponse(read.EventType, description, user.Email);
    }
}
