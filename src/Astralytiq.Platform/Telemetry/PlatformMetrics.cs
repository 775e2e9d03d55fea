using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Astralytiq.Platform.Telemetry;

/// <summary>
/// The kernel's spans and instruments. Every module names its own <see cref="ActivitySource"/> and <see cref="Meter"/>
/// <c>Astralytiq.&lt;Module&gt;</c>; the host subscribes to <c>Astralytiq.*</c>, so a module needs nothing else to be traced
/// and measured. Names follow OpenTelemetry's conventions (dotted, unit in the unit field, seconds for durations).
/// </summary>
internal static class PlatformMetrics
{
    public const string Name = "Astralytiq.Platform";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Due jobs waiting for a worker, across tenants, as the last readiness check counted them (-1: not counted yet).</summary>
    public static int QueueDepth { get; set; } = -1;

    public static readonly ObservableGauge<int> QueueDepthGauge = Meter.CreateObservableGauge<int>("astralytiq.jobs.queue_depth",
        () => QueueDepth < 0 ? Array.Empty<Measurement<int>>() : [new Measurement<int>(QueueDepth)], "{job}",
        "Due background jobs waiting for a worker, across tenants, as of the last readiness check (every Health:PeriodSeconds)");

    public static readonly Counter<long> JobsEnqueued = Meter.CreateCounter<long>("astralytiq.jobs.enqueued", "{job}",
        "Background jobs queued, by kind");

    public static readonly UpDownCounter<long> JobsRunning = Meter.CreateUpDownCounter<long>("astralytiq.jobs.running", "{job}",
        "Background jobs running on this node now, by kind");

    public static readonly Counter<long> JobAttempts = Meter.CreateCounter<long>("astralytiq.jobs.attempts", "{attempt}",
        "Job attempts that ended, by kind and outcome: succeeded, failed (bad input, not retried), retrying, dead_lettered, cancelled, interrupted (the node stopped)");

    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram("astralytiq.jobs.duration", "s",
        "How long a job attempt ran, by kind and outcome", advice: Seconds);

    public static readonly Histogram<double> JobQueueWait = Meter.CreateHistogram("astralytiq.jobs.queue_wait", "s",
        "Time from a job falling due to a worker starting it (the queue's age), by kind", advice: Seconds);

    public static readonly Histogram<double> OutboxLag = Meter.CreateHistogram("astralytiq.outbox.lag", "s",
        "Time from an event being written with its change to its handlers having run, by event and outcome", advice: Seconds);

    public static readonly Counter<long> Emails = Meter.CreateCounter<long>("astralytiq.emails", "{email}",
        "Emails handed on, by outcome: sent (to the mail server), failed, written_to_folder (no mail server configured)");

    public static readonly Counter<long> TenantRequests = Meter.CreateCounter<long>("astralytiq.tenant.requests", "{request}",
        "API requests of signed-in callers, by tenant and status class (2xx, 4xx, 5xx): the per-tenant usage counter");

    /// <summary>Bucket bounds for durations in seconds: 5 ms to 10 minutes.</summary>
    internal static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    /// <summary>The status class a Prometheus query groups by: 2xx, 3xx, 4xx or 5xx.</summary>
    public static string StatusClass(int status) => status switch
    {
        < 200 => "1xx",
        < 300 => "2xx",
        < 400 => "3xx",
        < 500 => "4xx",
        _ => "5xx",
    };
}

/// <summary>
/// Lookups in the platform's caches and how many missed (the value had to be computed), by cache name
/// (<c>session</c>, <c>query</c>, <c>profile</c>): the hit ratio is 1 − misses / lookups.
/// </summary>
public static class CacheMetrics
{
    private static readonly Counter<long> Lookups = PlatformMetrics.Meter.CreateCounter<long>("astralytiq.cache.lookups", "{lookup}",
        "Cache lookups, by cache (session, query, profile)");

    private static readonly Counter<long> Misses = PlatformMetrics.Meter.CreateCounter<long>("astralytiq.cache.misses", "{lookup}",
        "Cache lookups that had to compute the value, by cache; the hit ratio is 1 - misses / lookups");

    public static void Lookup(string cache) => Lookups.Add(1, new KeyValuePair<string, object?>("astralytiq.cache", cache));

    public static void Miss(string cache) => Misses.Add(1, new KeyValuePair<string, object?>("astralytiq.cache", cache));
}
