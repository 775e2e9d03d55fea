namespace Astralytiq.Contracts.Operations;

/// <summary>One minute of API traffic on the node that answered: requests, server errors (5xx) and the 99th percentile response time.</summary>
public sealed record TrafficMinuteDto(DateTimeOffset At, long Requests, long ServerErrors, double? P99Milliseconds);

/// <summary>The whole window: requests, server errors, their share in percent, and the median and 99th percentile response times.</summary>
public sealed record TrafficSummaryDto(long Requests, long ServerErrors, double? ErrorRatePercent, double? P50Milliseconds, double? P99Milliseconds);

/// <summary>Background work across every tenant: waiting, running, failed for good in the window, and how long the oldest due job has waited.</summary>
public sealed record JobFiguresDto(int Queued, int Running, int FailedInWindow, double? OldestWaitSeconds);

/// <summary>A request the server failed: when, the route, its status, and the ids that find its trace and its logs.</summary>
public sealed record RecentErrorDto(DateTimeOffset At, string Method, string Route, int Status, string TraceId, string RequestId, Guid? TenantId);

/// <summary>
/// The operator's status figures: this node's API traffic over the last <c>Minutes</c> minutes (kept in memory for an
/// hour), the job queue across tenants, and the latest server errors, newest first.
/// </summary>
public sealed record OperatorMetricsDto(
    int Minutes,
    TrafficSummaryDto Traffic,
    IReadOnlyList<TrafficMinuteDto> PerMinute,
    JobFiguresDto Jobs,
    IReadOnlyList<RecentErrorDto> RecentErrors);
