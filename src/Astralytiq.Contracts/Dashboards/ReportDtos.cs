namespace Astralytiq.Contracts.Dashboards;

/// <summary>Who receives a report: a user of the tenant (by id) or an email address.</summary>
public sealed record ReportRecipientDto(Guid? UserId = null, string? Email = null);

/// <summary>
/// A scheduled report of a dashboard (or one of its widgets, <see cref="WidgetId"/>): when (a five-field cron expression read
/// in <see cref="TimeZone"/>, an IANA zone, UTC when not given), which files (pdf, csv, xlsx) and to whom; dashboard filters as
/// on the widget data endpoint (<c>id:value</c>, <c>id:from..to</c>). Each run uses the data current at run time.
/// </summary>
public sealed record ReportRequest(
    string Name,
    Guid DashboardId,
    string Cron,
    IReadOnlyList<string> Formats,
    IReadOnlyList<ReportRecipientDto> Recipients,
    string? TimeZone = null,
    string? WidgetId = null,
    IReadOnlyList<string>? Filters = null,
    string? Message = null,
    bool Enabled = true);

/// <summary>A recipient as resolved: the address mail goes to, and whether they unsubscribed from this report.</summary>
public sealed record ReportRecipientView(Guid? UserId, string Email, bool Unsubscribed);

public sealed record ReportDto(
    Guid Id,
    string Name,
    Guid DashboardId,
    string? WidgetId,
    string Cron,
    string TimeZone,
    IReadOnlyList<string> Formats,
    IReadOnlyList<ReportRecipientView> Recipients,
    IReadOnlyList<string> Filters,
    string? Message,
    bool Enabled,
    DateTimeOffset? NextRunAt,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ReportRunDto? LastRun = null);

/// <summary>A file a run made (download it from <see cref="Path"/> while the run is kept).</summary>
public sealed record ReportFileDto(string Name, string Format, long Bytes, string Path);

/// <summary>
/// One run of a report: trigger (schedule or manual), status (queued, running, succeeded, failed), attempts made, the files
/// it made, who it was delivered to, the dataset versions its numbers come from, and for a scheduled run the occurrence it stands for.
/// </summary>
public sealed record ReportRunDto(
    Guid Id,
    Guid ReportId,
    string Trigger,
    string Status,
    int Attempts,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    Guid? JobId,
    IReadOnlyList<ReportFileDto> Files,
    IReadOnlyList<string> DeliveredTo,
    IReadOnlyDictionary<string, int> DatasetVersions,
    DateTimeOffset? ScheduledFor = null);

public sealed record UnsubscribeRequest(string Token);

public sealed record UnsubscribeResponse(string ReportName, string Email);
