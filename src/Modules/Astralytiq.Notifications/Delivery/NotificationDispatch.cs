using Astralytiq.Identity.Contracts;

namespace Astralytiq.Notifications.Delivery;

/// <summary>
/// <see cref="INotify"/>: tells each recipient in the app and by email, and posts the event to every webhook endpoint of
/// the organisation that takes its type. Emails (through the outbox) and webhook deliveries are stored with whatever
/// the caller changed in this module's store, in one transaction, and sent after it commits; the in-app notices follow.
/// Recipients are users of the current tenant; unknown or deactivated ones are skipped.
/// </summary>
internal sealed partial class NotificationDispatch(
    NotificationsDbContext db,
    IUserDirectory users,
    INotifier inApp,
    ITenantContext tenant,
    WebhookSignal webhooks,
    TimeProvider time,
    ILogger<NotificationDispatch> logger) : INotify
{
    public async Task NotifyAsync(NotifyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenantId = tenant.TenantId ?? throw new InvalidOperationException("Notifications belong to a tenant");
        var channels = request.Channels ?? NotifyChannels.All;
        var recipients = new List<DirectoryUser>();
        foreach (var id in request.Recipients.Distinct())
        {
            if (await users.FindAsync(id, cancellationToken).ConfigureAwait(false) is { IsActive: true } user)
            {
                recipients.Add(user);
            }
        }
        // Each person's own choice for this event narrows the personal channels (in-app, email) for them.
        var ids = recipients.Select(r => r.Id).ToList();
        var chosen = await db.NotificationPreferences.AsNoTracking().Where(p => p.EventType == request.EventType && ids.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, p => p.ChannelList, cancellationToken).ConfigureAwait(false);
        bool Takes(DirectoryUser user, string channel) => channels.Contains(channel) && (!chosen.TryGetValue(user.Id, out var mine) || mine.Contains(channel));
        if (channels.Contains(NotifyChannels.Email))
        {
            var subject = request.Severity switch
            {
                NotifySeverity.Critical => "[Critical] " + request.Title,
                NotifySeverity.Warning => "[Warning] " + request.Title,
                _ => request.Title,
            };
            foreach (var user in recipients.Where(u => Takes(u, NotifyChannels.Email)))
            {
                db.Publish(new EmailRequested(user.Email, subject, EmailText(user, request)));
            }
        }
        var posted = 0;
        if (channels.Contains(NotifyChannels.Webhook))
        {
            var now = time.GetUtcNow();
            var eventId = Guid.CreateVersion7(now);
            var payload = JsonSerializer.Serialize(new
            {
                id = eventId,
                type = request.EventType,
                created_at = now,
                tenant_id = tenantId,
                severity = request.Severity.ToString().ToLowerInvariant(),
                title = request.Title,
                body = request.Body,
                link = request.Link,
                data = request.Payload,
            }, ApiJson.Options);
            var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled && e.DeletedAt == null).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var endpoint in endpoints.Where(e => e.Takes(request.EventType)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.CreateVersion7(now), TenantId = tenantId, EndpointId = endpoint.Id, EventId = eventId, EventType = request.EventType,
                    PayloadJson = payload, CreatedAt = now, NextAttemptAt = now,
                });
                posted++;
            }
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (posted > 0)
        {
            webhooks.Pulse();
        }
        if (channels.Contains(NotifyChannels.InApp))
        {
            foreach (var user in recipients.Where(u => Takes(u, NotifyChannels.InApp)))
            {
                await inApp.NotifyAsync(user.Id, request.EventType, request.Title, request.Body, request.Link, cancellationToken).ConfigureAwait(false);
            }
        }
        LogNotified(logger, request.EventType, recipients.Count, posted);
    }

    private static string EmailText(DirectoryUser user, NotifyRequest request)
    {
        var text = new System.Text.StringBuilder();
        text.Append("Hello ").Append(user.DisplayName).AppendLine(",").AppendLine();
        text.AppendLine(request.Title);
        if (!string.IsNullOrWhiteSpace(request.Body))
        {
            text.AppendLine().AppendLine(request.Body);
        }
        if (!string.IsNullOrWhiteSpace(request.Link))
        {
            text.AppendLine().Append("See: ").AppendLine(request.Link);
        }
        text.AppendLine().AppendLine("You receive this because you are a recipient of this notice in Astralytiq. Choose how you hear about it under Profile, Notifications; the rule's owner or an Admin can change who is told.");
        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notified {EventType}: {Recipients} recipient(s), {Webhooks} webhook delivery(ies)")]
    private static partial void LogNotified(ILogger logger, string eventType, int recipients, int webhooks);
}
