using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Quotas;

namespace Astralytiq.Platform.Alerting;

/// <summary>
/// A number alert rules can watch, for the current tenant (the caller sets the tenant scope). Modules register
/// theirs with <see cref="AlertMetricRegistration.AddAlertMetric{T}"/>; the Notifications module evaluates rules over them.
/// In the operator's partition (<see cref="PlatformPartition.Id"/>) a metric with <see cref="ForPlatform"/> reads the
/// whole platform; the others are not offered there.
/// </summary>
public interface IAlertMetric
{
    /// <summary>Whether the operator's rules can watch it across every tenant.</summary>
    bool ForPlatform => false;

    /// <summary>The name rules use, snake_case (<c>job_failures</c>).</summary>
    string Name { get; }

    /// <summary>What it measures, in people's words (shown when a rule is written).</summary>
    string Description { get; }

    /// <summary><c>count</c>, <c>seconds</c> or <c>percent</c>.</summary>
    string Unit { get; }

    /// <summary>The value over the window ending at <paramref name="now"/>; null when there is nothing to measure.</summary>
    Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken);
}

public static class AlertMetricRegistration
{
    public static IServiceCollection AddAlertMetric<T>(this IServiceCollection services)
        where T : class, IAlertMetric => services.AddScoped<IAlertMetric, T>();
}

/// <summary>
/// The operator's own partition: the platform operator's account, and what it owns (its alert rules, their history, its
/// inbox), live under this tenant id. No organisation has it, and only the operator signs in to it.
/// </summary>
public static class PlatformPartition
{
    public static readonly Guid Id = Guid.Empty;

    public static bool IsCurrent(ITenantContext tenant) => tenant.TenantId == Id;

    /// <summary>Lifts the tenant filter for a platform-wide read when the caller is in the operator's partition; otherwise nothing.</summary>
    public static IDisposable? WidenForPlatform(ITenantContext tenant) => IsCurrent(tenant) ? tenant.BeginSystemScope() : null;
}

/// <summary>Background jobs of the tenant (of kinds starting with a prefix, or all) that failed for good within the window.</summary>
public abstract class FailedJobsMetric(IServiceProvider services, string kindPrefix) : IAlertMetric
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public string Unit => "count";

    public bool ForPlatform => true;

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var platform = PlatformPartition.WidenForPlatform(services.GetRequiredService<ITenantContext>());
        var db = services.GetRequiredService<PlatformDbContext>();
        var since = now - window;
        return await db.Jobs.AsNoTracking()
            .Where(j => (j.Status == JobStatus.Failed || j.Status == JobStatus.DeadLettered) && j.FinishedAt > since && j.FinishedAt <= now
                && (kindPrefix == string.Empty || j.Kind.StartsWith(kindPrefix)))
            .CountAsync(cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class JobFailuresMetric(IServiceProvider services) : FailedJobsMetric(services, string.Empty)
{
    public override string Name => "job_failures";

    public override string Description => "Background jobs that failed for good (every retry used) in the window";
}

/// <summary>How long the tenant's oldest due job has waited to start.</summary>
internal sealed class QueueAgeMetric(PlatformDbContext db, ITenantContext tenant) : IAlertMetric
{
    public string Name => "queue_age";

    public string Description => "How long the oldest waiting background job has waited, in seconds";

    public string Unit => "seconds";

    public bool ForPlatform => true;

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var platform = PlatformPartition.WidenForPlatform(tenant);
        var oldest = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued && j.NextAttemptAt <= now)
            .OrderBy(j => j.NextAttemptAt).Select(j => (DateTimeOffset?)j.NextAttemptAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return oldest is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0;
    }
}

/// <summary>The largest share of any plan limit the tenant uses (storage, datasets, rows ingested this month), in percent.</summary>
internal sealed class QuotaUseMetric(IQuotas quotas) : IAlertMetric
{
    private static readonly string[] Limited = [QuotaMetrics.StorageBytes, QuotaMetrics.Datasets, QuotaMetrics.RowsIngested];

    public string Name => "quota_use";

    public string Description => "The largest share of a plan limit in use (storage, datasets, rows ingested this month), in percent";

    public string Unit => "percent";

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        double? most = null;
        foreach (var metric in Limited)
        {
            var usage = await quotas.UsageAsync(metric, cancellationToken).ConfigureAwait(false);
            if (usage.Limit is > 0 and var limit)
            {
                most = Math.Max(most ?? 0, 100.0 * usage.Used / limit);
            }
        }
        return most;
    }
}

/// <summary>A figure of the API requests in the window, from this node's <see cref="Telemetry.RequestStats"/> (at most the last hour): the tenant's, or the platform's in the operator's partition.</summary>
internal abstract class RequestMetric(Telemetry.RequestStats stats, ITenantContext tenant) : IAlertMetric
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public abstract string Unit { get; }

    public bool ForPlatform => true;

    public Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Pick(stats.Read(PlatformPartition.IsCurrent(tenant) ? null : tenant.TenantId, window, now)));

    protected abstract double? Pick(Telemetry.RequestWindow requests);
}

/// <summary>Server errors (5xx) as a share of the API requests in the window, in percent.</summary>
internal sealed class ErrorRateMetric(Telemetry.RequestStats stats, ITenantContext tenant) : RequestMetric(stats, tenant)
{
    public override string Name => "error_rate";

    public override string Description => "API requests that failed on the server's side (5xx) as a share of all, in percent (over at most the last hour)";

    public override string Unit => "percent";

    protected override double? Pick(Telemetry.RequestWindow requests) => requests.ErrorRatePercent;
}

/// <summary>The 99th percentile of API response times in the window, in milliseconds.</summary>
internal sealed class LatencyP99Metric(Telemetry.RequestStats stats, ITenantContext tenant) : RequestMetric(stats, tenant)
{
    public override string Name => "p99_latency";

    public override string Description => "How long the slowest 1 % of API requests took, in milliseconds (over at most the last hour)";

    public override string Unit => "milliseconds";

    protected override double? Pick(Telemetry.RequestWindow requests) => requests.P99Milliseconds;
}
