namespace Astralytiq.Contracts.Notifications;

/// <summary>
/// An alert rule: when <c>metric</c> over the last <c>window_minutes</c> compares to <c>threshold</c> as <c>comparison</c>
/// says, for at least <c>pending_minutes</c> (checked every <c>evaluate_every_minutes</c>), it fires; it resolves when the
/// condition no longer holds. Recipients (users of the organisation; the author when none) are told on <c>channels</c>.
/// </summary>
public sealed record AlertRuleRequest(
    string? Name,
    string? Metric,
    string? Comparison,
    double? Threshold,
    int? WindowMinutes,
    int? PendingMinutes,
    int? EvaluateEveryMinutes,
    string? Severity,
    IReadOnlyList<string>? Channels,
    IReadOnlyList<Guid>? Recipients,
    bool? Enabled);

public sealed record AlertRuleDto(
    Guid Id,
    string Name,
    string Metric,
    string Comparison,
    double Threshold,
    int WindowMinutes,
    int PendingMinutes,
    int EvaluateEveryMinutes,
    string Severity,
    IReadOnlyList<string> Channels,
    IReadOnlyList<Guid> Recipients,
    bool Enabled,
    string State,
    DateTimeOffset? StateSince,
    double? LastValue,
    DateTimeOffset? LastEvaluatedAt,
    DateTimeOffset? NextEvaluationAt,
    bool Silenced,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One change of a rule's state: <c>pending</c>, <c>firing</c>, <c>resolved</c> or <c>cleared</c> (pending that passed without firing).</summary>
public sealed record AlertEventDto(Guid Id, Guid RuleId, string RuleName, string Kind, DateTimeOffset At, double? Value, double Threshold, bool Silenced, bool Notified, string Message);

public sealed record AlertMetricDto(string Name, string Description, string Unit);

/// <summary>A metric's values at past times (each over the window ending then), to see where a threshold would have fired.</summary>
public sealed record AlertSeriesDto(string Metric, int WindowMinutes, IReadOnlyList<AlertPointDto> Points);

public sealed record AlertPointDto(DateTimeOffset At, double? Value);

/// <summary>Mutes notifications (of one rule, or all when <c>rule_id</c> is null) until <c>ends_at</c>; states still change and are recorded.</summary>
public sealed record AlertSilenceRequest(Guid? RuleId, string? Reason, DateTimeOffset? EndsAt);

public sealed record AlertSilenceDto(Guid Id, Guid? RuleId, string Reason, DateTimeOffset StartsAt, DateTimeOffset EndsAt, Guid? CreatedBy, bool Active);
