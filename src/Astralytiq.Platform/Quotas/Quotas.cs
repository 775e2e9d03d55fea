namespace Astralytiq.Platform.Quotas;

/// <summary>The metrics plans limit. Gauges (storage, datasets) go up and down; counters (rows ingested) reset each calendar month (UTC).</summary>
public static class QuotaMetrics
{
    public const string StorageBytes = "storage_bytes";
    public const string Datasets = "datasets";
    public const string RowsIngested = "rows_ingested";

    /// <summary>Bytes received from outside (uploads, API pages, query results): metered for billing, unlimited by default.</summary>
    public const string BytesIngested = "bytes_ingested";

    /// <summary>Not a usage: the largest single upload a plan accepts.</summary>
    public const string UploadBytes = "upload_bytes";

    public static bool IsMonthly(string metric) => metric is RowsIngested or BytesIngested;
}

/// <summary>
/// Limits per plan (<c>Astralytiq:Plans:{plan}:{metric}</c>); a metric a plan does not list is unlimited.
/// The defaults are generous so a newcomer never meets them; an operator sets real ones.
/// </summary>
public sealed class PlanSettings
{
    public Dictionary<string, Dictionary<string, long>> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = new() { [QuotaMetrics.UploadBytes] = 2L << 30, [QuotaMetrics.StorageBytes] = 10L << 30, [QuotaMetrics.Datasets] = 200, [QuotaMetrics.RowsIngested] = 100_000_000 },
        ["pro"] = new() { [QuotaMetrics.UploadBytes] = 10L << 30, [QuotaMetrics.StorageBytes] = 200L << 30, [QuotaMetrics.Datasets] = 5_000, [QuotaMetrics.RowsIngested] = 2_000_000_000 },
        ["enterprise"] = new(),
    };

    public long? Limit(string plan, string metric) =>
        Plans.TryGetValue(plan, out var limits) && limits.TryGetValue(metric, out var limit) ? limit : null;

    /// <summary>
    /// The features each plan includes (<c>Astralytiq:PlanFeatures:{plan}</c>, a comma-separated list of
    /// <see cref="Tenancy.TenantFeatures"/> names, <c>*</c> for all). A plan not listed includes every feature: like the
    /// limits, the defaults keep everything open until an operator sets plans up.
    /// </summary>
    public Dictionary<string, string> Features { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What each plan costs a month, in cents (<c>Astralytiq:PlanPrices:{plan}</c>): orders the plans, so a refusal can name the cheapest that has a feature.</summary>
    public Dictionary<string, long> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = 0,
        ["pro"] = 4_900,
        ["enterprise"] = 19_900,
    };

    /// <summary>The currency of <see cref="Prices"/> (ISO 4217; <c>Astralytiq:PlanCurrency</c>).</summary>
    public string Currency { get; set; } = "USD";

    public bool Includes(string plan, string feature)
    {
        if (!Features.TryGetValue(plan, out var list))
        {
            return true;
        }
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Contains("*", StringComparer.Ordinal) || names.Contains(feature, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every plan with its limits, features and price, cheapest first.</summary>
    public IReadOnlyList<Astralytiq.Contracts.Tenancy.PlanResponse> Describe() =>
        [.. Plans.OrderBy(p => Prices.GetValueOrDefault(p.Key, long.MaxValue)).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new Astralytiq.Contracts.Tenancy.PlanResponse(p.Key, p.Value.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value),
                [.. Tenancy.TenantFeatures.All.Where(f => Includes(p.Key, f))], Prices.TryGetValue(p.Key, out var price) ? price : null))];

    /// <summary>The cheapest plan that includes <paramref name="feature"/> (by price, then name); null when none does.</summary>
    public string? CheapestWith(string feature) =>
        Plans.Keys.Where(p => Includes(p, feature)).OrderBy(p => Prices.GetValueOrDefault(p, long.MaxValue)).ThenBy(p => p, StringComparer.Ordinal).FirstOrDefault();
}

/// <summary>Which plan a tenant is on (the Tenancy module answers; billing changes it).</summary>
public interface IPlanResolver
{
    Task<string> PlanAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>A tenant's use of one metric in the current period, and its plan's limit (null: unlimited).</summary>
public sealed record QuotaUsage(string Metric, string Plan, long Used, long? Limit);

/// <summary>
/// Plan quotas, enforced atomically: a use is recorded under a key (a version id, say) and added to the
/// tenant's counter only if the counter stays within the limit, in one transaction. The same key never
/// counts twice, so retries record usage exactly once; releasing a key gives its amount back.
/// </summary>
public interface IQuotas
{
    /// <summary>Refuses early (before any work) when <paramref name="amount"/> more would pass the limit; records nothing.</summary>
    Task<Result<Unit>> CheckAsync(string metric, long amount, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="amount"/> under <paramref name="key"/>, or refuses with 402 QUOTA_EXCEEDED; a key already recorded is a success.</summary>
    Task<Result<Unit>> ConsumeAsync(string metric, long amount, string key, CancellationToken cancellationToken);

    /// <summary>Gives back what <paramref name="key"/> recorded (a failed operation, a deleted dataset); nothing when it recorded nothing.</summary>
    Task ReleaseAsync(string metric, string key, CancellationToken cancellationToken);

    Task<QuotaUsage> UsageAsync(string metric, CancellationToken cancellationToken);
}

internal sealed class TenantUsage : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Metric { get; set; } = string.Empty;

    /// <summary>"yyyy-MM" for monthly counters, empty for gauges.</summary>
    public string Period { get; set; } = string.Empty;

    public long Used { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class UsageRecord : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Metric { get; set; } = string.Empty;

    public string Period { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public long Amount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class QuotaService(PlatformDbContext db, ITenantContext tenant, IPlanResolver plans, PlanSettings settings, TimeProvider time) : IQuotas
{
    public const string Code = "QUOTA_EXCEEDED";

    private string Period(string metric) => QuotaMetrics.IsMonthly(metric) ? time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture) : string.Empty;

    public async Task<QuotaUsage> UsageAsync(string metric, CancellationToken cancellationToken)
    {
        var tenantId = tenant.TenantId!.Value;
        var plan = await plans.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var period = Period(metric);
        var used = await db.Set<TenantUsage>().Where(u => u.Metric == metric && u.Period == period).Select(u => (long?)u.Used)
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;
        return new QuotaUsage(metric, plan, used, settings.Limit(plan, metric));
    }

    public async Task<Result<Unit>> CheckAsync(string metric, long amount, CancellationToken cancellationToken)
    {
        var usage = await UsageAsync(metric, cancellationToken).ConfigureAwait(false);
        if (metric == QuotaMetrics.UploadBytes)
        {
            return usage.Limit is { } cap && amount > cap
                ? new CodedError(413, ErrorCodes.PayloadTooLarge, $"The {usage.Plan} plan accepts files up to {Readable(metric, cap)}; this one is {Readable(metric, amount)}",
                    [new ErrorDetail(metric, $"at most {Readable(metric, cap)} per file on the {usage.Plan} plan")])
                : Unit.Value;
        }
        return usage.Limit is { } limit && usage.Used + amount > limit ? Exceeded(usage, amount) : Unit.Value;
    }

    public async Task<Result<Unit>> ConsumeAsync(string metric, long amount, string key, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var tenantId = tenant.TenantId!.Value;
        var plan = await plans.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var limit = settings.Limit(plan, metric);
        var period = Period(metric);
        await EnsureCounterAsync(tenantId, metric, period, cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<UsageRecord>().AnyAsync(r => r.Metric == metric && r.Key == key, cancellationToken).ConfigureAwait(false))
        {
            return Unit.Value; // recorded before: a retry counts nothing more
        }
        var now = time.GetUtcNow();
        // One conditional update: the counter moves only if it stays within the limit, so concurrent uses
        // can never together pass it.
        var counter = db.Set<TenantUsage>().Where(u => u.Metric == metric && u.Period == period);
        var moved = limit is { } max
            ? await counter.Where(u => u.Used + amount <= max).ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used + amount).SetProperty(u => u.UpdatedAt, now), cancellationToken).ConfigureAwait(false)
            : await counter.ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used + amount).SetProperty(u => u.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        if (moved == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            // A concurrent retry of the same key may have been counted meanwhile: then this one succeeded too.
            if (await db.Set<UsageRecord>().AnyAsync(r => r.Metric == metric && r.Key == key, cancellationToken).ConfigureAwait(false))
            {
                return Unit.Value;
            }
            return Exceeded(await UsageAsync(metric, cancellationToken).ConfigureAwait(false), amount);
        }
        var record = new UsageRecord
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, Metric = metric, Period = period, Key = key, Amount = amount, CreatedAt = now,
        };
        db.Set<UsageRecord>().Add(record);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // The same key was recorded at the same moment by another request: that one counts, this one does not.
            // Only this record is let go: whatever else the request's context tracks is not ours to drop.
            db.Entry(record).State = EntityState.Detached;
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return Unit.Value;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }

    public async Task ReleaseAsync(string metric, string key, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Set<UsageRecord>().SingleOrDefaultAsync(r => r.Metric == metric && r.Key == key, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return;
        }
        // A monthly counter is given back in the month it was used.
        var amount = record.Amount;
        await db.Set<TenantUsage>().Where(u => u.Metric == metric && u.Period == record.Period)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used >= amount ? u.Used - amount : 0), cancellationToken).ConfigureAwait(false);
        db.Set<UsageRecord>().Remove(record);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureCounterAsync(Guid tenantId, string metric, string period, CancellationToken ct)
    {
        if (await db.Set<TenantUsage>().AnyAsync(u => u.Metric == metric && u.Period == period, ct).ConfigureAwait(false))
        {
            return;
        }
        var counter = new TenantUsage { Id = Guid.CreateVersion7(time.GetUtcNow()), TenantId = tenantId, Metric = metric, Period = period, UpdatedAt = time.GetUtcNow() };
        db.Set<TenantUsage>().Add(counter);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Made at the same moment by another request: it exists now, which is all that is needed.
            db.Entry(counter).State = EntityState.Detached;
        }
        // The counter is only ever changed by conditional updates; it need not be tracked.
        db.Entry(counter).State = EntityState.Detached;
    }

    private static CodedError Exceeded(QuotaUsage usage, long amount) =>
        new(402, Code,
            $"The {usage.Plan} plan allows {Allowance(usage.Metric, usage.Limit!.Value)}{(QuotaMetrics.IsMonthly(usage.Metric) ? " a month" : string.Empty)}; " +
            $"{Readable(usage.Metric, usage.Used)} {(usage.Used == 1 ? "is" : "are")} used and this needs {Readable(usage.Metric, amount)} more. Upgrade the plan or free some up.",
            [new ErrorDetail(usage.Metric, $"limit {usage.Limit.Value.ToString(CultureInfo.InvariantCulture)}, used {usage.Used.ToString(CultureInfo.InvariantCulture)}, requested {amount.ToString(CultureInfo.InvariantCulture)}")]);

    /// <summary>A plan's limit as a person says it: "200 datasets", "10 GiB of storage", "1,000,000 rows ingested".</summary>
    private static string Allowance(string metric, long limit) => metric switch
    {
        QuotaMetrics.StorageBytes => $"{Readable(metric, limit)} of storage",
        QuotaMetrics.BytesIngested => $"{Readable(metric, limit)} ingested",
        QuotaMetrics.Datasets => limit == 1 ? "1 dataset" : $"{Readable(metric, limit)} datasets",
        QuotaMetrics.RowsIngested => $"{Readable(metric, limit)} {(limit == 1 ? "row" : "rows")} ingested",
        _ => $"{Readable(metric, limit)} {metric.Replace('_', ' ')}",
    };

    private static string Readable(string metric, long value) => metric is QuotaMetrics.StorageBytes or QuotaMetrics.UploadBytes or QuotaMetrics.BytesIngested
        ? value >= 1L << 30 ? $"{value / (double)(1L << 30):0.#} GiB" : value >= 1L << 20 ? $"{value / (double)(1L << 20):0.#} MiB" : $"{value:N0} bytes"
        : value.ToString("N0", CultureInfo.InvariantCulture);
}
