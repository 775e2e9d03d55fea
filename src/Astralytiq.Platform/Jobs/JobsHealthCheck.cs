namespace Astralytiq.Platform.Jobs;

/// <summary>
/// When this node's job workers last showed life (a poll or a lease heartbeat). Measured on a monotonic
/// clock of its own: liveness is about real elapsed time, not the platform clock that tests move.
/// </summary>
internal sealed class JobRunnerStatus(TimeProvider monotonic)
{
    private long _lastActivity = -1;

    public void Touch() => Interlocked.Exchange(ref _lastActivity, monotonic.GetTimestamp());

    /// <summary>How long ago the runner last showed life; null before its first poll.</summary>
    public TimeSpan? SinceLastActivity
    {
        get
        {
            var last = Interlocked.Read(ref _lastActivity);
            return last < 0 ? null : monotonic.GetElapsedTime(last);
        }
    }
}

/// <summary>
/// Readiness of background work: this node's runner is polling (unhealthy when it has stalled), and the
/// shared queue is not backing up (degraded when due jobs have waited over five minutes).
/// </summary>
internal sealed class JobsHealthCheck(JobRunnerStatus status, JobSettings settings, IServiceProvider services, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        int overdue, deadLettered, due;
        await using (var scope = services.CreateAsyncScope())
        {
            using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            var overdueBefore = now - OverdueAfter;
            var since = now.AddDays(-1);
            overdue = await db.Jobs.CountAsync(j => j.Status == JobStatus.Queued && j.NextAttemptAt <= overdueBefore, cancellationToken).ConfigureAwait(false);
            deadLettered = await db.Jobs.CountAsync(j => j.Status == JobStatus.DeadLettered && j.FinishedAt >= since, cancellationToken).ConfigureAwait(false);
            due = await db.Jobs.CountAsync(j => j.Status == JobStatus.Queued && j.NextAttemptAt <= now, cancellationToken).ConfigureAwait(false);
        }
        // The queue-depth gauge reads this figure: a scrape never costs a query.
        Telemetry.PlatformMetrics.QueueDepth = due;
        return Evaluate(settings, status.SinceLastActivity, overdue, deadLettered);
    }

    /// <summary>The verdict, apart from where its inputs come from.</summary>
    internal static HealthCheckResult Evaluate(JobSettings settings, TimeSpan? sinceLastActivity, int overdue, int deadLettered)
    {
        var data = new Dictionary<string, object>
        {
            ["overdue_jobs"] = overdue,
            ["dead_lettered_24h"] = deadLettered,
        };
        if (!settings.Enabled)
        {
            data["runner"] = "disabled on this node";
        }
        else
        {
            // A worker polls every PollMilliseconds when idle and renews its lease every LeaseSeconds/3 when busy.
            var stalledAfter = TimeSpan.FromSeconds(Math.Max(30, settings.LeaseSeconds)) + TimeSpan.FromMilliseconds(settings.PollMilliseconds);
            if (sinceLastActivity is not { } age || age > stalledAfter)
            {
                data["runner"] = sinceLastActivity is { } a ? $"silent for {a.TotalSeconds:0} s" : "not started";
                return HealthCheckResult.Unhealthy("The job runner on this node has stalled", data: data);
            }
            data["runner"] = "polling";
        }
        return overdue > 0
            ? HealthCheckResult.Degraded($"{overdue} job(s) have waited more than {OverdueAfter.TotalMinutes:0} minutes", data: data)
            : HealthCheckResult.Healthy("Background jobs are flowing", data);
    }
}
