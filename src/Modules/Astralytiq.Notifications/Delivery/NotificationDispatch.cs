using Astralytiq.Identity.Contracts;
using Astralytiq.Notifications.Preferences;
using Astralytiq.Tenancy.Contracts;

namespace Astralytiq.Notifications.Delivery;

/// <summary>
/// <see cref="INotify"/>: tells each recipient in the app, by email (one by one, or gathered into their digest unless it is
/// critical) and by text message when the sender asks for SMS and they gave a number, and posts the event to every webhook
/// endpoint of the organisation that takes its type. Emails are in the organisation's language with a one-click link to
/// stop that kind of email. Emails and texts (through the outbox), digest entries and webhook deliveries are stored with
/// whatever the caller changed in this module's store, in one transaction, and sent after it commits; the in-app notices
/// follow. Recipients are users of the current tenant; unknown or deactivated ones are skipped.
/// </summary>
internal sealed partial class NotificationDispatch(
    NotificationsDbContext db,
    IUserDirectory users,
    Inbox.InboxWriter inApp,
    ITenantContext tenant,
    ITenantDirectory tenants,
    ITenantFeatureSwitches features,
    WebhookSignal webhooks,
    SecretProtector protector,
    PlatformOptions platform,
    TimeProvider time,
    ILogger<NotificationDispatch> logger) : INotify
{
    /// <summary>Longest text message sent: two concatenated SMS segments' worth; longer text is cut with an ellipsis.</summary>
    public const int MaxSmsLength = 300;

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
        // Each person's own choice for this event narrows the personal channels (in-app, email, SMS) for them.
        var ids = recipients.Select(r => r.Id).ToList();
        var chosen = await db.NotificationPreferences.AsNoTracking().Where(p => p.EventType == request.EventType && ids.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, p => p.ChannelList, cancellationToken).ConfigureAwait(false);
        var contacts = await db.NotificationContacts.AsNoTracking().Where(c => ids.Contains(c.UserId))
            .ToDictionaryAsync(c => c.UserId, cancellationToken).ConfigureAwait(false);
        bool Takes(DirectoryUser user, string channel) => channels.Contains(channel) && (!chosen.TryGetValue(user.Id, out var mine) || mine.Contains(channel));
        var now = time.GetUtcNow();
        var emailed = recipients.Where(u => Takes(u, NotifyChannels.Email)).ToList();
        var texted = recipients.Where(u => Takes(u, NotifyChannels.Sms) && contacts.GetValueOrDefault(u.Id)?.SmsNumber is not null).ToList();
        if (emailed.Count > 0 || texted.Count > 0)
        {
            var culture = EmailTemplates.Culture(await tenants.LocaleAsync(tenantId, cancellationToken).ConfigureAwait(false));
            var (title, body) = EmailTemplates.Words(request, culture);
            var subject = EmailTemplates.Subject(request.Severity, title, culture);
            var baseUrl = platform.PublicBaseUrl.TrimEnd('/');
            foreach (var user in emailed)
            {
                if (request.Severity != NotifySeverity.Critical && contacts.GetValueOrDefault(user.Id)?.EmailDigest is DigestModes.Hourly or DigestModes.Daily)
                {
                    db.DigestItems.Add(new Digests.DigestItem
                    {
                        Id = Guid.CreateVersion7(now), TenantId = tenantId, UserId = user.Id, EventType = request.EventType,
                        Title = Clip(subject, 300), Body = body is null ? null : Clip(body, 2000), Link = request.Link, CreatedAt = now,
                    });
                    continue;
                }
                db.Publish(Email(user, request, subject, title, body, culture, tenantId, baseUrl));
            }
            foreach (var user in texted)
            {
                var link = request.Link is null ? string.Empty : " " + EmailTemplates.Absolute(baseUrl, request.Link);
                db.Publish(new SmsRequested(contacts[user.Id].SmsNumber!, Clip($"Astralytiq: {subject}" + (body is null ? string.Empty : " - " + body), MaxSmsLength - link.Length) + link));
            }
        }
        var posted = 0;
        // Webhooks go out only while the organisation's plan includes them (and its Admin has not turned them off).
        if (channels.Contains(NotifyChannels.Webhook) && await features.IsOnAsync(tenantId, TenantFeatures.Webhooks, cancellationToken).ConfigureAwait(false))
        {
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
                await inApp.LeaveAsync(user.Id, request.EventType, request.Title, request.Body, request.Link, cancellationToken).ConfigureAwait(false);
            }
        }
        LogNotified(logger, request.EventType, recipients.Count, posted);
    }

    private EmailRequested Email(DirectoryUser user, NotifyRequest request, string subject, string title, string? body, CultureInfo culture, Guid tenantId, string baseUrl)
    {
        var description = Preferences.NotificationEvents.Describe(request.EventType);
        string? unsubscribePage = null;
        Dictionary<string, string>? headers = null;
        if (description is not null)
        {
            var token = NotificationUnsubscribes.Token(protector, tenantId, user.Id, request.EventType);
            unsubscribePage = $"{baseUrl}/unsubscribe?kind=notification&token={token}";
            headers = new Dictionary<string, string>
            {
                ["List-Unsubscribe"] = $"<{baseUrl}{ApiRoutes.V1}/public/notifications/unsubscribe?token={token}>",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
            };
        }
        var (text, html) = EmailTemplates.Body(user.DisplayName, [new EmailTemplates.Entry(title, body, request.Link)], digest: false, culture, baseUrl,
            unsubscribePage, description, TimeZoneInfo.Utc);
        return new EmailRequested(user.Email, subject, text, html, headers);
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(Math.Max(1, length) - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Notified {EventType}: {Recipients} recipient(s), {Webhooks} webhook delivery(ies)")]
    private static partial void LogNotified(ILogger logger, string eventType, int recipients, int webhooks);
}
