using Astralytiq.Identity.Contracts;
using Astralytiq.Notifications.Delivery;
using Astralytiq.Notifications.Preferences;
using Astralytiq.Tenancy.Contracts;

namespace Astralytiq.Notifications.Digests;

/// <summary>A notice waiting for its recipient's next email digest.</summary>
internal sealed class DigestItem : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string EventType { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public string? Body { get; set; }

    public string? Link { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// At each of a user's digest times (the shared schedule service claims the due <see cref="NotificationContact"/> once
/// across nodes), gathers the notices waiting for them into one email in the organisation's language, oldest first,
/// queues it in the outbox and removes them, in one transaction. Nothing waiting: no email.
/// </summary>
internal sealed partial class DigestSender(
    NotificationsDbContext db,
    IUserDirectory users,
    ITenantDirectory tenants,
    PlatformOptions platform,
    ILogger<DigestSender> logger) : IOccurrenceHandler<NotificationContact>
{
    /// <summary>More than this many notices in one digest: the oldest are sent, the rest wait for the next one.</summary>
    public const int MaxEntries = 200;

    public async Task StartAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var contact = await db.NotificationContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == occurrence.SubjectId, cancellationToken).ConfigureAwait(false);
        if (contact is not null)
        {
            await SendAsync(contact.UserId, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task<int> SendAsync(Guid userId, CancellationToken cancellationToken)
    {
        var items = await db.DigestItems.Where(i => i.UserId == userId).OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Take(MaxEntries)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (items.Count == 0)
        {
            return 0;
        }
        if (await users.FindAsync(userId, cancellationToken).ConfigureAwait(false) is { IsActive: true } user)
        {
            var culture = EmailTemplates.Culture(await tenants.LocaleAsync(items[0].TenantId, cancellationToken).ConfigureAwait(false));
            var words = EmailTemplates.For(culture);
            var zone = await ZoneAsync(items[0].TenantId, cancellationToken).ConfigureAwait(false);
            var subject = items.Count == 1 ? words.DigestOne : string.Format(culture, words.DigestMany, items.Count.ToString("#,0", culture));
            var (text, html) = EmailTemplates.Body(user.DisplayName,
                [.. items.Select(i => new EmailTemplates.Entry(i.Title, i.Body, i.Link, i.CreatedAt))], digest: true, culture,
                platform.PublicBaseUrl.TrimEnd('/'), unsubscribeUrl: null, eventDescription: null, zone);
            db.Publish(new EmailRequested(user.Email, subject, text, html));
        }
        db.DigestItems.RemoveRange(items);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        LogSent(logger, userId, items.Count);
        return items.Count;
    }

    private async Task<TimeZoneInfo> ZoneAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var name = await tenants.TimeZoneAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email digest for user {UserId}: {Count} notice(s)")]
    private static partial void LogSent(ILogger logger, Guid userId, int count);
}
