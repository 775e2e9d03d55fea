using System.Collections.Concurrent;
using System.Diagnostics;

namespace Astralytiq.Platform.Telemetry;

/// <summary>What the API answered over a window: requests, how many failed on the server's side (5xx), and latency percentiles.</summary>
public sealed record RequestWindow(long Requests, long ServerErrors, double? P50Milliseconds, double? P99Milliseconds)
{
    /// <summary>Server errors as a percentage of requests; null with no requests.</summary>
    public double? ErrorRatePercent => Requests == 0 ? null : 100.0 * ServerErrors / Requests;
}

/// <summary>One minute of <see cref="RequestStats"/>.</summary>
public sealed record RequestMinute(DateTimeOffset At, long Requests, long ServerErrors, double? P99Milliseconds);

/// <summary>An API request the server failed (5xx): when, what, and the ids to find its trace and logs.</summary>
public sealed record RecentError(DateTimeOffset At, string Method, string Route, int Status, string TraceId, string RequestId, Guid? TenantId);

/// <summary>
/// Rolling per-minute statistics of this node's API requests, for the whole platform and per tenant, over the last
/// <see cref="Minutes"/> minutes: counts, server errors and a latency histogram (fixed buckets from 1 ms to 2 min; a
/// percentile is interpolated inside its bucket, as Prometheus' histogram_quantile does). Alert rules on error rate and
/// p99 latency, and the operator's status page, read it. The Prometheus histograms stay the source for dashboards across
/// nodes; this is the node-local view that needs no scraper.
/// </summary>
public sealed class RequestStats(TimeProvider time)
{
    public const int Minutes = 60;
    public const int RecentErrorsKept = 100;

    /// <summary>Upper bounds of the latency buckets, in milliseconds (the last is open).</summary>
    internal static readonly double[] Bounds =
        [1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 30_000, 60_000, 120_000, double.PositiveInfinity];

    private readonly Series _all = new();
    private readonly ConcurrentDictionary<Guid, Series> _tenants = new();
    private readonly ConcurrentQueue<RecentError> _errors = new();

    public void Record(Guid? tenantId, int status, double milliseconds)
    {
        var minute = MinuteOf(time.GetUtcNow());
        var bucket = Array.FindIndex(Bounds, b => milliseconds <= b);
        var failed = status >= 500;
        _all.Add(minute, bucket, failed);
        if (tenantId is { } id)
        {
            _tenants.GetOrAdd(id, _ => new Series()).Add(minute, bucket, failed);
            if (_tenants.Count > 10_000 && minute % 10 == 0)
            {
                Sweep(minute);
            }
        }
    }

    public void RecordError(string method, string route, int status, string requestId, Guid? tenantId, string? traceId = null)
    {
        _errors.Enqueue(new RecentError(time.GetUtcNow(), method, route, status, traceId ?? Activity.Current?.TraceId.ToHexString() ?? string.Empty, requestId, tenantId));
        while (_errors.Count > RecentErrorsKept && _errors.TryDequeue(out _))
        {
        }
    }

    /// <summary>The latest server errors, newest first (all tenants, or one).</summary>
    public IReadOnlyList<RecentError> RecentErrors(Guid? tenantId = null) =>
        [.. _errors.Where(e => tenantId is null || e.TenantId == tenantId).Reverse()];

    /// <summary>The requests of the window ending at <paramref name="now"/> (whole minutes, at most <see cref="Minutes"/>); null tenant: the platform.</summary>
    public RequestWindow Read(Guid? tenantId, TimeSpan window, DateTimeOffset now)
    {
        var series = tenantId is { } id ? _tenants.GetValueOrDefault(id) : _all;
        if (series is null)
        {
            return new RequestWindow(0, 0, null, null);
        }
        var last = MinuteOf(now);
        var span = Math.Clamp((int)Math.Ceiling(window.TotalMinutes), 1, Minutes);
        var histogram = new long[Bounds.Length];
        var (requests, errors) = series.Sum(last - span + 1, last, histogram);
        return new RequestWindow(requests, errors, Quantile(histogram, requests, 0.50), Quantile(histogram, requests, 0.99));
    }

    /// <summary>Minute by minute, oldest first, ending at the minute of <paramref name="now"/>.</summary>
    public IReadOnlyList<RequestMinute> PerMinute(Guid? tenantId, int minutes, DateTimeOffset now)
    {
        var series = tenantId is { } id ? _tenants.GetValueOrDefault(id) : _all;
        var last = MinuteOf(now);
        var result = new List<RequestMinute>();
        var histogram = new long[Bounds.Length];
        for (var m = last - Math.Clamp(minutes, 1, Minutes) + 1; m <= last; m++)
        {
            Array.Clear(histogram);
            var (requests, errors) = series?.Sum(m, m, histogram) ?? (0, 0);
            result.Add(new RequestMinute(DateTimeOffset.FromUnixTimeSeconds(m * 60), requests, errors, Quantile(histogram, requests, 0.99)));
        }
        return result;
    }

    internal static double? Quantile(long[] histogram, long count, double q)
    {
        if (count == 0)
        {
            return null;
        }
        var rank = q * count;
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            if (histogram[i] == 0 || seen + histogram[i] < rank)
            {
                seen += histogram[i];
                continue;
            }
            var lower = i == 0 ? 0 : Bounds[i - 1];
            if (double.IsPositiveInfinity(Bounds[i]))
            {
                return lower;
            }
            // Microseconds are as fine as the buckets allow; more digits would only be floating-point noise.
            return Math.Round(lower + (Bounds[i] - lower) * ((rank - seen) / histogram[i]), 3);
        }
        return Bounds[^2];
    }

    private static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    private void Sweep(long minute)
    {
        foreach (var (id, series) in _tenants)
        {
            if (series.LastMinute < minute - Minutes)
            {
                _tenants.TryRemove(id, out _);
            }
        }
    }

    /// <summary>A ring of minutes; each slot knows which minute it holds, so a stale slot is reset on first use.</summary>
    private sealed class Series
    {
        private readonly long[] _minute = new long[Minutes];
        private readonly long[] _requests = new long[Minutes];
        private readonly long[] _errors = new long[Minutes];
        private readonly long[,] _histogram = new long[Minutes, Bounds.Length];
        private readonly Lock _lock = new();

        public long LastMinute { get; private set; }

        public void Add(long minute, int bucket, bool failed)
        {
            var slot = (int)(minute % Minutes);
            lock (_lock)
            {
                if (_minute[slot] != minute)
                {
                    _minute[slot] = minute;
                    _requests[slot] = 0;
                    _errors[slot] = 0;
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        _histogram[slot, b] = 0;
                    }
                }
                _requests[slot]++;
                _errors[slot] += failed ? 1 : 0;
                _histogram[slot, bucket]++;
                LastMinute = Math.Max(LastMinute, minute);
            }
        }

        public (long Requests, long Errors) Sum(long from, long to, long[] histogram)
        {
            long requests = 0, errors = 0;
            lock (_lock)
            {
                for (var minute = from; minute <= to; minute++)
                {
                    var slot = (int)(((minute % Minutes) + Minutes) % Minutes);
                    if (_minute[slot] != minute)
                    {
                        continue;
                    }
                    requests += _requests[slot];
                    errors += _errors[slot];
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        histogram[b] += _histogram[slot, b];
                    }
                }
            }
            return (requests, errors);
        }
    }
}
