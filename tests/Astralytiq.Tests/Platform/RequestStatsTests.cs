using Astralytiq.Platform.Telemetry;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace Astralytiq.Tests.Platform;

/// <summary>One answered request: which tenant (0 = none), which minute after the start, its status and how long it took.</summary>
public sealed record TrafficSample(int Tenant, int Minute, int Status, double Milliseconds);

public static class TrafficSamples
{
    public static Arbitrary<TrafficSample[]> Traffic() =>
        (from tenant in Gen.Choose(0, 3)
         from minute in Gen.Choose(0, 100)
         from status in Gen.Elements(200, 201, 204, 400, 404, 422, 500, 503)
         from ms in Gen.Frequency((6, Gen.Choose(0, 40).Select(v => v / 4.0)), (3, Gen.Choose(10, 900).Select(v => (double)v)), (1, Gen.Choose(1_000, 200_000).Select(v => (double)v)))
         select new TrafficSample(tenant, minute, status, ms)).ArrayOf().Select(a => a.OrderBy(s => s.Minute).ToArray()).ToArbitrary();
}

/// <summary>The node-local request statistics behind error-rate and latency alerts and the operator's status page.</summary>
public sealed class RequestStatsTests
{
    private static readonly Guid[] Tenants = [Guid.Empty, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    /// <summary>
    /// P31 (node-local figures): over generated traffic, every window's request and 5xx counts are exactly the requests of
    /// its minutes (for each tenant and for the platform, only the last hour kept), and its p99 lies in the latency bucket
    /// that holds the true 99th percentile (nearest rank).
    /// </summary>
    [Property(MaxTest = 200, Arbitrary = [typeof(TrafficSamples)])]
    public void P31_request_windows_count_exactly_the_traffic_sent_and_place_p99_in_its_bucket(TrafficSample[] traffic)
    {
        var start = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var stats = new RequestStats(clock);
        foreach (var sample in traffic)
        {
            clock.SetUtcNow(start.AddMinutes(sample.Minute).AddSeconds(30));
            stats.Record(sample.Tenant == 0 ? null : Tenants[sample.Tenant], sample.Status, sample.Milliseconds);
        }
        var now = start.AddMinutes(100).AddSeconds(59);
        foreach (var window in new[] { 1, 5, 15, 60, 240 })
        {
            var first = 100 - Math.Min(window, RequestStats.Minutes) + 1;
            foreach (var tenant in new int?[] { null, 1, 2, 3 })
            {
                var sent = traffic.Where(s => s.Minute >= first && (tenant is null || s.Tenant == tenant)).ToList();
                var read = stats.Read(tenant is null ? null : Tenants[tenant.Value], TimeSpan.FromMinutes(window), now);
                Assert.Equal(sent.Count, read.Requests);
                Assert.Equal(sent.Count(s => s.Status >= 500), read.ServerErrors);
                if (sent.Count == 0)
                {
                    Assert.Null(read.P99Milliseconds);
                    Assert.Null(read.ErrorRatePercent);
                    continue;
                }
                Assert.Equal(100.0 * sent.Count(s => s.Status >= 500) / sent.Count, read.ErrorRatePercent!.Value, 9);
                var sorted = sent.Select(s => s.Milliseconds).Order().ToList();
                var truth = sorted[(int)Math.Ceiling(0.99 * sorted.Count) - 1];
                var bucket = Array.FindIndex(RequestStats.Bounds, b => truth <= b);
                var (low, high) = (bucket == 0 ? 0 : RequestStats.Bounds[bucket - 1], RequestStats.Bounds[bucket]);
                Assert.InRange(read.P99Milliseconds!.Value, low, double.IsPositiveInfinity(high) ? low : high);
            }
        }
        var perMinute = stats.PerMinute(null, 60, now);
        Assert.Equal(60, perMinute.Count);
        Assert.Equal(traffic.Count(s => s.Minute > 40), perMinute.Sum(m => m.Requests));
    }

    [Fact]
    public void Recent_errors_keep_the_latest_hundred_newest_first()
    {
        var stats = new RequestStats(new FakeTimeProvider());
        for (var i = 0; i < 130; i++)
        {
            stats.RecordError("GET", $"/api/v1/things/{i}", 500, $"req-{i}", null);
        }
        var errors = stats.RecentErrors();
        Assert.Equal(RequestStats.RecentErrorsKept, errors.Count);
        Assert.Equal(("req-129", "req-30"), (errors[0].RequestId, errors[^1].RequestId));
    }
}
