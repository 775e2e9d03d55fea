using Astralytiq.Platform.Events;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Platform.Quotas;

/// <summary>How the hot meter writes what it counts in memory (<c>Astralytiq:Metering</c>).</summary>
public sealed class MeteringSettings
{
    /// <summary>Seconds between writes of the counts kept in memory (API calls, predictions). A process killed between writes loses at most this much.</summary>
    [Range(1, 3600)]
    public int FlushSeconds { get; set; } = 5;

    /// <summary>Whether every authenticated API request is metered (and the plan's <c>api_calls</c> limit enforced). Off only to measure its cost.</summary>
    public bool ApiCalls { get; set; } = true;

    /// <summary>Minutes between rounds of the reconciler that gives back usage recorded for rows never committed.</summary>
    [Range(1, 1440)]
    public int ReconcileMinutes { get; set; } = 10;

    /// <summary>How old usage must be before the reconciler looks at it: longer than any write between the ledger and a module's rows.</summary>
    [Range(1, 1440)]
    public int ReconcileGraceMinutes { get; set; } = 15;
}

/// <summary>
/// A plan limit 80 % or 100 % used, once per period and metric (a gauge warns again once it falls back below and crosses again).
/// The Notifications module tells the organisation's Admins in the app and by email.
/// </summary>
public sealed record UsageLimitApproached(string Metric, string? Period, int Percent, long Used, long Limit, string Plan, string Message) : IIntegrationEvent
{
    /// <summary>What people call the metric ("API calls").</summary>
    public string? Label { get; init; }
}

/// <summary>A warning sent: the row that makes it once per tenant, metric, period and level.</summary>
internal sealed class UsageWarning : ITenantOwned
{
    public static readonly IReadOnlyList<int> Levels = [80, 100];

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Metric { get; set; } = string.Empty;

    public string Period { get; set; } = string.Empty;

    public int Percent { get; set; }

    public long Used { get; set; }

    public long Limit { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The use at which <paramref name="percent"/> of <paramref name="limit"/> is reached (rounded up, at least 1).</summary>
    public static long Threshold(long limit, int percent) => Math.Max(1, (long)Math.Ceiling(limit * (percent / 100.0)));
}

/// <summary>
/// Frequent uses (every API call, every prediction), counted as they happen: a limited one is refused at once when it
/// would pass the plan's limit; the counts are written as usage records every few seconds.
/// </summary>
public interface IUsageMeter
{
    /// <summary>Counts <paramref name="amount"/> now, or refuses with 402 <c>QUOTA_EXCEEDED</c> (naming the limit, the use and the reset) when it would pass the limit.</summary>
    ValueTask<Result<Unit>> TakeAsync(string metric, long amount, CancellationToken cancellationToken);

    /// <summary>Gives back what a take counted when its work failed.</summary>
    void GiveBack(string metric, long amount);
}

/// <summary>
/// The node's counts not yet written, per tenant, metric, period and subject. Each write is a usage record under a key
/// made of this node, a sequence number and the subject, so a write retried after a failure counts once. Limited metrics
/// are checked against the stored counter (re-read every flush interval, so other nodes' use shows within it) plus
/// everything this node counted and has not written, under one lock: on one node a limit is never passed.
/// </summary>
internal sealed class HotMeter(TimeProvider time, MeteringSettings settings)
{
    internal readonly record struct Counter(Guid Tenant, string Metric, string Period);

    internal readonly record struct Cell(Guid Tenant, string Metric, string Period, Guid? SubjectId)
    {
        /// <summary>The subject as usage records name it (a user id without dashes).</summary>
        public string? Subject => SubjectId?.ToString("N");
    }

    internal sealed record Batch(long Sequence, DateTimeOffset At, IReadOnlyDictionary<Cell, long> Cells);

    private sealed class Stored
    {
        public long Value;
        public DateTimeOffset ReadAt;
        public long Generation;
        public bool Known;
        public bool WarnedFull;
        public DateTimeOffset? RefreshingSince;
    }

    private readonly Lock _gate = new();
    private Dictionary<Cell, long> _pending = [];
    private readonly Dictionary<Counter, long> _unwritten = [];
    private readonly Dictionary<Counter, Stored> _stored = [];
    private readonly List<Batch> _failed = [];
    private long _sequence;

    /// <summary>This process, in every key it writes.</summary>
    public string Node { get; } = Guid.NewGuid().ToString("N")[..12];

    public long Unwritten(Guid tenant, string metric, string period)
    {
        lock (_gate)
        {
            return _unwritten.GetValueOrDefault(new Counter(tenant, metric, period));
        }
    }

    public void Add(Guid tenant, string metric, string period, Guid? subject, long amount)
    {
        lock (_gate)
        {
            AddLocked(new Cell(tenant, metric, period, subject), amount);
        }
    }

    private void AddLocked(Cell cell, long amount)
    {
        _pending[cell] = _pending.GetValueOrDefault(cell) + amount;
        var counter = new Counter(cell.Tenant, cell.Metric, cell.Period);
        _unwritten[counter] = _unwritten.GetValueOrDefault(counter) + amount;
    }

    /// <summary>
    /// The stored counter as last read, with the generation to hand back to <see cref="Remember"/>; null when the caller
    /// is to read it. Once it is older than the flush interval one caller reads it again while the others go on with the
    /// value known (it lacks only other nodes' latest use: this node's own is in the unwritten count).
    /// </summary>
    public (long? Value, long Generation) Known(Counter counter)
    {
        lock (_gate)
        {
            var stored = _stored.TryGetValue(counter, out var s) ? s : _stored[counter] = new Stored();
            var now = time.GetUtcNow();
            var interval = TimeSpan.FromSeconds(settings.FlushSeconds);
            var refreshing = stored.RefreshingSince is { } since && now - since < 2 * interval;
            if (stored.Known && (now - stored.ReadAt < interval || refreshing))
            {
                return (stored.Value, stored.Generation);
            }
            stored.RefreshingSince = now;
            return (null, stored.Generation);
        }
    }

    /// <summary>Keeps a stored value read from the database, unless a write of this node began or ended meanwhile (the read may or may not include it).</summary>
    public void Remember(Counter counter, long value, long generation)
    {
        lock (_gate)
        {
            var stored = _stored.TryGetValue(counter, out var s) ? s : _stored[counter] = new Stored();
            stored.RefreshingSince = null;
            if (stored.Generation == generation)
            {
                (stored.Value, stored.ReadAt, stored.Known) = (value, time.GetUtcNow(), true);
            }
        }
    }

    /// <summary>Counts <paramref name="amount"/> if the stored use plus this node's unwritten use stays within <paramref name="limit"/>; says what the use is either way.</summary>
    public bool TryAdd(Cell cell, long amount, long stored, long limit, out long used)
    {
        lock (_gate)
        {
            var counter = new Counter(cell.Tenant, cell.Metric, cell.Period);
            used = stored + _unwritten.GetValueOrDefault(counter);
            if (used + amount > limit)
            {
                return false;
            }
            AddLocked(cell, amount);
            used += amount;
            return true;
        }
    }

    /// <summary>True the first time a counter is found full since it was last read: the 100 % warning is looked at once, not on every refused call.</summary>
    public bool FirstRefusal(Counter counter)
    {
        lock (_gate)
        {
            var stored = _stored.TryGetValue(counter, out var s) ? s : _stored[counter] = new Stored();
            if (stored.WarnedFull)
            {
                return false;
            }
            stored.WarnedFull = true;
            return true;
        }
    }

    /// <summary>Everything to write now: batches that failed before (same keys) and a new one of what was counted since.</summary>
    public IReadOnlyList<Batch> Take()
    {
        lock (_gate)
        {
            var batches = new List<Batch>(_failed);
            _failed.Clear();
            if (_pending.Count > 0)
            {
                batches.Add(new Batch(++_sequence, time.GetUtcNow(), _pending));
                _pending = [];
            }
            foreach (var counter in batches.SelectMany(b => b.Cells.Keys).Select(c => new Counter(c.Tenant, c.Metric, c.Period)).Distinct())
            {
                Bump(counter);
            }
            return batches;
        }
    }

    /// <summary>A batch's cells that were written: no longer unwritten, and part of the stored value this node knows.</summary>
    public void Written(Batch batch, IEnumerable<Cell> cells)
    {
        lock (_gate)
        {
            foreach (var cell in cells)
            {
                var amount = batch.Cells[cell];
                var counter = new Counter(cell.Tenant, cell.Metric, cell.Period);
                _unwritten[counter] = _unwritten.GetValueOrDefault(counter) - amount;
                if (_unwritten[counter] == 0)
                {
                    _unwritten.Remove(counter);
                }
                var stored = Bump(counter);
                stored.Value += amount;
            }
        }
    }

    /// <summary>Cells that could not be written: kept, and written again under the same keys next time.</summary>
    public void Failed(Batch batch, IReadOnlyDictionary<Cell, long> cells)
    {
        if (cells.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            _failed.Add(batch with { Cells = cells });
        }
    }

    private Stored Bump(Counter counter)
    {
        var stored = _stored.TryGetValue(counter, out var s) ? s : _stored[counter] = new Stored();
        stored.Generation++;
        return stored;
    }

    /// <summary>The key a cell of a batch is written under: the same on every retry of that batch.</summary>
    public string Key(Batch batch, Cell cell) =>
        $"hot:{Node}:{batch.Sequence.ToString(CultureInfo.InvariantCulture)}:{cell.Subject ?? "-"}";

    /// <summary>When a cell's use is dated: the batch's time, or the last moment of the cell's month when the batch came after it.</summary>
    public static DateTimeOffset DateOf(Batch batch, Cell cell)
    {
        if (cell.Period.Length == 0 || QuotaService.PeriodOf(batch.At) == cell.Period)
        {
            return batch.At;
        }
        var start = DateTimeOffset.ParseExact(cell.Period + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return start.AddMonths(1).AddTicks(-1);
    }
}

internal sealed class UsageMeter(
    HotMeter hot, IMemoryCache cache, IServiceProvider services, PlanSettings settings, ITenantContext tenant, TimeProvider time) : IUsageMeter
{
    public async ValueTask<Result<Unit>> TakeAsync(string metric, long amount, CancellationToken cancellationToken)
    {
        var tenantId = tenant.TenantId!.Value;
        var now = time.GetUtcNow();
        var cell = new HotMeter.Cell(tenantId, metric, QuotaMetrics.IsMonthly(metric) ? QuotaService.PeriodOf(now) : string.Empty, tenant.UserId);
        var plan = await PlanCache.PlanAsync(cache, services, tenantId, cancellationToken).ConfigureAwait(false);
        if (settings.Limit(plan, metric) is not { } limit)
        {
            hot.Add(cell.Tenant, cell.Metric, cell.Period, cell.SubjectId, amount);
            return Unit.Value;
        }
        var counter = new HotMeter.Counter(cell.Tenant, cell.Metric, cell.Period);
        var (known, generation) = hot.Known(counter);
        long stored;
        if (known is { } value)
        {
            stored = value;
        }
        else
        {
            stored = await services.GetRequiredService<QuotaService>().StoredAsync(metric, cell.Period, cancellationToken).ConfigureAwait(false);
            hot.Remember(counter, stored, generation);
        }
        if (hot.TryAdd(cell, amount, stored, limit, out var used))
        {
            return Unit.Value;
        }
        var usage = new QuotaUsage(metric, plan.Code, used, limit);
        if (hot.FirstRefusal(counter))
        {
            await services.GetRequiredService<QuotaService>().WarnAtLimitAsync(usage, cancellationToken).ConfigureAwait(false);
        }
        return QuotaService.Exceeded(usage, amount, now);
    }

    public void GiveBack(string metric, long amount)
    {
        var now = time.GetUtcNow();
        hot.Add(tenant.TenantId!.Value, metric, QuotaMetrics.IsMonthly(metric) ? QuotaService.PeriodOf(now) : string.Empty, tenant.UserId, -amount);
    }
}

/// <summary>The plan of a tenant from the cache its resolver fills, asking the resolver only when it is not there (most requests never build its context).</summary>
public static class PlanCache
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, string> Keys = new();

    /// <summary>The cache key of a tenant's plan; made once per tenant (it is looked up on every request).</summary>
    public static string Key(Guid tenantId) => Keys.GetOrAdd(tenantId, static id => "tenant-plan:" + id.ToString("N"));

    public static async ValueTask<PlanRef> PlanAsync(IMemoryCache cache, IServiceProvider services, Guid tenantId, CancellationToken cancellationToken) =>
        cache.TryGetValue(Key(tenantId), out PlanRef plan) && plan.Code is not null
            ? plan
            : await services.GetRequiredService<IPlanResolver>().PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
}

/// <summary>Writes the hot meter's counts every <see cref="MeteringSettings.FlushSeconds"/>, and once more on shutdown.</summary>
internal sealed class HotMeterWriter(HotMeter hot, IServiceScopeFactory scopes, MeteringSettings settings, TimeProvider time, ILogger<HotMeterWriter> logger)
    : Hosting.PeriodicFlush(time)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(settings.FlushSeconds);

    /// <summary>Writes everything counted so far; what cannot be written now is kept for the next time, under the same keys.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var batch in hot.Take())
        {
            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one batch's cells, each in its tenant's scope; marks what was written and keeps the rest for the next time.</summary>
    internal async Task WriteAsync(HotMeter.Batch batch, CancellationToken cancellationToken)
    {
        {
            var failed = new Dictionary<HotMeter.Cell, long>();
            var written = new List<HotMeter.Cell>();
            foreach (var (cell, amount) in batch.Cells)
            {
                if (amount == 0)
                {
                    written.Add(cell);
                    continue;
                }
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(cell.Tenant);
                    var quotas = scope.ServiceProvider.GetRequiredService<QuotaService>();
                    await quotas.WriteAsync(new UsageEvent(cell.Metric, amount, hot.Key(batch, cell), cell.Subject, Enforce: false), cell.Subject,
                        HotMeter.DateOf(batch, cell), cancellationToken).ConfigureAwait(false);
                    written.Add(cell);
                }
                catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not write {Amount} {Metric} of tenant {TenantId}; kept for the next write", amount, cell.Metric, cell.Tenant);
                    failed[cell] = amount;
                }
            }
            hot.Written(batch, written);
            hot.Failed(batch, failed);
        }
    }
}

/// <summary>
/// Meters every authenticated API request of an organisation as <c>api_calls</c>; past the plan's monthly limit a
/// request is refused with 402, except those that let the organisation see its use and change its plan.
/// </summary>
internal sealed class ApiCallMeteringMiddleware(RequestDelegate next, MeteringSettings settings)
{
    private static readonly string[] AlwaysOpen = ["/api/v1/usage", "/api/v1/plans", "/api/v1/billing", "/api/v1/auth", "/api/v1/me", "/api/v1/notifications"];

    public async Task InvokeAsync(HttpContext context, ITenantContext tenant, IUsageMeter meter)
    {
        if (settings.ApiCalls && tenant.TenantId is { } tenantId && tenantId != Guid.Empty && !tenant.IsSystem
            && context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            var path = context.Request.Path.Value ?? string.Empty;
            var open = AlwaysOpen.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            var taken = await meter.TakeAsync(QuotaMetrics.ApiCalls, 1, context.RequestAborted).ConfigureAwait(false);
            if (!taken.IsSuccess && !open)
            {
                await new ApiError(taken.Error!).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }
}

/// <summary>
/// A module that records usage under keys naming its own rows (<c>dataset-version:{id}</c>): says which of them exist, so
/// usage recorded for work whose rows were never committed (the process died between the two writes) is given back.
/// </summary>
public interface IUsageKeyOwner
{
    /// <summary>The key prefix this module's keys start with, e.g. <c>dataset-version:</c>.</summary>
    string Prefix { get; }

    /// <summary>Of these keys (all of the current tenant, all with <see cref="Prefix"/>), those whose rows exist (deleted ones count as existing).</summary>
    Task<IReadOnlySet<string>> ExistingAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary>An owner whose keys are its prefix and a row id (<c>dataset-version:{id:N}</c>): says only which ids exist.</summary>
public abstract class IdUsageKeyOwner(string prefix) : IUsageKeyOwner
{
    public string Prefix { get; } = prefix;

    public async Task<IReadOnlySet<string>> ExistingAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ids = keys.Select(k => Guid.TryParse(k.AsSpan(Prefix.Length), out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
        var found = await FoundAsync(ids, cancellationToken).ConfigureAwait(false);
        return found.Select(id => Prefix + id.ToString("N")).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Of these ids, those whose rows exist in the current tenant.</summary>
    protected abstract Task<List<Guid>> FoundAsync(List<Guid> ids, CancellationToken cancellationToken);
}

/// <summary>
/// Closes the gap between the usage ledger and the modules' rows: usage recorded under an owned key more than
/// <see cref="MeteringSettings.ReconcileGraceMinutes"/> ago is confirmed when its rows exist and given back when they do not.
/// Runs every <see cref="MeteringSettings.ReconcileMinutes"/> on every node; confirming or releasing twice changes nothing.
/// </summary>
internal sealed partial class UsageReconciler(IServiceScopeFactory scopes, MeteringSettings settings, TimeProvider time, ILogger<UsageReconciler> logger) : BackgroundService
{
    public const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(settings.ReconcileMinutes), time, stoppingToken).ConfigureAwait(false);
                await ReconcileAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>One round as of <paramref name="now"/>: returns how many records were confirmed and how many given back.</summary>
    public async Task<(int Confirmed, int Released)> ReconcileAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = now.AddMinutes(-settings.ReconcileGraceMinutes);
        var (confirmed, released) = (0, 0);
        await using var scope = scopes.CreateAsyncScope();
        var owners = scope.ServiceProvider.GetServices<IUsageKeyOwner>().ToList();
        var tenant = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        foreach (var owner in owners)
        {
            var prefix = owner.Prefix;
            while (true)
            {
                List<(Guid Id, Guid TenantId, string Metric, string Key)> pending;
                using (tenant.BeginSystemScope())
                {
                    pending = [.. (await db.Set<UsageRecord>().IgnoreQueryFilters().AsNoTracking()
                        .Where(r => r.ConfirmedAt == null && r.CreatedAt < before && r.Key.StartsWith(prefix))
                        .OrderBy(r => r.Id).Take(Batch).Select(r => new { r.Id, r.TenantId, r.Metric, r.Key })
                        .ToListAsync(cancellationToken).ConfigureAwait(false)).Select(r => (r.Id, r.TenantId, r.Metric, r.Key))];
                }
                if (pending.Count == 0)
                {
                    break;
                }
                foreach (var group in pending.GroupBy(r => r.TenantId))
                {
                    await using var tenantScope = scopes.CreateAsyncScope();
                    using var _ = tenantScope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(group.Key);
                    var mine = tenantScope.ServiceProvider.GetServices<IUsageKeyOwner>().Single(o => o.Prefix == prefix);
                    var existing = await mine.ExistingAsync([.. group.Select(r => r.Key).Distinct()], cancellationToken).ConfigureAwait(false);
                    var quotas = tenantScope.ServiceProvider.GetRequiredService<QuotaService>();
                    var ids = group.Where(r => existing.Contains(r.Key)).Select(r => r.Id).ToList();
                    if (ids.Count > 0)
                    {
                        confirmed += await tenantScope.ServiceProvider.GetRequiredService<PlatformDbContext>().Set<UsageRecord>().Where(r => ids.Contains(r.Id))
                            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ConfirmedAt, now), cancellationToken).ConfigureAwait(false);
                    }
                    foreach (var orphan in group.Where(r => !existing.Contains(r.Key)))
                    {
                        await quotas.ReleaseAsync(orphan.Metric, orphan.Key, cancellationToken).ConfigureAwait(false);
                        LogReleased(logger, orphan.Metric, orphan.Key, group.Key);
                        released++;
                    }
                }
            }
        }
        return (confirmed, released);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave back {Metric} recorded under {Key} of tenant {TenantId}: its rows were never committed")]
    private static partial void LogReleased(ILogger logger, string metric, string key, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling usage with the modules' rows failed; the next round tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
