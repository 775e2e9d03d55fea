using Astralytiq.Contracts.Operations;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Telemetry;

namespace Astralytiq.Platform.Health;

/// <summary><c>/api/v1/operator/metrics</c>: the figures behind the operator's status page.</summary>
internal static class OperatorMetricsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet("/operator/metrics", Get).WithTags("Operator").RequirePermission(Permission.PlatformManage)
            .ForModule(PlatformDbContext.Module).ProducesErrors(401, 403, 429);

    [EndpointName("OperatorMetrics"), Errors(422)]
    [EndpointSummary("This node's API traffic minute by minute (requests, 5xx, p99), the job queue across tenants, and the latest server errors with trace ids")]
    private static async Task<Results<Ok<OperatorMetricsDto>, ApiError>> Get(
        int? minutes, RequestStats stats, PlatformDbContext db, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var span = minutes ?? RequestStats.Minutes;
        if (span is < 1 or > RequestStats.Minutes)
        {
            return new ApiError(new FieldErrors().Add("minutes", $"minutes must be between 1 and {RequestStats.Minutes} (the node keeps an hour)").ToError());
        }
        var now = time.GetUtcNow();
        var window = stats.Read(null, TimeSpan.FromMinutes(span), now);
        var since = now.AddMinutes(-span);
        JobFiguresDto jobs;
        using (tenant.BeginSystemScope())
        {
            var queued = await db.Jobs.AsNoTracking().CountAsync(j => j.Status == JobStatus.Queued, ct).ConfigureAwait(false);
            var running = await db.Jobs.AsNoTracking().CountAsync(j => j.Status == JobStatus.Running, ct).ConfigureAwait(false);
            var failed = await db.Jobs.AsNoTracking().CountAsync(j => (j.Status == JobStatus.Failed || j.Status == JobStatus.DeadLettered) && j.FinishedAt > since, ct).ConfigureAwait(false);
            var oldest = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued && j.NextAttemptAt <= now)
                .OrderBy(j => j.NextAttemptAt).Select(j => (DateTimeOffset?)j.NextAttemptAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            jobs = new JobFiguresDto(queued, running, failed, oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : null);
        }
        return TypedResults.Ok(new OperatorMetricsDto(
            span,
            new TrafficSummaryDto(window.Requests, window.ServerErrors, window.ErrorRatePercent, window.P50Milliseconds, window.P99Milliseconds),
            [.. stats.PerMinute(null, span, now).Select(m => new TrafficMinuteDto(m.At, m.Requests, m.ServerErrors, m.P99Milliseconds))],
            jobs,
            [.. stats.RecentErrors().Take(50).Select(e => new RecentErrorDto(e.At, e.Method, e.Route, e.Status, e.TraceId, e.RequestId, e.TenantId))]));
    }
}
