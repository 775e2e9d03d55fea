using Microsoft.AspNetCore.Mvc;
using Astralytiq.Identity.Contracts;

namespace Astralytiq.Notifications.Alerts;

/// <summary>
/// <c>/api/v1/alerts</c>: the organisation's alert rules, their history, silences, and the metrics they can watch; and the
/// same for the platform operator at <c>/api/v1/operator/alerts</c>, whose rules live in the operator's partition and
/// watch the whole platform.
/// </summary>
internal static class AlertEndpoints
{
    /// <summary>Names the route and sets what it needs: the organisation's permission, or the operator's.</summary>
    private static RouteHandlerBuilder Access(this RouteHandlerBuilder route, AlertScope scope, Permission permission, string name) => scope == AlertScope.Platform
        ? route.RequirePermission(Permission.PlatformManage).WithName("Operator" + name)
        : route.RequirePermission(permission).WithName(name);

    public const int MaxRules = 100;
    public const int MaxRecipients = 50;
    public const int MaxSeriesPoints = 200;
    private static readonly int[] Intervals = [1, 2, 5, 10, 15, 30, 60];
    private static readonly string[] Comparisons = [">", ">=", "<", "<="];
    private static readonly string[] Severities = ["info", "warning", "critical"];

    public static void Map(RouteGroupBuilder alerts, AlertScope scope)
    {
        alerts.MapGet("/metrics", ListMetrics).Access(scope, Permission.SettingsRead, "ListAlertMetrics");
        alerts.MapGet("/metrics/{name}/series", Series).Access(scope, Permission.SettingsRead, "AlertMetricSeries");
        alerts.MapGet("/rules", ListRules).Access(scope, Permission.SettingsRead, "ListAlertRules");
        alerts.MapPost("/rules", CreateRule).Access(scope, Permission.SettingsManage, "CreateAlertRule").Audit("alert.rule.created", "alert_rule");
        alerts.MapGet("/rules/{id:guid}", GetRule).Access(scope, Permission.SettingsRead, "GetAlertRule");
        alerts.MapPut("/rules/{id:guid}", UpdateRule).Access(scope, Permission.SettingsManage, "UpdateAlertRule").Audit("alert.rule.updated", "alert_rule");
        alerts.MapDelete("/rules/{id:guid}", DeleteRule).Access(scope, Permission.SettingsManage, "DeleteAlertRule").Audit("alert.rule.deleted", "alert_rule");
        alerts.MapPost("/rules/{id:guid}/evaluate", EvaluateNow).Access(scope, Permission.SettingsManage, "EvaluateAlertRule");
        alerts.MapGet("/events", ListEvents).Access(scope, Permission.SettingsRead, "ListAlertEvents");
        alerts.MapGet("/silences", ListSilences).Access(scope, Permission.SettingsRead, "ListAlertSilences");
        alerts.MapPost("/silences", CreateSilence).Access(scope, Permission.SettingsManage, "CreateAlertSilence").Audit("alert.silence.created", "alert_silence");
        alerts.MapDelete("/silences/{id:guid}", EndSilence).Access(scope, Permission.SettingsManage, "EndAlertSilence").Audit("alert.silence.ended", "alert_silence");
    }

    [EndpointSummary("The metrics alert rules can watch, with what each measures and its unit")]
    private static Ok<IReadOnlyList<AlertMetricDto>> ListMetrics(OfferedAlertMetrics metrics) =>
        TypedResults.Ok<IReadOnlyList<AlertMetricDto>>([.. metrics.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new AlertMetricDto(m.Name, m.Description, m.Unit))]);

    [Errors(404)]
    [EndpointSummary("A metric's past values (each over the window ending then), newest last: the preview behind a threshold")]
    private static async Task<Results<Ok<AlertSeriesDto>, ApiError>> Series(
        string name, [FromQuery(Name = "window_minutes")] int? windowMinutes, [FromQuery(Name = "step_minutes")] int? stepMinutes, int? points, OfferedAlertMetrics metrics, TimeProvider time, CancellationToken ct)
    {
        var metric = metrics.FirstOrDefault(m => m.Name == name);
        if (metric is null)
        {
            return new ApiError(new NotFoundError("Metric"));
        }
        var errors = new FieldErrors();
        var (window, step, count) = (windowMinutes ?? 5, stepMinutes ?? windowMinutes ?? 5, points ?? 48);
        if (window is < 1 or > 1440)
        {
            errors.Add("window_minutes", "window_minutes must be between 1 and 1,440 (a day)");
        }
        if (step is < 1 or > 1440)
        {
            errors.Add("step_minutes", "step_minutes must be between 1 and 1,440 (a day)");
        }
        if (count is < 1 or > MaxSeriesPoints)
        {
            errors.Add("points", $"points must be between 1 and {MaxSeriesPoints}");
        }
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        var now = time.GetUtcNow();
        var result = new List<AlertPointDto>(count);
        for (var i = count - 1; i >= 0; i--)
        {
            var at = now.AddMinutes(-step * i);
            result.Add(new AlertPointDto(at, await metric.ReadAsync(TimeSpan.FromMinutes(window), at, ct).ConfigureAwait(false)));
        }
        return TypedResults.Ok(new AlertSeriesDto(name, window, result));
    }

    [EndpointSummary("The organisation's alert rules with where each stands (ok, pending, firing)")]
    private static async Task<Ok<IReadOnlyList<AlertRuleDto>>> ListRules(NotificationsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var rules = await db.AlertRules.AsNoTracking().Where(r => r.DeletedAt == null).OrderBy(r => r.Name).ToListAsync(ct).ConfigureAwait(false);
        var silences = await ActiveSilencesAsync(db, time.GetUtcNow(), ct).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<AlertRuleDto>>([.. rules.Select(r => ToDto(r, silences))]);
    }

    [Errors(404)]
    [EndpointSummary("One alert rule")]
    private static async Task<Results<Ok<AlertRuleDto>, ApiError>> GetRule(Guid id, NotificationsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var rule = await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.DeletedAt == null, ct).ConfigureAwait(false);
        return rule is null ? new ApiError(new NotFoundError("Alert rule")) : TypedResults.Ok(ToDto(rule, await ActiveSilencesAsync(db, time.GetUtcNow(), ct).ConfigureAwait(false)));
    }

    [Errors(409)]
    [EndpointSummary("Adds an alert rule (Admin); it is first evaluated at the next minute its interval falls on")]
    private static async Task<Results<Created<AlertRuleDto>, ApiError>> CreateRule(
        AlertRuleRequest request, NotificationsDbContext db, OfferedAlertMetrics metrics, IUserDirectory users, ITenantContext tenant, TimeProvider time,
        Astralytiq.Platform.Quotas.IQuotas quotas, CancellationToken ct)
    {
        if (await db.AlertRules.CountAsync(r => r.DeletedAt == null, ct).ConfigureAwait(false) >= MaxRules)
        {
            return new ApiError(new ConflictError($"An organisation can have at most {MaxRules} alert rules; delete one first"));
        }
        var now = time.GetUtcNow();
        var rule = new AlertRule { Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, CreatedBy = tenant.UserId, CreatedAt = now };
        if (await ApplyAsync(rule, request, isNew: true, metrics, users, now, ct).ConfigureAwait(false) is { } invalid)
        {
            return new ApiError(invalid);
        }
        // An organisation's rules count against its plan (the operator's own rules, outside every organisation, do not).
        var key = Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(NotificationsModule.AlertRuleCount, rule.Id);
        var counted = rule.TenantId != Guid.Empty;
        if (counted && await quotas.ConsumeAsync(Astralytiq.Platform.Quotas.QuotaMetrics.AlertRules, 1, key, ct).ConfigureAwait(false) is { IsSuccess: false } refused)
        {
            return new ApiError(refused.Error!);
        }
        db.AlertRules.Add(rule);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            if (counted)
            {
                await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.AlertRules, key, CancellationToken.None).ConfigureAwait(false);
            }
            throw;
        }
        return TypedResults.Created($"/api/v1/alerts/rules/{rule.Id}", ToDto(rule, []));
    }

    [Errors(404)]
    [EndpointSummary("Changes an alert rule (Admin); fields left out keep their values. A changed condition starts from ok.")]
    private static async Task<Results<Ok<AlertRuleDto>, ApiError>> UpdateRule(
        Guid id, AlertRuleRequest request, NotificationsDbContext db, OfferedAlertMetrics metrics, IUserDirectory users, TimeProvider time, CancellationToken ct)
    {
        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == id && r.DeletedAt == null, ct).ConfigureAwait(false);
        if (rule is null)
        {
            return new ApiError(new NotFoundError("Alert rule"));
        }
        var now = time.GetUtcNow();
        if (await ApplyAsync(rule, request, isNew: false, metrics, users, now, ct).ConfigureAwait(false) is { } invalid)
        {
            return new ApiError(invalid);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(ToDto(rule, await ActiveSilencesAsync(db, now, ct).ConfigureAwait(false)));
    }

    [Errors(404)]
    [EndpointSummary("Deletes an alert rule (Admin); its history stays")]
    private static async Task<Results<NoContent, ApiError>> DeleteRule(
        Guid id, NotificationsDbContext db, TimeProvider time, ITenantContext tenant, Astralytiq.Platform.Quotas.IQuotas quotas, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var deleted = await db.AlertRules.Where(r => r.Id == id && r.DeletedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.DeletedAt, now).SetProperty(r => r.NextRunAt, (DateTimeOffset?)null), ct).ConfigureAwait(false);
        if (deleted == 0)
        {
            return new ApiError(new NotFoundError("Alert rule"));
        }
        if (tenant.TenantId is { } tenantId && tenantId != Guid.Empty)
        {
            await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.AlertRules, Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(NotificationsModule.AlertRuleCount, id), ct).ConfigureAwait(false);
        }
        return TypedResults.NoContent();
    }

    [Errors(404)]
    [EndpointSummary("Evaluates a rule now, as its schedule would (Admin): the state it moves to is recorded and announced as usual")]
    private static async Task<Results<Ok<AlertRuleDto>, ApiError>> EvaluateNow(Guid id, NotificationsDbContext db, AlertEvaluator evaluator, TimeProvider time, CancellationToken ct)
    {
        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == id && r.DeletedAt == null, ct).ConfigureAwait(false);
        if (rule is null)
        {
            return new ApiError(new NotFoundError("Alert rule"));
        }
        await evaluator.EvaluateAsync(rule, ct).ConfigureAwait(false);
        return TypedResults.Ok(ToDto(rule, await ActiveSilencesAsync(db, time.GetUtcNow(), ct).ConfigureAwait(false)));
    }

    [Errors(422)]
    [EndpointSummary("Alert history, newest first: every rule's (or one rule's) pending, firing, resolved and cleared moments")]
    private static async Task<Results<Ok<Page<AlertEventDto>>, ApiError>> ListEvents([FromQuery(Name = "rule_id")] Guid? ruleId, int? offset, int? limit, NotificationsDbContext db, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        if (o < 0 || l is < 1 or > 200)
        {
            return new ApiError(ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200"));
        }
        var query = db.AlertEvents.AsNoTracking().Where(e => ruleId == null || e.RuleId == ruleId);
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        // Ids are version-7 GUIDs (time-ordered): newest first without sorting DateTimeOffset on SQLite.
        var items = await query.OrderByDescending(e => e.Id).Skip(o).Take(l).ToListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(new Page<AlertEventDto>([.. items.Select(e => new AlertEventDto(e.Id, e.RuleId, e.RuleName, e.Kind, e.At, e.Value, e.Threshold, e.Silenced, e.Notified, e.Message))], total, o, l));
    }

    [EndpointSummary("Silences that are active or still to come")]
    private static async Task<Ok<IReadOnlyList<AlertSilenceDto>>> ListSilences(NotificationsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.EndsAt > now).ToListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<AlertSilenceDto>>([.. silences.OrderBy(s => s.EndsAt).Select(s => ToDto(s, now))]);
    }

    [Errors(404)]
    [EndpointSummary("Silences one rule (or all) until a time (Admin): states still change and are recorded, nobody is told")]
    private static async Task<Results<Created<AlertSilenceDto>, ApiError>> CreateSilence(AlertSilenceRequest request, NotificationsDbContext db, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = new FieldErrors();
        if (request.EndsAt is not { } ends)
        {
            errors.Add("ends_at", "ends_at is required");
        }
        else if (ends <= now)
        {
            errors.Add("ends_at", "ends_at must be in the future");
        }
        else if (ends > now.AddDays(90))
        {
            errors.Add("ends_at", "a silence lasts at most 90 days");
        }
        errors.MaxLength("reason", request.Reason, 300);
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        if (request.RuleId is { } ruleId && !await db.AlertRules.AnyAsync(r => r.Id == ruleId && r.DeletedAt == null, ct).ConfigureAwait(false))
        {
            return new ApiError(new NotFoundError("Alert rule"));
        }
        var silence = new AlertSilence
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, RuleId = request.RuleId, Reason = request.Reason?.Trim() ?? string.Empty,
            StartsAt = now, EndsAt = request.EndsAt!.Value, CreatedBy = tenant.UserId,
        };
        db.AlertSilences.Add(silence);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/alerts/silences/{silence.Id}", ToDto(silence, now));
    }

    [Errors(404)]
    [EndpointSummary("Ends a silence now (Admin)")]
    private static async Task<Results<NoContent, ApiError>> EndSilence(Guid id, NotificationsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ended = await db.AlertSilences.Where(s => s.Id == id && s.EndsAt > now).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndsAt, now), ct).ConfigureAwait(false);
        return ended == 0 ? new ApiError(new NotFoundError("Silence")) : TypedResults.NoContent();
    }

    /// <summary>Checks a request and applies it to the rule; null when it was valid.</summary>
    private static async Task<ValidationError?> ApplyAsync(
        AlertRule rule, AlertRuleRequest request, bool isNew, OfferedAlertMetrics metrics, IUserDirectory users, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? (isNew ? null : rule.Name);
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name", "name is required");
        }
        errors.MaxLength("name", name, 200);
        var metric = request.Metric ?? (isNew ? null : rule.Metric);
        if (metric is null)
        {
            errors.Add("metric", "metric is required");
        }
        else if (!metrics.Any(m => m.Name == metric))
        {
            errors.Add("metric", $"metric must be one of {string.Join(", ", metrics.Select(m => m.Name).Order(StringComparer.Ordinal))}");
        }
        var comparison = request.Comparison ?? (isNew ? ">" : rule.Comparison);
        if (!Comparisons.Contains(comparison))
        {
            errors.Add("comparison", "comparison must be one of >, >=, < or <=");
        }
        var threshold = request.Threshold ?? (isNew ? null : rule.Threshold);
        if (threshold is null)
        {
            errors.Add("threshold", "threshold is required");
        }
        else if (!double.IsFinite(threshold.Value) || Math.Abs(threshold.Value) > 1e15)
        {
            errors.Add("threshold", "threshold must be a number between -1,000,000,000,000,000 and 1,000,000,000,000,000");
        }
        var window = request.WindowMinutes ?? (isNew ? 5 : rule.WindowMinutes);
        if (window is < 1 or > 1440)
        {
            errors.Add("window_minutes", "window_minutes must be between 1 and 1,440 (a day)");
        }
        var pending = request.PendingMinutes ?? (isNew ? 0 : rule.PendingMinutes);
        if (pending is < 0 or > 1440)
        {
            errors.Add("pending_minutes", "pending_minutes must be between 0 (fire at once) and 1,440 (a day)");
        }
        var every = request.EvaluateEveryMinutes ?? (isNew ? 1 : rule.EvaluateEveryMinutes);
        if (!Intervals.Contains(every))
        {
            errors.Add("evaluate_every_minutes", "evaluate_every_minutes must be one of 1, 2, 5, 10, 15, 30 or 60");
        }
        var severity = request.Severity ?? (isNew ? "warning" : rule.Severity);
        if (!Severities.Contains(severity))
        {
            errors.Add("severity", "severity must be info, warning or critical");
        }
        var channels = request.Channels ?? (isNew ? [NotifyChannels.InApp] : rule.ChannelList);
        if (channels.Count == 0)
        {
            errors.Add("channels", "name at least one channel: in_app, email, sms or webhook");
        }
        foreach (var channel in channels.Where(c => !NotifyChannels.All.Contains(c) && c != NotifyChannels.Sms))
        {
            errors.Add("channels", $"'{channel}' is not a channel; use in_app, email, sms or webhook");
        }
        var recipients = request.Recipients ?? (isNew ? [] : rule.Recipients);
        if (recipients.Count > MaxRecipients)
        {
            errors.Add("recipients", $"at most {MaxRecipients} recipients");
        }
        else
        {
            foreach (var id in recipients.Distinct())
            {
                if (await users.FindAsync(id, ct).ConfigureAwait(false) is null)
                {
                    errors.Add("recipients", $"{id} is not a user of this organisation");
                }
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var conditionChanged = !isNew && (metric != rule.Metric || comparison != rule.Comparison || threshold != rule.Threshold || window != rule.WindowMinutes || pending != rule.PendingMinutes);
        rule.Name = name!;
        rule.Metric = metric!;
        rule.Comparison = comparison;
        rule.Threshold = threshold!.Value;
        rule.WindowMinutes = window;
        rule.PendingMinutes = pending;
        rule.EvaluateEveryMinutes = every;
        rule.Severity = severity;
        rule.Channels = string.Join(',', channels.Distinct());
        rule.RecipientsJson = JsonSerializer.Serialize(recipients.Distinct().ToList());
        rule.Enabled = request.Enabled ?? (isNew || rule.Enabled);
        rule.Cron = AlertRule.CronFor(every);
        rule.NextRunAt = rule.Enabled ? CronSchedule.NextRun(rule.Cron, null, now) : null;
        if (conditionChanged || !rule.Enabled)
        {
            // A different question (or none asked): its answer starts afresh.
            rule.State = AlertStates.Ok;
            rule.StateSince = null;
        }
        rule.UpdatedAt = now;
        return null;
    }

    private static async Task<List<AlertSilence>> ActiveSilencesAsync(NotificationsDbContext db, DateTimeOffset now, CancellationToken ct) =>
        await db.AlertSilences.AsNoTracking().Where(s => s.StartsAt <= now && s.EndsAt > now).ToListAsync(ct).ConfigureAwait(false);

    internal static AlertRuleDto ToDto(AlertRule r, IReadOnlyCollection<AlertSilence> silences) => new(
        r.Id, r.Name, r.Metric, r.Comparison, r.Threshold, r.WindowMinutes, r.PendingMinutes, r.EvaluateEveryMinutes, r.Severity,
        r.ChannelList, r.Recipients, r.Enabled, r.State, r.StateSince, r.LastValue, r.LastEvaluatedAt, r.NextRunAt,
        silences.Any(s => s.RuleId == null || s.RuleId == r.Id), r.CreatedAt, r.UpdatedAt);

    private static AlertSilenceDto ToDto(AlertSilence s, DateTimeOffset now) => new(s.Id, s.RuleId, s.Reason, s.StartsAt, s.EndsAt, s.CreatedBy, s.StartsAt <= now && s.EndsAt > now);
}
