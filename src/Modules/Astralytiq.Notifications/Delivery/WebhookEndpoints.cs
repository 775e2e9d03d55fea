using System.Text;

namespace Astralytiq.Notifications.Delivery;

/// <summary><c>/api/v1/notifications/webhooks</c>: the organisation's webhook endpoints, their delivery log and replays (Admin).</summary>
internal static class WebhookEndpoints
{
    public const int MaxEndpoints = 20;

    /// <summary>Events only systems take (no person is told): the model registry's and deployments' changes.</summary>
    public static readonly string[] MachineEvents = ["model.version_ready", "model.alias_moved", "deployment.changed", "deployment.drift_detected"];

    /// <summary>Event types an endpoint can take (or <c>*</c> for all, or a prefix such as <c>alert.*</c>); declared after what it is made of.</summary>
    public static readonly string[] KnownEventTypes = [.. Preferences.NotificationEvents.Known.Select(k => k.Type), .. MachineEvents, "webhook.test"];

    public static void Map(RouteGroupBuilder webhooks)
    {
        webhooks.MapGet("/", List);
        webhooks.MapPost("/", Create).RequireTenantFeature(TenantFeatures.Webhooks).Audit("webhook.created", "webhook");
        webhooks.MapPut("/{id:guid}", Update).RequireTenantFeature(TenantFeatures.Webhooks).Audit("webhook.updated", "webhook");
        webhooks.MapDelete("/{id:guid}", Delete).Audit("webhook.deleted", "webhook");
        webhooks.MapPost("/{id:guid}/rotate-secret", RotateSecret).RequireTenantFeature(TenantFeatures.Webhooks).Audit("webhook.secret_rotated", "webhook");
        webhooks.MapPost("/{id:guid}/test", SendTest).RequireTenantFeature(TenantFeatures.Webhooks);
        webhooks.MapGet("/{id:guid}/deliveries", Deliveries);
        webhooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/replay", Replay).RequireTenantFeature(TenantFeatures.Webhooks).Audit("webhook.replayed", "webhook");
    }

    [RequiresPermission(Permission.SettingsRead), EndpointName("ListWebhooks")]
    [EndpointSummary("The organisation's webhook endpoints (their secrets are never shown again)")]
    private static async Task<Ok<IReadOnlyList<WebhookEndpointDto>>> List(NotificationsDbContext db, CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.DeletedAt == null).OrderBy(e => e.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<WebhookEndpointDto>>([.. endpoints.Select(e => ToDto(e, null))]);
    }

    [RequiresPermission(Permission.SettingsManage), Errors(409), EndpointName("CreateWebhook")]
    [EndpointSummary("Adds a webhook endpoint (Admin); the answer holds its signing secret, shown this once")]
    private static async Task<Results<Created<WebhookEndpointDto>, ApiError>> Create(
        WebhookEndpointRequest request, NotificationsDbContext db, ITenantContext tenant, SecretProtector protector, WebhookSettings settings, TimeProvider time, CancellationToken ct)
    {
        if (await db.WebhookEndpoints.CountAsync(e => e.DeletedAt == null, ct).ConfigureAwait(false) >= MaxEndpoints)
        {
            return new ApiError(new ConflictError($"An organisation can have at most {MaxEndpoints} webhook endpoints; delete one first"));
        }
        var now = time.GetUtcNow();
        var endpoint = new WebhookEndpoint { Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, CreatedBy = tenant.UserId, CreatedAt = now };
        if (await ApplyAsync(endpoint, request, isNew: true, settings, ct).ConfigureAwait(false) is { } invalid)
        {
            return new ApiError(invalid);
        }
        var secret = WebhookSignature.NewSecret();
        endpoint.SecretProtected = protector.Protect(Encoding.UTF8.GetBytes(secret), endpoint.Id.ToByteArray());
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/notifications/webhooks/{endpoint.Id}", ToDto(endpoint, secret));
    }

    [RequiresPermission(Permission.SettingsManage), Errors(404), EndpointName("UpdateWebhook")]
    [EndpointSummary("Changes a webhook endpoint (Admin); fields left out keep their values")]
    private static async Task<Results<Ok<WebhookEndpointDto>, ApiError>> Update(
        Guid id, WebhookEndpointRequest request, NotificationsDbContext db, WebhookSettings settings, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.DeletedAt == null, ct).ConfigureAwait(false);
        if (endpoint is null)
        {
            return new ApiError(new NotFoundError("Webhook endpoint"));
        }
        if (await ApplyAsync(endpoint, request, isNew: false, settings, ct).ConfigureAwait(false) is { } invalid)
        {
            return new ApiError(invalid);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(ToDto(endpoint, null));
    }

    [RequiresPermission(Permission.SettingsManage), Errors(404), EndpointName("DeleteWebhook")]
    [EndpointSummary("Deletes a webhook endpoint (Admin); deliveries still waiting are not sent")]
    private static async Task<Results<NoContent, ApiError>> Delete(Guid id, NotificationsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var deleted = await db.WebhookEndpoints.Where(e => e.Id == id && e.DeletedAt == null).ExecuteUpdateAsync(u => u.SetProperty(e => e.DeletedAt, now), ct).ConfigureAwait(false);
        return deleted == 0 ? new ApiError(new NotFoundError("Webhook endpoint")) : TypedResults.NoContent();
    }

    [RequiresPermission(Permission.SettingsManage), Errors(404), EndpointName("RotateWebhookSecret")]
    [EndpointSummary("Gives a webhook endpoint a new signing secret, shown this once (Admin); the old one stops at once")]
    private static async Task<Results<Ok<WebhookEndpointDto>, ApiError>> RotateSecret(Guid id, NotificationsDbContext db, SecretProtector protector, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.DeletedAt == null, ct).ConfigureAwait(false);
        if (endpoint is null)
        {
            return new ApiError(new NotFoundError("Webhook endpoint"));
        }
        var secret = WebhookSignature.NewSecret();
        endpoint.SecretProtected = protector.Protect(Encoding.UTF8.GetBytes(secret), endpoint.Id.ToByteArray());
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(ToDto(endpoint, secret));
    }

    [RequiresPermission(Permission.SettingsManage), Errors(404), EndpointName("TestWebhook")]
    [EndpointSummary("Sends a webhook.test event to this endpoint now (Admin); see the delivery log for the answer")]
    private static async Task<Results<Accepted<WebhookDeliveryDto>, ApiError>> SendTest(Guid id, NotificationsDbContext db, ITenantContext tenant, WebhookSignal signal, TimeProvider time, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.DeletedAt == null, ct).ConfigureAwait(false);
        if (endpoint is null)
        {
            return new ApiError(new NotFoundError("Webhook endpoint"));
        }
        var now = time.GetUtcNow();
        var eventId = Guid.CreateVersion7(now);
        var delivery = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, EndpointId = id, EventId = eventId, EventType = "webhook.test",
            PayloadJson = JsonSerializer.Serialize(new { id = eventId, type = "webhook.test", created_at = now, tenant_id = tenant.TenantId, title = "Test event from Astralytiq" }, ApiJson.Options),
            CreatedAt = now, NextAttemptAt = now,
        };
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        signal.Pulse();
        return TypedResults.Accepted($"/api/v1/notifications/webhooks/{id}/deliveries", ToDto(delivery));
    }

    [RequiresPermission(Permission.SettingsRead), Errors(404, 422), EndpointName("ListWebhookDeliveries")]
    [EndpointSummary("The endpoint's delivery log, newest first: status, attempts and each answer's HTTP status")]
    private static async Task<Results<Ok<Page<WebhookDeliveryDto>>, ApiError>> Deliveries(Guid id, string? status, int? offset, int? limit, NotificationsDbContext db, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        if (o < 0 || l is < 1 or > 200)
        {
            return new ApiError(ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200"));
        }
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct).ConfigureAwait(false))
        {
            return new ApiError(new NotFoundError("Webhook endpoint"));
        }
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id && (status == null || d.Status == status));
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        var items = await query.OrderByDescending(d => d.Id).Skip(o).Take(l).ToListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(new Page<WebhookDeliveryDto>([.. items.Select(ToDto)], total, o, l));
    }

    [RequiresPermission(Permission.SettingsManage), Errors(404), EndpointName("ReplayWebhookDelivery")]
    [EndpointSummary("Sends a delivery's event again, with the same event id, as a new delivery (Admin)")]
    private static async Task<Results<Accepted<WebhookDeliveryDto>, ApiError>> Replay(Guid id, Guid deliveryId, NotificationsDbContext db, WebhookSignal signal, TimeProvider time, CancellationToken ct)
    {
        var original = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == id, ct).ConfigureAwait(false);
        if (original is null || !await db.WebhookEndpoints.AnyAsync(e => e.Id == id && e.DeletedAt == null, ct).ConfigureAwait(false))
        {
            return new ApiError(new NotFoundError("Webhook delivery"));
        }
        var now = time.GetUtcNow();
        var replay = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(now), TenantId = original.TenantId, EndpointId = id, EventId = original.EventId, EventType = original.EventType,
            PayloadJson = original.PayloadJson, ReplayOf = original.Id, CreatedAt = now, NextAttemptAt = now,
        };
        db.WebhookDeliveries.Add(replay);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        signal.Pulse();
        return TypedResults.Accepted($"/api/v1/notifications/webhooks/{id}/deliveries", ToDto(replay));
    }

    private static async Task<ValidationError?> ApplyAsync(WebhookEndpoint endpoint, WebhookEndpointRequest request, bool isNew, WebhookSettings settings, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var url = request.Url?.Trim() ?? (isNew ? null : endpoint.Url);
        if (string.IsNullOrEmpty(url))
        {
            errors.Add("url", "url is required");
        }
        else if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            errors.Add("url", "url must be an absolute http(s) URL of at most 2,000 characters");
        }
        else if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            errors.Add("url", "url must not carry a user name or password; the signature authenticates the platform");
        }
        else if (await OutboundHttp.VetAsync(parsed, settings.NetworkAllowList, ct, "url", "called").ConfigureAwait(false) is { IsSuccess: false } vetted)
        {
            errors.Add("url", (vetted.Error!.Details is { Count: > 0 } why ? why[0].Message : vetted.Error.Message));
        }
        errors.MaxLength("description", request.Description, 300);
        var types = request.EventTypes ?? (isNew ? ["*"] : endpoint.EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries));
        if (types.Count == 0)
        {
            errors.Add("event_types", "name at least one event type, or * for all");
        }
        foreach (var type in types.Where(t => t != "*" && !KnownEventTypes.Contains(t) && !(t.EndsWith(".*", StringComparison.Ordinal) && KnownEventTypes.Any(k => k.StartsWith(t[..^1], StringComparison.Ordinal)))))
        {
            errors.Add("event_types", $"'{type}' is not an event type; use * or one of {string.Join(", ", KnownEventTypes)} (or a prefix such as alert.*)");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        endpoint.Url = url!;
        endpoint.Description = request.Description is null ? endpoint.Description : request.Description.Trim() is { Length: > 0 } d ? d : null;
        endpoint.EventTypes = string.Join(',', types.Distinct());
        endpoint.Enabled = request.Enabled ?? (isNew || endpoint.Enabled);
        return null;
    }

    private static WebhookEndpointDto ToDto(WebhookEndpoint e, string? secret) =>
        new(e.Id, e.Url, e.Description, e.EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries), e.Enabled, e.CreatedAt, secret);

    internal static WebhookDeliveryDto ToDto(WebhookDelivery d) => new(
        d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt,
        d.Status is WebhookStatus.Pending or WebhookStatus.Retrying ? d.NextAttemptAt : null, d.DeliveredAt, d.ReplayOf,
        [.. (JsonSerializer.Deserialize<List<WebhookAttempt>>(d.AttemptsJson, ApiJson.Options) ?? []).Select(a => new WebhookAttemptDto(a.At, a.StatusCode, a.Error, a.DurationMs))]);
}
