using Astralytiq.Tenancy.Contracts;

namespace Astralytiq.Notifications.Preferences;

/// <summary>One user's choice of channels for one event type (no row: whatever the sender asks for).</summary>
internal sealed class NotificationPreference : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string EventType { get; set; } = string.Empty;

    /// <summary>Comma-separated personal channels the user takes this event on (<c>in_app</c>, <c>email</c>); empty mutes it.</summary>
    public string Channels { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> ChannelList => Channels.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The events people can be told about through <see cref="INotify"/>, and what each is.</summary>
internal static class NotificationEvents
{
    public static readonly IReadOnlyList<(string Type, string Description)> Known =
    [
        ("alert.firing", "An alert rule you receive starts firing"),
        ("alert.resolved", "An alert rule you receive stops firing"),
        ("report.delivered", "A scheduled report you own was sent"),
        ("report.failed", "A scheduled report you own could not be sent"),
        ("usage.warning", "The organisation has used 80 % of a plan limit (Admins)"),
        ("usage.limit_reached", "The organisation has used all of a plan limit (Admins)"),
        ("billing.invoice_issued", "An invoice was issued (Admins)"),
        ("billing.trial_ending", "A plan trial ends in a few days (Admins)"),
        ("billing.trial_ended", "A plan trial ended and the organisation is back on its plan (Admins)"),
        ("billing.payment_failed", "A card payment of an invoice failed (Admins)"),
        ("deployment.canary_rolled_back", "A canary rollout of a deployment you created was rolled back: its errors or latency crossed the limit"),
        ("deployment.canary_promoted", "A canary rollout of a deployment you created reached 100 %"),
        ("deployment.retraining_finished", "A retraining of a deployment you created decided: the challenger promoted, started as a canary, kept out, or failed"),
    ];

    /// <summary>Channels a person chooses for themselves; webhooks belong to the organisation.</summary>
    public static readonly IReadOnlyList<string> Personal = [NotifyChannels.InApp, NotifyChannels.Email, NotifyChannels.Sms];

    public static string? Describe(string eventType) => Known.FirstOrDefault(k => k.Type == eventType).Description;
}

/// <summary><c>/api/v1/notifications/preferences</c>: how the signed-in user wants to hear about each event type.</summary>
internal static class PreferenceEndpoints
{
    public static void Map(RouteGroupBuilder preferences)
    {
        preferences.MapGet("/", Get);
        preferences.MapPut("/", Put);
    }

    [RequiresPermission(Permission.ProfileSelf), EndpointName("GetNotificationPreferences")]
    [EndpointSummary("How you hear about each event: the channels you take it on (null: whatever its sender chooses)")]
    private static async Task<Ok<NotificationPreferencesDto>> Get(NotificationsDbContext db, ITenantContext tenant, CancellationToken ct) =>
        TypedResults.Ok(await ReadAsync(db, tenant.UserId!.Value, ct).ConfigureAwait(false));

    [RequiresPermission(Permission.ProfileSelf), EndpointName("SetNotificationPreferences")]
    [EndpointSummary("Sets the channels you take each listed event on (an empty list mutes it; null goes back to the sender's choice), your SMS number and your email digest")]
    private static async Task<Results<Ok<NotificationPreferencesDto>, ApiError>> Put(
        NotificationPreferencesRequest request, NotificationsDbContext db, ITenantContext tenant, ITenantDirectory tenants, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var number = PhoneNumbers.Normalize(request.SmsNumber);
        if (!string.IsNullOrWhiteSpace(request.SmsNumber) && number is null)
        {
            errors.Add("sms_number", "write the number in international form: a plus, the country code and the number (+49 151 12345678)");
        }
        if (request.EmailDigest is not null && !DigestModes.All.Contains(request.EmailDigest))
        {
            errors.Add("email_digest", $"'{request.EmailDigest}' is not a digest; use one of {string.Join(", ", DigestModes.All)}");
        }
        var items = request.Items ?? [];
        foreach (var (item, i) in items.Select((item, i) => (item, i)))
        {
            if (!NotificationEvents.Known.Any(k => k.Type == item.EventType))
            {
                errors.Add($"items[{i}].event_type", $"'{item.EventType}' is not an event; use one of {string.Join(", ", NotificationEvents.Known.Select(k => k.Type))}");
            }
            foreach (var channel in item.Channels?.Where(c => !NotificationEvents.Personal.Contains(c)) ?? [])
            {
                errors.Add($"items[{i}].channels", $"'{channel}' is not a personal channel; use in_app, email or sms (webhooks are the organisation's)");
            }
        }
        if (items.GroupBy(i => i.EventType).Any(g => g.Count() > 1))
        {
            errors.Add("items", "name each event once");
        }
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        var user = tenant.UserId!.Value;
        var now = time.GetUtcNow();
        var existing = await db.NotificationPreferences.Where(p => p.UserId == user).ToListAsync(ct).ConfigureAwait(false);
        foreach (var item in items)
        {
            var row = existing.FirstOrDefault(p => p.EventType == item.EventType);
            if (item.Channels is null)
            {
                if (row is not null)
                {
                    db.NotificationPreferences.Remove(row);
                }
                continue;
            }
            if (row is null)
            {
                row = new NotificationPreference { Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, UserId = user, EventType = item.EventType };
                db.NotificationPreferences.Add(row);
            }
            row.Channels = string.Join(',', item.Channels.Distinct());
            row.UpdatedAt = now;
        }
        if (request.SmsNumber is not null || request.EmailDigest is not null)
        {
            var contact = await db.NotificationContacts.SingleOrDefaultAsync(c => c.UserId == user, ct).ConfigureAwait(false);
            if (contact is null)
            {
                contact = new NotificationContact { Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, UserId = user };
                db.NotificationContacts.Add(contact);
            }
            if (request.SmsNumber is not null)
            {
                contact.SmsNumber = number;
            }
            if (request.EmailDigest is not null && (request.EmailDigest != contact.EmailDigest || contact.NextRunAt is null))
            {
                var zone = request.EmailDigest == DigestModes.Daily ? await tenants.TimeZoneAsync(tenant.TenantId!.Value, ct).ConfigureAwait(false) : null;
                contact.SetDigest(request.EmailDigest, zone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : null, now);
            }
            contact.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(await ReadAsync(db, user, ct).ConfigureAwait(false));
    }

    private static async Task<NotificationPreferencesDto> ReadAsync(NotificationsDbContext db, Guid user, CancellationToken ct)
    {
        var rows = await db.NotificationPreferences.AsNoTracking().Where(p => p.UserId == user).ToListAsync(ct).ConfigureAwait(false);
        var contact = await db.NotificationContacts.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == user, ct).ConfigureAwait(false);
        return new NotificationPreferencesDto(
            [.. NotificationEvents.Known.Select(k => new NotificationPreferenceDto(k.Type, k.Description, rows.FirstOrDefault(r => r.EventType == k.Type)?.ChannelList))],
            NotificationEvents.Personal, contact?.SmsNumber, contact?.EmailDigest ?? DigestModes.Off, DigestModes.All);
    }
}
