using Astralytiq.Platform.Quotas;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.Caching.Memory;

BenchmarkRunner.Run<MeterBench.MeterBenchmarks>(args: args);

namespace MeterBench
{

/// <summary>
/// The per-request work of metering an API call, without HTTP around it: the plan from the cache (a hit, as on every
/// request but the first of 30 s), then the hot meter's count (unlimited) or its limit check and count (limited), from
/// one thread and from two at once (this machine's cores).
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1063 // BenchmarkDotNet needs the class unsealed; nothing derives from it
public class MeterBenchmarks : IDisposable
#pragma warning restore CA1063
{
    private readonly HotMeter _hot = new(TimeProvider.System, new MeteringSettings());
    private readonly MemoryCache _cache = new(new MemoryCacheOptions());
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly Guid _user = Guid.NewGuid();
    private readonly TimeProvider _time = TimeProvider.System;
    private string _period = string.Empty;

    public void Dispose()
    {
        _cache.Dispose();
        GC.SuppressFinalize(this);
    }

    [GlobalSetup]
    public void Setup()
    {
        _cache.Set(PlanCache.Key(_tenant), "free");
        _period = QuotaService.PeriodOf(_time.GetUtcNow());
    }

    [Benchmark(Baseline = true, Description = "plan from the cache")]
    public string Plan() => _cache.TryGetValue(PlanCache.Key(_tenant), out string? plan) ? plan! : string.Empty;

    [Benchmark(Description = "count (unlimited)")]
    public void Count() => _hot.Add(_tenant, QuotaMetrics.ApiCalls, QuotaService.PeriodOf(_time.GetUtcNow()), _user, 1);

    [Benchmark(Description = "limit check and count")]
    public bool CheckAndCount()
    {
        var ok = _hot.TryAdd(new HotMeter.Cell(_tenant, QuotaMetrics.ApiCalls, QuotaService.PeriodOf(_time.GetUtcNow()), _user), 1, 0, long.MaxValue, out _);
        return ok && _hot.Known(new HotMeter.Counter(_tenant, QuotaMetrics.ApiCalls, _period)).Generation >= 0;
    }

    [Benchmark(Description = "count, two threads at once", OperationsPerInvoke = 2 * 10_000)]
    public void CountContended() => Parallel.For(0, 2, _ =>
    {
        for (var i = 0; i < 10_000; i++)
        {
            _hot.Add(_tenant, QuotaMetrics.ApiCalls, _period, _user, 1);
        }
    });
}
}
