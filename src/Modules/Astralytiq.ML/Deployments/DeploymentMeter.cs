using System.Collections.Concurrent;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Deployments;

/// <summary>
/// Counts each variant's traffic in memory, by minute (requests, rows, errors, latency histogram, what it predicted),
/// and writes this node's totals to <see cref="DeploymentStat"/> rows every <see cref="FlushEvery"/> and before every
/// metrics read on this node. A minute's cell is dropped from memory once written after the minute ended.
/// </summary>
internal sealed class DeploymentMeter(TimeProvider time)
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(10);

    public string Node { get; } = Guid.NewGuid().ToString("N")[..12];

    internal readonly record struct CellKey(Guid Tenant, Guid Deployment, string Variant, bool Shadow, DateTimeOffset Minute);

    internal sealed class Cell
    {
        public readonly long[] Latency = new long[LatencyHistogram.Buckets];
        public readonly Dictionary<string, long> Classes = new(StringComparer.Ordinal);
        public long Requests, Rows, Errors, ValueCount, Version;
        public double LatencySumMs, ValueSum, ValueSumSquares, ValueMin = double.PositiveInfinity, ValueMax = double.NegativeInfinity;
        public long WrittenVersion = -1;
    }

    private readonly ConcurrentDictionary<CellKey, Cell> _cells = new();

    public static DateTimeOffset MinuteOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    /// <summary>One request of a variant: its rows, whether it failed, how long it took and what it predicted (numbers or class labels).</summary>
    public void Record(Guid tenant, Guid deployment, string variant, bool shadow, int rows, bool failed, double ms, IReadOnlyList<double>? values, IReadOnlyList<string>? classes)
    {
        var cell = _cells.GetOrAdd(new CellKey(tenant, deployment, variant, shadow, MinuteOf(time.GetUtcNow())), _ => new Cell());
        lock (cell)
        {
            cell.Requests++;
            cell.Rows += rows;
            cell.Errors += failed ? 1 : 0;
            cell.LatencySumMs += ms;
            cell.Latency[LatencyHistogram.Bucket(ms)]++;
            foreach (var v in values ?? [])
            {
                cell.ValueCount++;
                cell.ValueSum += v;
                cell.ValueSumSquares += v * v;
                cell.ValueMin = Math.Min(cell.ValueMin, v);
                cell.ValueMax = Math.Max(cell.ValueMax, v);
            }
            foreach (var c in classes ?? [])
            {
                cell.Classes[c] = cell.Classes.GetValueOrDefault(c) + 1;
            }
            cell.Version++;
        }
    }

    /// <summary>The cells changed since they were last written, as rows to write (this node's totals of each minute).</summary>
    internal List<(CellKey Key, Cell Cell, long Version, DeploymentStat Row)> Changed()
    {
        var list = new List<(CellKey, Cell, long, DeploymentStat)>();
        foreach (var (key, cell) in _cells)
        {
            lock (cell)
            {
                if (cell.Version == cell.WrittenVersion)
                {
                    continue;
                }
                list.Add((key, cell, cell.Version, new DeploymentStat
                {
                    TenantId = key.Tenant, DeploymentId = key.Deployment, Variant = key.Variant, Shadow = key.Shadow, Minute = key.Minute, Node = Node,
                    Requests = cell.Requests, Rows = cell.Rows, Errors = cell.Errors, LatencySumMs = cell.LatencySumMs, LatencyBuckets = LatencyHistogram.Write(cell.Latency),
                    ValueCount = cell.ValueCount, ValueSum = cell.ValueSum, ValueSumSquares = cell.ValueSumSquares,
                    ValueMin = cell.ValueCount == 0 ? null : cell.ValueMin, ValueMax = cell.ValueCount == 0 ? null : cell.ValueMax,
                    ClassesJson = cell.Classes.Count == 0 ? null : JsonSerializer.Serialize(cell.Classes),
                }));
            }
        }
        return list;
    }

    internal void Written(CellKey key, Cell cell, long version)
    {
        lock (cell)
        {
            cell.WrittenVersion = Math.Max(cell.WrittenVersion, version);
            if (cell.Version == cell.WrittenVersion && key.Minute < MinuteOf(time.GetUtcNow()).AddMinutes(-1))
            {
                _cells.TryRemove(new KeyValuePair<CellKey, Cell>(key, cell));
            }
        }
    }
}

/// <summary>Writes the deployment meter's cells: each node upserts its own rows, so no two nodes write the same row.</summary>
internal sealed partial class DeploymentMeterWriter(DeploymentMeter meter, IServiceScopeFactory scopes, TimeProvider time, ILogger<DeploymentMeterWriter> logger)
    : Platform.Hosting.PeriodicFlush(time)
{
    private readonly SemaphoreSlim _writing = new(1, 1);

    protected override TimeSpan Interval => DeploymentMeter.FlushEvery;

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await _writing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var tenant in meter.Changed().GroupBy(c => c.Key.Tenant))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenant.Key);
                    var db = scope.ServiceProvider.GetRequiredService<MlDbContext>();
                    var items = tenant.ToList();
                    var deployments = items.Select(i => i.Key.Deployment).Distinct().ToList();
                    var minutes = items.Select(i => i.Key.Minute).Distinct().ToList();
                    var existing = await db.DeploymentStats.Where(s => deployments.Contains(s.DeploymentId) && minutes.Contains(s.Minute) && s.Node == meter.Node)
                        .ToListAsync(ct).ConfigureAwait(false);
                    foreach (var (key, _, _, row) in items)
                    {
                        var stored = existing.FirstOrDefault(s => s.DeploymentId == key.Deployment && s.Variant == key.Variant && s.Shadow == key.Shadow && s.Minute == key.Minute);
                        if (stored is null)
                        {
                            row.Id = Guid.NewGuid();
                            db.DeploymentStats.Add(row);
                            continue;
                        }
                        row.Id = stored.Id;
                        db.Entry(stored).CurrentValues.SetValues(row);
                    }
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    foreach (var (key, cell, version, _) in items)
                    {
                        meter.Written(key, cell, version);
                    }
                }
                catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    LogNotWritten(logger, ex, tenant.Key);
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write deployment traffic of tenant {TenantId}; kept for the next write")]
    private static partial void LogNotWritten(ILogger logger, Exception exception, Guid tenantId);
}
