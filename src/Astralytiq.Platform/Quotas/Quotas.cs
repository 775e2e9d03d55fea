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

    /// <summary>Model versions trained (counted when training is asked for; given back when it fails).</summary>
    public const string ModelsTrained = "models_trained";

    /// <summary>Seconds spent training, metered when a training ends (unlimited by default).</summary>
    public const string TrainingSeconds = "training_seconds";

    /// <summary>Rows scored: each row of an online prediction or of a batch scoring job.</summary>
    public const string Predictions = "predictions";

    /// <summary>Authenticated API requests of the organisation (its people and its keys).</summary>
    public const string ApiCalls = "api_calls";

    /// <summary>Scheduled or on-demand reports delivered.</summary>
    public const string ReportsSent = "reports_sent";

    /// <summary>Active people of the organisation (seats): counted when one joins or is reactivated, given back when deactivated.</summary>
    public const string Users = "users";

    /// <summary>Dashboards the organisation keeps (a deleted one is given back).</summary>
    public const string Dashboards = "dashboards";

    /// <summary>Scheduled and on-demand reports the organisation keeps.</summary>
    public const string Reports = "reports";

    /// <summary>Alert rules the organisation keeps.</summary>
    public const string AlertRules = "alert_rules";

    /// <summary>Not a usage: the organisation's requests a minute (sizes the rate limit by plan).</summary>
    public const string ApiCallsPerMinute = "api_calls_per_minute";

    /// <summary>Model deployments the organisation keeps (a deleted one is given back).</summary>
    public const string Deployments = "deployments";

    /// <summary>Not a usage: how many days history is kept (the prediction log with its feedback, report files); the purge jobs read it.</summary>
    public const string RetentionDays = "retention_days";

    /// <summary>Counters that start again each calendar month (UTC); the rest are gauges (storage, datasets) or caps.</summary>
    public static readonly IReadOnlyList<string> Monthly = [RowsIngested, BytesIngested, ModelsTrained, TrainingSeconds, Predictions, ApiCalls, ReportsSent];

    /// <summary>Every metric a plan can limit, in the order people read them.</summary>
    public static readonly IReadOnlyList<string> Limitable =
        [StorageBytes, Datasets, Users, Dashboards, Reports, AlertRules, Deployments, RowsIngested, BytesIngested, ModelsTrained, TrainingSeconds, Predictions, ApiCalls, ReportsSent,
            UploadBytes, ApiCallsPerMinute, RetentionDays];

    public static bool IsMonthly(string metric) => Monthly.Contains(metric);

    /// <summary>What people call a metric: "API calls", "models trained".</summary>
    public static string Label(string metric) => metric switch
    {
        StorageBytes => "storage",
        Datasets => "datasets",
        Users => "users",
        Dashboards => "dashboards",
        Reports => "reports",
        AlertRules => "alert rules",
        RowsIngested => "rows ingested",
        BytesIngested => "data received",
        ModelsTrained => "models trained",
        TrainingSeconds => "training time",
        Predictions => "predictions",
        ApiCalls => "API calls",
        ReportsSent => "reports sent",
        UploadBytes => "file size",
        ApiCallsPerMinute => "requests a minute",
        Deployments => "deployments",
        RetentionDays => "days of history kept",
        _ => metric.Replace('_', ' '),
    };

    /// <summary>A cap or a rate rather than something used up: nothing is counted against it.</summary>
    public static bool IsCap(string metric) => metric is UploadBytes or ApiCallsPerMinute or RetentionDays;
}

/// <summary>Which plan a tenant is on (the Tenancy module answers; billing changes it).</summary>
public interface IPlanResolver
{
    Task<PlanRef> PlanAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>One billable use: the metric, how much, the idempotency key it is recorded under once, who caused it, and whether the plan's limit may refuse it.</summary>
public sealed record UsageEvent(string Metric, long Amount, string Key, string? Subject = null, bool Enforce = true);

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

    /// <summary>
    /// Records a use once under its key, with who caused it (null: the signed-in user); with <see cref="UsageEvent.Enforce"/> off it is
    /// metered whatever the limit (the work is done already: a training's seconds).
    /// </summary>
    Task<Result<Unit>> RecordAsync(UsageEvent usage, CancellationToken cancellationToken);

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

    /// <summary>Who caused it: a user id, <c>key:</c> and an API key id, or null for the organisation's own work (a schedule).</summary>
    public string? Subject { get; set; }

    /// <summary>When the reconciler found the rows this usage is for (null: not looked at yet, or not owned by a module).</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>The UTC day of <see cref="CreatedAt"/> ("yyyy-MM-dd"), so use is summed by day in the database.</summary>
    public string Day { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class QuotaService(
    PlatformDbContext db, ITenantContext tenant, IPlanResolver plans, PlanSettings settings, HotMeter hot, TimeProvider time) : IQuotas
{
    public const string Code = "QUOTA_EXCEEDED";

    private string Period(string metric) => QuotaMetrics.IsMonthly(metric) ? PeriodOf(time.GetUtcNow()) : string.Empty;

    internal static string PeriodOf(DateTimeOffset at)
    {
        // Asked on every metered request: the month's name is made once per month, not per call.
        var utc = at.UtcDateTime;
        var month = (utc.Year * 12) + utc.Month;
        var last = _lastPeriod;
        if (last is not null && last.Month == month)
        {
            return last.Text;
        }
        var made = new CachedPeriod(month, utc.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        _lastPeriod = made;
        return made.Text;
    }

    private sealed record CachedPeriod(int Month, string Text);

    private static CachedPeriod? _lastPeriod;

    public async Task<QuotaUsage> UsageAsync(string metric, CancellationToken cancellationToken)
    {
        var tenantId = tenant.TenantId!.Value;
        var plan = await plans.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var period = Period(metric);
        var used = await StoredAsync(metric, period, cancellationToken).ConfigureAwait(false);
        // What this node counted in memory and has not written yet (API calls, predictions) is used all the same.
        return new QuotaUsage(metric, plan.Code, used + hot.Unwritten(tenantId, metric, period), settings.Limit(plan, metric));
    }

    internal async Task<long> StoredAsync(string metric, string period, CancellationToken cancellationToken) =>
        await db.Set<TenantUsage>().Where(u => u.TenantId == tenant.TenantId && u.Metric == metric && u.Period == period).Select(u => (long?)u.Used)
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;

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
        return usage.Limit is { } limit && usage.Used + amount > limit ? Exceeded(usage, amount, time.GetUtcNow()) : Unit.Value;
    }

    public Task<Result<Unit>> ConsumeAsync(string metric, long amount, string key, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return RecordAsync(new UsageEvent(metric, amount, key), cancellationToken);
    }

    public Task<Result<Unit>> RecordAsync(UsageEvent usage, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(usage.Amount);
        return WriteAsync(usage, usage.Subject ?? tenant.UserId?.ToString("N"), null, cancellationToken);
    }

    /// <summary>
    /// Records <paramref name="usage"/> once under its key, in one transaction with the counter and any warning it crosses.
    /// <paramref name="at"/> dates a batch written later than it happened (the hot meter's); null is now.
    /// </summary>
    internal async Task<Result<Unit>> WriteAsync(UsageEvent usage, string? subject, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        // A write that collided with another (the same key, or the same warning from a refused use) is tried again: then
        // the key is found recorded (success, counted once) or the warning is found sent (not sent twice).
        for (var attempt = 1; ; attempt++)
        {
            if (await TryWriteAsync(usage, subject, at, cancellationToken).ConfigureAwait(false) is { } result)
            {
                return result;
            }
            if (attempt == 3)
            {
                throw new DbUpdateConcurrencyException($"Usage {usage.Key} of {usage.Metric} collided with other writes three times");
            }
        }
    }

    /// <summary>One attempt: the result, or null when the save collided with another write and nothing was written.</summary>
    private async Task<Result<Unit>?> TryWriteAsync(UsageEvent usage, string? subject, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var (metric, amount, key) = (usage.Metric, usage.Amount, usage.Key);
        var tenantId = tenant.TenantId!.Value;
        var plan = await plans.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var limit = usage.Enforce ? settings.Limit(plan, metric) : null;
        var now = time.GetUtcNow();
        var period = QuotaMetrics.IsMonthly(metric) ? PeriodOf(at ?? now) : string.Empty;
        await EnsureCounterAsync(tenantId, metric, period, cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<UsageRecord>().AnyAsync(r => r.TenantId == tenantId && r.Metric == metric && r.Key == key, cancellationToken).ConfigureAwait(false))
        {
            return Unit.Value; // recorded before: a retry counts nothing more
        }
        // One conditional update: the counter moves only if it stays within the limit, so concurrent uses
        // can never together pass it.
        var counter = db.Set<TenantUsage>().Where(u => u.TenantId == tenantId && u.Metric == metric && u.Period == period);
        var moved = limit is { } max
            ? await counter.Where(u => u.Used + amount <= max).ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used + amount).SetProperty(u => u.UpdatedAt, now), cancellationToken).ConfigureAwait(false)
            : await counter.ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used + amount).SetProperty(u => u.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        if (moved == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            // A concurrent retry of the same key may have been counted meanwhile: then this one succeeded too.
            if (await db.Set<UsageRecord>().AnyAsync(r => r.TenantId == tenantId && r.Metric == metric && r.Key == key, cancellationToken).ConfigureAwait(false))
            {
                return Unit.Value;
            }
            var current = await UsageAsync(metric, cancellationToken).ConfigureAwait(false);
            await WarnAtLimitAsync(current, cancellationToken).ConfigureAwait(false);
            return Exceeded(current, amount, now);
        }
        var record = new UsageRecord
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, Metric = metric, Period = period, Key = key, Amount = amount, Subject = subject, CreatedAt = at ?? now,
            Day = (at ?? now).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        db.Set<UsageRecord>().Add(record);
        var warnings = new List<UsageWarning>();
        var published = Published();
        if (settings.Limit(plan, metric) is { } warnLimit && !QuotaMetrics.IsCap(metric))
        {
            var used = await counter.Select(u => u.Used).SingleAsync(cancellationToken).ConfigureAwait(false);
            warnings = await WarningsAsync(tenantId, plan.Code, metric, period, used - amount, used, warnLimit, now, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request wrote the same key, or the same warning, at the same moment. Only this record (and the
            // warnings it raised) is let go: whatever else the request's context tracks is not ours to drop. Nothing of
            // this attempt stays; the caller tries again and finds out which it was.
            db.Entry(record).State = EntityState.Detached;
            warnings.ForEach(w => db.Entry(w).State = EntityState.Detached);
            DropPublished(published);
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }

    /// <summary>The warnings a use from <paramref name="before"/> to <paramref name="after"/> crosses (80 % and 100 % of the limit), once per period each: added with their events, not yet saved.</summary>
    private async Task<List<UsageWarning>> WarningsAsync(
        Guid tenantId, string plan, string metric, string period, long before, long after, long limit, DateTimeOffset now, CancellationToken ct, bool refused = false)
    {
        var added = new List<UsageWarning>();
        foreach (var percent in refused ? [100] : UsageWarning.Levels)
        {
            var threshold = UsageWarning.Threshold(limit, percent);
            if (!refused && (after < threshold || before >= threshold))
            {
                continue;
            }
            if (await db.Set<UsageWarning>().AnyAsync(w => w.TenantId == tenantId && w.Metric == metric && w.Period == period && w.Percent == percent, ct).ConfigureAwait(false))
            {
                continue;
            }
            var warning = new UsageWarning { Id = Guid.CreateVersion7(now), TenantId = tenantId, Metric = metric, Period = period, Percent = percent, Used = after, Limit = limit, CreatedAt = now };
            db.Set<UsageWarning>().Add(warning);
            db.Publish(new UsageLimitApproached(metric, QuotaMetrics.IsMonthly(metric) ? period : null, percent, after, limit, plan, Describe(metric, limit, after, plan, percent, refused))
            {
                Label = QuotaMetrics.Label(metric),
            });
            added.Add(warning);
        }
        return added;
    }

    /// <summary>The outbox messages this context holds unsaved now, so a failed save drops only those published after.</summary>
    private HashSet<Events.OutboxMessage> Published() =>
        [.. db.ChangeTracker.Entries<Events.OutboxMessage>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)];

    private void DropPublished(HashSet<Events.OutboxMessage> before)
    {
        foreach (var message in db.ChangeTracker.Entries<Events.OutboxMessage>().Where(e => e.State == EntityState.Added && !before.Contains(e.Entity)).ToList())
        {
            message.State = EntityState.Detached;
        }
    }

    /// <summary>A use was refused at the limit: the 100 % warning goes out if it has not this period (another node, or the counter, may have filled it).</summary>
    internal async Task WarnAtLimitAsync(QuotaUsage usage, CancellationToken ct)
    {
        if (usage.Limit is not { } limit || QuotaMetrics.IsCap(usage.Metric))
        {
            return;
        }
        var published = Published();
        var warnings = await WarningsAsync(tenant.TenantId!.Value, usage.Plan, usage.Metric, Period(usage.Metric), usage.Used, usage.Used, limit, time.GetUtcNow(), ct, refused: true).ConfigureAwait(false);
        if (warnings.Count == 0)
        {
            return;
        }
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request warned at the same moment: one warning is all that should go out.
            warnings.ForEach(w => db.Entry(w).State = EntityState.Detached);
            DropPublished(published);
        }
    }

    /// <summary>What the people told about a warning read: "812 of 1,000 models trained this month (81 %) on the pro plan".</summary>
    internal static string Describe(string metric, long limit, long used, string plan, int percent, bool refused = false) =>
        refused && used < limit
            ? $"{Readable(metric, used)} of the {plan} plan's {Allowance(metric, limit)}{(QuotaMetrics.IsMonthly(metric) ? " a month" : string.Empty)} {(used == 1 ? "is" : "are")} used, and a request for more than the rest was refused. {WayOut(metric, null)}"
            : percent >= 100
            ? $"The {plan} plan's {Allowance(metric, limit)}{(QuotaMetrics.IsMonthly(metric) ? " a month" : string.Empty)} {(limit == 1 ? "is" : "are")} used up ({Readable(metric, used)} used). {WayOut(metric, null)}"
            : $"{Readable(metric, used)} of the {plan} plan's {Allowance(metric, limit)}{(QuotaMetrics.IsMonthly(metric) ? " a month" : string.Empty)} {(used == 1 ? "is" : "are")} used ({Math.Floor(100.0 * used / limit).ToString(CultureInfo.InvariantCulture)} %).";

    public async Task ReleaseAsync(string metric, string key, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var tenantId = tenant.TenantId!.Value;
        var record = await db.Set<UsageRecord>().SingleOrDefaultAsync(r => r.TenantId == tenantId && r.Metric == metric && r.Key == key, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return;
        }
        // A monthly counter is given back in the month it was used.
        var amount = record.Amount;
        var counter = db.Set<TenantUsage>().Where(u => u.TenantId == tenantId && u.Metric == metric && u.Period == record.Period);
        await counter.ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used >= amount ? u.Used - amount : 0), cancellationToken).ConfigureAwait(false);
        db.Set<UsageRecord>().Remove(record);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        // Use that falls back below a threshold warns again when it next crosses it (a gauge freed up; a failure given back).
        var used = await counter.Select(u => u.Used).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var plan = await plans.PlanAsync(tenant.TenantId!.Value, cancellationToken).ConfigureAwait(false);
        if (settings.Limit(plan, metric) is { } limit)
        {
            var rearmed = UsageWarning.Levels.Where(p => used < UsageWarning.Threshold(limit, p)).ToList();
            await db.Set<UsageWarning>().Where(w => w.TenantId == tenantId && w.Metric == metric && w.Period == record.Period && rearmed.Contains(w.Percent)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureCounterAsync(Guid tenantId, string metric, string period, CancellationToken ct)
    {
        if (await db.Set<TenantUsage>().AnyAsync(u => u.TenantId == tenantId && u.Metric == metric && u.Period == period, ct).ConfigureAwait(false))
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

    internal static CodedError Exceeded(QuotaUsage usage, long amount, DateTimeOffset now) =>
        new(402, Code,
            $"The {usage.Plan} plan allows {Allowance(usage.Metric, usage.Limit!.Value)}{(QuotaMetrics.IsMonthly(usage.Metric) ? " a month" : string.Empty)}; " +
            $"{Readable(usage.Metric, usage.Used)} {(usage.Used == 1 ? "is" : "are")} used and this needs {Readable(usage.Metric, amount)} more. {WayOut(usage.Metric, now)}",
            [new ErrorDetail(usage.Metric, $"limit {usage.Limit.Value.ToString(CultureInfo.InvariantCulture)}, used {usage.Used.ToString(CultureInfo.InvariantCulture)}, requested {amount.ToString(CultureInfo.InvariantCulture)}"
                + (QuotaMetrics.IsMonthly(usage.Metric) ? ", resets " + NextPeriod(now).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : string.Empty))]);

    /// <summary>What the organisation can do: a monthly count starts again next month; a gauge is freed by deleting.</summary>
    private static string WayOut(string metric, DateTimeOffset? now) => QuotaMetrics.IsMonthly(metric)
        ? now is { } at
            ? $"Upgrade the plan, or wait until the count starts again on {NextPeriod(at).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}."
            : "Upgrade the plan, or wait until the count starts again next month."
        : "Upgrade the plan or free some up.";

    /// <summary>When a monthly counter starts again: the first instant of next month, UTC.</summary>
    internal static DateTimeOffset NextPeriod(DateTimeOffset now) => new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

    /// <summary>A plan's limit as a person says it: "200 datasets", "10 GiB of storage", "1,000,000 rows ingested".</summary>
    internal static string Allowance(string metric, long limit) => metric switch
    {
        QuotaMetrics.StorageBytes => $"{Readable(metric, limit)} of storage",
        QuotaMetrics.BytesIngested => $"{Readable(metric, limit)} ingested",
        QuotaMetrics.Datasets => limit == 1 ? "1 dataset" : $"{Readable(metric, limit)} datasets",
        QuotaMetrics.Users => limit == 1 ? "1 user" : $"{Readable(metric, limit)} users",
        QuotaMetrics.Dashboards => limit == 1 ? "1 dashboard" : $"{Readable(metric, limit)} dashboards",
        QuotaMetrics.Reports => limit == 1 ? "1 report" : $"{Readable(metric, limit)} reports",
        QuotaMetrics.AlertRules => limit == 1 ? "1 alert rule" : $"{Readable(metric, limit)} alert rules",
        QuotaMetrics.Deployments => limit == 1 ? "1 deployment" : $"{Readable(metric, limit)} deployments",
        QuotaMetrics.RetentionDays => limit == 1 ? "1 day of history" : $"{Readable(metric, limit)} days of history",
        QuotaMetrics.RowsIngested => $"{Readable(metric, limit)} {(limit == 1 ? "row" : "rows")} ingested",
        QuotaMetrics.ModelsTrained => $"{Readable(metric, limit)} {(limit == 1 ? "model" : "models")} trained",
        QuotaMetrics.TrainingSeconds => $"{Readable(metric, limit)} {(limit == 1 ? "second" : "seconds")} of training",
        QuotaMetrics.Predictions => $"{Readable(metric, limit)} {(limit == 1 ? "prediction" : "predictions")}",
        QuotaMetrics.ApiCalls => $"{Readable(metric, limit)} API {(limit == 1 ? "call" : "calls")}",
        QuotaMetrics.ReportsSent => $"{Readable(metric, limit)} {(limit == 1 ? "report" : "reports")} sent",
        _ => $"{Readable(metric, limit)} {metric.Replace('_', ' ')}",
    };

    internal static string Readable(string metric, long value) => metric is QuotaMetrics.StorageBytes or QuotaMetrics.UploadBytes or QuotaMetrics.BytesIngested
        ? value >= 1L << 30 ? $"{value / (double)(1L << 30):0.#} GiB" : value >= 1L << 20 ? $"{value / (double)(1L << 20):0.#} MiB" : $"{value:N0} bytes"
        : value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Amounts of a metric as people read them, for modules that explain limits (billing's downgrade refusal).</summary>
public static class QuotaText
{
    /// <summary>"1.5 GiB", "1,234".</summary>
    public static string Readable(string metric, long value) => QuotaService.Readable(metric, value);

    /// <summary>"200 datasets", "10 GiB of storage".</summary>
    public static string Allowance(string metric, long limit) => QuotaService.Allowance(metric, limit);
}
