namespace Astralytiq.Dashboards.Reports;

/// <summary>A scheduled report of a dashboard or one widget: cron and time zone, formats, recipients, filters.</summary>
internal sealed class Report : IRecurring
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DashboardId { get; set; }

    public string? WidgetId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Cron { get; set; } = string.Empty;

    /// <summary>IANA time zone id the cron expression is read in.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Comma-separated: pdf, csv, xlsx.</summary>
    public string Formats { get; set; } = "pdf";

    /// <summary>JSON array of {user_id, email}.</summary>
    public string RecipientsJson { get; set; } = "[]";

    /// <summary>JSON array of dashboard filters (id:value).</summary>
    public string FiltersJson { get; set; } = "[]";

    public string? Message { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The next time the schedule fires, in UTC; the scheduler claims a run by moving it forward.</summary>
    public DateTimeOffset? NextRunAt { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>One run of a report, with what it made and to whom it went; kept as the report's history.</summary>
internal sealed class ReportRun : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ReportId { get; set; }

    /// <summary>schedule or manual.</summary>
    public string Trigger { get; set; } = "manual";

    /// <summary>queued, running, succeeded or failed.</summary>
    public string Status { get; set; } = "queued";

    public int Attempts { get; set; }

    /// <summary>For a scheduled run, the occurrence it stands for.</summary>
    public DateTimeOffset? ScheduledFor { get; set; }

    public DateTimeOffset QueuedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? Error { get; set; }

    public Guid? JobId { get; set; }

    /// <summary>JSON array of {name, format, bytes}: files stored (encrypted) for this run.</summary>
    public string FilesJson { get; set; } = "[]";

    /// <summary>JSON array of the addresses delivered to (a retry does not send to them again).</summary>
    public string DeliveredJson { get; set; } = "[]";

    /// <summary>JSON object dataset id → version the numbers were computed from.</summary>
    public string VersionsJson { get; set; } = "{}";
}

/// <summary>An address that asked (through the link in a report email) to get no more of one report.</summary>
internal sealed class ReportUnsubscribe : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ReportId { get; set; }

    /// <summary>Lower-case address.</summary>
    public string Email { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
}
