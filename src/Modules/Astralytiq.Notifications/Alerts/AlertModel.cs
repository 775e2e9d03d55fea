namespace Astralytiq.Notifications.Alerts;

/// <summary>An alert rule of a tenant and where its evaluation stands (see <see cref="AlertStateMachine"/>).</summary>
internal sealed class AlertRule : IRecurring
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Metric { get; set; } = string.Empty;

    public string Comparison { get; set; } = ">";

    public double Threshold { get; set; }

    public int WindowMinutes { get; set; } = 5;

    public int PendingMinutes { get; set; }

    public int EvaluateEveryMinutes { get; set; } = 1;

    public string Severity { get; set; } = "warning";

    /// <summary>Comma-separated channels (<c>in_app,email,webhook</c>).</summary>
    public string Channels { get; set; } = NotifyChannels.InApp;

    /// <summary>JSON array of user ids; empty means the author.</summary>
    public string RecipientsJson { get; set; } = "[]";

    public bool Enabled { get; set; } = true;

    public string State { get; set; } = AlertStates.Ok;

    /// <summary>When the current state began (pending since, firing since); null while ok.</summary>
    public DateTimeOffset? StateSince { get; set; }

    public double? LastValue { get; set; }

    public DateTimeOffset? LastEvaluatedAt { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public string? Cron { get; set; }

    public string? TimeZone { get; set; }

    public DateTimeOffset? NextRunAt { get; set; }

    public IReadOnlyList<string> ChannelList => Channels.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<Guid> Recipients => JsonSerializer.Deserialize<List<Guid>>(RecipientsJson) ?? [];

    /// <summary>Every N minutes, on the minute.</summary>
    public static string CronFor(int everyMinutes) => everyMinutes <= 1 ? "* * * * *" : everyMinutes >= 60 ? "0 * * * *" : $"*/{everyMinutes} * * * *";
}

/// <summary>One change of a rule's state, kept as its history.</summary>
internal sealed class AlertEvent : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid RuleId { get; set; }

    public string RuleName { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    public double? Value { get; set; }

    public double Threshold { get; set; }

    public bool Silenced { get; set; }

    public bool Notified { get; set; }

    public string Message { get; set; } = string.Empty;
}

/// <summary>Mutes notifications of one rule (or all) for a while.</summary>
internal sealed class AlertSilence : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid? RuleId { get; set; }

    public string Reason { get; set; } = string.Empty;

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    public Guid? CreatedBy { get; set; }
}

internal static class AlertStates
{
    public const string Ok = "ok";
    public const string Pending = "pending";
    public const string Firing = "firing";
}
