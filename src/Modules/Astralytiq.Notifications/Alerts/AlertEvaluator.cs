namespace Astralytiq.Notifications.Alerts;

/// <summary>
/// Evaluates one rule: reads its metric over the window, steps its state (<see cref="AlertStateMachine"/>), records each
/// transition in the history, and announces firing and resolution (once each) to the rule's recipients on its channels
/// unless a silence covers the rule. Run by the shared schedule service at each of the rule's evaluation times.
/// </summary>
internal sealed partial class AlertEvaluator(
    NotificationsDbContext db,
    OfferedAlertMetrics metrics,
    INotify notify,
    TimeProvider time,
    ILogger<AlertEvaluator> logger) : IOccurrenceHandler<AlertRule>
{
    public async Task StartAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == occurrence.SubjectId && r.DeletedAt == null && r.Enabled, cancellationToken).ConfigureAwait(false);
        if (rule is not null)
        {
            await EvaluateAsync(rule, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task<AlertTransition> EvaluateAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var metric = metrics.FirstOrDefault(m => m.Name == rule.Metric);
        var value = metric is null ? null : await metric.ReadAsync(TimeSpan.FromMinutes(rule.WindowMinutes), now, cancellationToken).ConfigureAwait(false);
        var holds = AlertStateMachine.Holds(rule.Comparison, rule.Threshold, value);
        var (next, transition) = AlertStateMachine.Step(new AlertStanding(rule.State, rule.StateSince), holds, now, TimeSpan.FromMinutes(rule.PendingMinutes));
        rule.State = next.State;
        rule.StateSince = next.Since;
        rule.LastValue = value;
        rule.LastEvaluatedAt = now;
        if (transition == AlertTransition.None)
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return transition;
        }
        var announce = transition is AlertTransition.Firing or AlertTransition.Resolved;
        var silenced = announce && await db.AlertSilences.AnyAsync(s => (s.RuleId == null || s.RuleId == rule.Id) && s.StartsAt <= now && s.EndsAt > now, cancellationToken).ConfigureAwait(false);
        var message = Describe(rule, transition, value, metric?.Unit);
        db.AlertEvents.Add(new AlertEvent
        {
            Id = Guid.CreateVersion7(now), TenantId = rule.TenantId, RuleId = rule.Id, RuleName = rule.Name, Kind = transition.ToString().ToLowerInvariant(),
            At = now, Value = value, Threshold = rule.Threshold, Silenced = silenced, Notified = announce && !silenced, Message = message,
        });
        LogTransition(logger, rule.Id, rule.Name, transition, value);
        if (!announce || silenced)
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return transition;
        }
        // Saves the state and the event together with the emails and webhook deliveries it queues.
        var firing = transition == AlertTransition.Firing;
        await notify.NotifyAsync(new NotifyRequest(
            firing ? "alert.firing" : "alert.resolved",
            rule.Recipients.Count > 0 ? rule.Recipients : rule.CreatedBy is { } author ? [author] : [],
            (firing ? "Alert firing: " : "Alert resolved: ") + rule.Name,
            message,
            $"/alerts?rule={rule.Id}",
            firing ? SeverityOf(rule.Severity) : NotifySeverity.Info,
            new Dictionary<string, object?>
            {
                ["rule_id"] = rule.Id,
                ["rule_name"] = rule.Name,
                ["state"] = firing ? "firing" : "resolved",
                ["metric"] = rule.Metric,
                ["value"] = value,
                ["comparison"] = rule.Comparison,
                ["threshold"] = rule.Threshold,
                ["window_minutes"] = rule.WindowMinutes,
                ["severity"] = rule.Severity,
                ["unit"] = metric?.Unit,
            },
            rule.ChannelList), cancellationToken).ConfigureAwait(false);
        return transition;
    }

    internal static NotifySeverity SeverityOf(string severity) => severity switch
    {
        "critical" => NotifySeverity.Critical,
        "warning" => NotifySeverity.Warning,
        _ => NotifySeverity.Info,
    };

    /// <summary>"job_failures was 12 over the last 5 minutes (threshold: above 10)".</summary>
    internal static string Describe(AlertRule rule, AlertTransition transition, double? value, string? unit)
    {
        var shown = value is { } v ? Number(v, unit) : "no data";
        var condition = rule.Comparison switch
        {
            ">" => "above",
            ">=" => "at or above",
            "<" => "below",
            _ => "at or below",
        } + " " + Number(rule.Threshold, unit);
        var window = rule.WindowMinutes == 1 ? "the last minute" : $"the last {rule.WindowMinutes.ToString("#,0", CultureInfo.InvariantCulture)} minutes";
        return transition switch
        {
            AlertTransition.Firing => $"{rule.Metric} is {shown} over {window}, {condition}" + (rule.PendingMinutes > 0 ? $" for {rule.PendingMinutes.ToString("#,0", CultureInfo.InvariantCulture)} minute{(rule.PendingMinutes == 1 ? string.Empty : "s")} now." : "."),
            AlertTransition.Resolved => $"{rule.Metric} is {shown} over {window}; no longer {condition}.",
            AlertTransition.Pending => $"{rule.Metric} is {shown} over {window}, {condition}; firing if it stays so for {rule.PendingMinutes.ToString("#,0", CultureInfo.InvariantCulture)} minute{(rule.PendingMinutes == 1 ? string.Empty : "s")}.",
            _ => $"{rule.Metric} is {shown} over {window}; no longer {condition} before the pending period ended.",
        };
    }

    /// <summary>A value for people: thousands separators, at most two decimals, the unit's sign.</summary>
    internal static string Number(double value, string? unit) => Delivery.EmailTemplates.Number(value, unit, CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert rule {RuleId} ({Name}): {Transition} at value {Value}")]
    private static partial void LogTransition(ILogger logger, Guid ruleId, string name, AlertTransition transition, double? value);
}
