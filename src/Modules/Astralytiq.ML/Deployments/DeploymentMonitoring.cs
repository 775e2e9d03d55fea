using Astralytiq.Platform.Notifications;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Deployments;

/// <summary>A variant's traffic added up over stat rows (nodes and minutes).</summary>
internal sealed class TrafficTotals
{
    public long Requests, Rows, Errors, ValueCount;
    public double LatencySumMs, ValueSum, ValueSumSquares;
    public double? ValueMin, ValueMax;
    public readonly long[] Latency = new long[LatencyHistogram.Buckets];
    public readonly Dictionary<string, long> Classes = new(StringComparer.Ordinal);

    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    public static TrafficTotals Of(IEnumerable<DeploymentStat> stats)
    {
        var t = new TrafficTotals();
        foreach (var s in stats)
        {
            t.Requests += s.Requests;
            t.Rows += s.Rows;
            t.Errors += s.Errors;
            t.LatencySumMs += s.LatencySumMs;
            LatencyHistogram.AddTo(t.Latency, s.LatencyBuckets);
            t.ValueCount += s.ValueCount;
            t.ValueSum += s.ValueSum;
            t.ValueSumSquares += s.ValueSumSquares;
            t.ValueMin = s.ValueMin is { } lo ? Math.Min(t.ValueMin ?? lo, lo) : t.ValueMin;
            t.ValueMax = s.ValueMax is { } hi ? Math.Max(t.ValueMax ?? hi, hi) : t.ValueMax;
            foreach (var (label, count) in s.ClassesJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, long>>(s.ClassesJson)!)
            {
                t.Classes[label] = t.Classes.GetValueOrDefault(label) + count;
            }
        }
        return t;
    }

    /// <summary>A latency percentile in milliseconds, rounded to what the histogram can tell (three significant digits at most).</summary>
    public double? Percentile(double q) => LatencyHistogram.Percentile(Latency, q) is { } v ? Math.Round(v, v < 1 ? 3 : v < 100 ? 1 : 0) : null;
}

/// <summary><c>GET …/deployments/{name}/metrics</c>: each variant's requests, errors, latency percentiles and predictions over a window, with a time series.</summary>
internal sealed class DeploymentMetrics(MlDbContext db, DeploymentHandlers handlers, DeploymentMeterWriter writer, TimeProvider time)
{
    public static readonly int[] BucketChoices = [1, 5, 15, 60, 360, 1440];
    public const int MaxDays = 93;

    public async Task<Result<DeploymentMetricsResponse>> ReadAsync(string name, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var d = await handlers.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddHours(-1);
        if (start >= end)
        {
            return ValidationError.For("from", "from must be before to");
        }
        if (end - start > TimeSpan.FromDays(MaxDays))
        {
            return ValidationError.For("from", $"a window is at most {MaxDays} days");
        }
        await writer.FlushAsync(ct).ConfigureAwait(false);
        var first = DeploymentMeter.MinuteOf(start);
        var stats = await db.DeploymentStats.AsNoTracking().Where(s => s.DeploymentId == d.Id && s.Minute >= first && s.Minute < end).ToListAsync(ct).ConfigureAwait(false);
        var span = (end - first).TotalMinutes;
        var bucket = BucketChoices.FirstOrDefault(b => span / b <= 120, BucketChoices[^1]);
        var spec = DeploymentHandlers.Spec(d);
        var configured = spec.Variants.Select(v => (v.Name, Shadow: false)).Concat((spec.Shadows ?? []).Select(s => (s.Name, Shadow: true)));
        var seen = stats.Select(s => (Name: s.Variant, s.Shadow)).Distinct();
        var variants = new List<VariantMetricsDto>();
        foreach (var (variant, shadow) in configured.Concat(seen).Distinct().ToList())
        {
            var mine = stats.Where(s => s.Variant == variant && s.Shadow == shadow).ToList();
            var t = TrafficTotals.Of(mine);
            var mean = t.ValueCount == 0 ? (double?)null : t.ValueSum / t.ValueCount;
            double? std = t.ValueCount < 2 ? null : Math.Sqrt(Math.Max(0, (t.ValueSumSquares - (t.ValueSum * t.ValueSum / t.ValueCount)) / (t.ValueCount - 1)));
            var series = mine.GroupBy(s => first.AddMinutes(Math.Floor((s.Minute - first).TotalMinutes / bucket) * bucket)).OrderBy(g => g.Key)
                .Select(g =>
                {
                    var bt = TrafficTotals.Of(g);
                    return new MetricsPointDto(g.Key, bt.Requests, bt.Errors, bt.Percentile(0.95));
                }).ToList();
            variants.Add(new VariantMetricsDto(variant, shadow, t.Requests, t.Rows, t.Errors, t.ErrorRate, t.Percentile(0.5), t.Percentile(0.95), t.Percentile(0.99),
                t.Requests == 0 ? null : Math.Round(t.LatencySumMs / t.Requests, 3), mean, std, t.ValueMin, t.ValueMax, t.Classes.Count == 0 ? null : t.Classes, series));
        }
        return new DeploymentMetricsResponse(d.Name, start, end, bucket, variants);
    }
}

/// <summary>
/// Moves running canary rollouts along (every <see cref="Tick"/>): judges the canary against the stable variants on the
/// traffic of its current step, rolls it back when it crosses the policy's limits, else takes the next step once the
/// interval has passed and the canary has answered enough requests to be judged. Every move is a revision made by the
/// platform; a rollback or a promotion is told to the deployment's creator (and the organisation's webhooks).
/// </summary>
internal sealed partial class CanaryController(IServiceScopeFactory scopes, MlSettings settings, TimeProvider time, ILogger<CanaryController> logger)
    : Platform.Hosting.PeriodicWork(time, logger)
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);

    protected override TimeSpan Interval => Tick;

    protected override bool Enabled => settings.ControllersTick;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => TickAsync(cancellationToken);

    /// <summary>Judges every running rollout once; returns what it did to each (tests read it).</summary>
    public async Task<IReadOnlyList<string>> TickAsync(CancellationToken ct)
    {
        List<(Guid Tenant, Guid Id)> running;
        await using (var scope = scopes.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
            running = (await scope.ServiceProvider.GetRequiredService<MlDbContext>().Deployments.AsNoTracking()
                .Where(d => d.CanaryStatus == CanaryStatus.Running).Select(d => new { d.TenantId, d.Id }).ToListAsync(ct).ConfigureAwait(false))
                .Select(x => (x.TenantId, x.Id)).ToList();
        }
        var done = new List<string>();
        foreach (var (tenantId, id) in running)
        {
            await using var scope = scopes.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId);
            try
            {
                done.Add(await scope.ServiceProvider.GetRequiredService<CanaryStepper>().StepAsync(id, ct).ConfigureAwait(false));
            }
            catch (DbUpdateException ex) when (Astralytiq.Platform.Persistence.DbErrors.LostRace(ex))
            {
                // Another node (or another tick) judged the same rollout first; its revision stands.
                done.Add("changed meanwhile");
            }
        }
        return done;
    }
}

/// <summary>One judgement of one rollout (in its tenant's scope).</summary>
internal sealed class CanaryStepper(
    MlDbContext db, DeploymentHandlers handlers, DeploymentMeterWriter writer, DeploymentDirectory directory, IAuditLog audit, INotify notify, TimeProvider time)
{
    public async Task<string> StepAsync(Guid id, CancellationToken ct)
    {
        var d = await db.Deployments.SingleOrDefaultAsync(x => x.Id == id, ct).ConfigureAwait(false);
        if (d is null || d.CanaryStatus != CanaryStatus.Running)
        {
            return "not running";
        }
        var spec = DeploymentHandlers.Spec(d);
        var now = time.GetUtcNow();
        if (spec.Canary is not { } policy)
        {
            d.CanaryStatus = CanaryStatus.Stopped;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return "stopped";
        }
        await writer.FlushAsync(ct).ConfigureAwait(false);
        var stepAt = d.CanaryStepAt ?? d.UpdatedAt;
        var since = DeploymentMeter.MinuteOf(stepAt);
        var stats = await db.DeploymentStats.AsNoTracking().Where(s => s.DeploymentId == d.Id && !s.Shadow && s.Minute >= since).ToListAsync(ct).ConfigureAwait(false);
        var canary = TrafficTotals.Of(stats.Where(s => s.Variant == policy.Variant));
        var stable = TrafficTotals.Of(stats.Where(s => s.Variant != policy.Variant));
        var why = Judge(policy, canary, stable);
        if (why is not null)
        {
            d.CanaryStatus = CanaryStatus.RolledBack;
            d.CanaryReason = why;
            handlers.Apply(d, spec with { Variants = DeploymentHandlers.CanaryWeights(spec.Variants, policy.Variant, 0) }, RevisionKind.CanaryRolledBack, "rolled back: " + why, now, system: true);
            await SaveAndTellAsync(d, "deployment.canary_rolled_back", $"Canary {policy.Variant} of {d.Name} was rolled back", why, NotifySeverity.Warning, ct).ConfigureAwait(false);
            return "rolled back: " + why;
        }
        if (now < stepAt.AddMinutes(policy.IntervalMinutes))
        {
            return "holding";
        }
        if (canary.Requests < policy.MinRequests)
        {
            var waiting = $"waiting for traffic: the canary answered {canary.Requests:N0} of the {policy.MinRequests:N0} requests it needs in this step to be judged";
            if (d.CanaryReason != waiting)
            {
                d.CanaryReason = waiting;
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            return "waiting";
        }
        var next = Math.Min(d.CanaryStep + 1, policy.Steps.Count - 1);
        var weight = policy.Steps[next];
        var judged = $"{canary.Requests:N0} requests, error rate {canary.ErrorRate:P1} (stable {stable.ErrorRate:P1}), p95 {Ms(canary.Percentile(0.95))} (stable {Ms(stable.Percentile(0.95))})";
        d.CanaryStep = next;
        d.CanaryStepAt = now;
        if (weight >= 100)
        {
            var chosen = spec.Variants.Single(v => v.Name == policy.Variant) with { Weight = 100 };
            d.CanaryStatus = CanaryStatus.Promoted;
            d.CanaryReason = "promoted after " + judged;
            handlers.Apply(d, spec with { Variants = [chosen] }, RevisionKind.CanaryPromoted, d.CanaryReason, now, system: true);
            await SaveAndTellAsync(d, "deployment.canary_promoted", $"Canary {policy.Variant} of {d.Name} now takes all traffic", d.CanaryReason, NotifySeverity.Info, ct).ConfigureAwait(false);
            return "promoted";
        }
        d.CanaryReason = $"step {next + 1} of {policy.Steps.Count} after " + judged;
        handlers.Apply(d, spec with { Variants = DeploymentHandlers.CanaryWeights(spec.Variants, policy.Variant, weight) }, RevisionKind.CanaryStep, d.CanaryReason, now, system: true);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        directory.Forget(d.TenantId);
        return $"step {weight.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Why the canary must go back, or null: judged only once it has answered the policy's minimum of requests.</summary>
    internal static string? Judge(CanaryPolicyDto policy, TrafficTotals canary, TrafficTotals stable)
    {
        if (canary.Requests < policy.MinRequests)
        {
            return null;
        }
        if (canary.ErrorRate - stable.ErrorRate > policy.MaxErrorRateIncrease)
        {
            return $"its error rate was {canary.ErrorRate:P1} against {stable.ErrorRate:P1} for the stable variants over {canary.Requests:N0} requests " +
                $"(at most {policy.MaxErrorRateIncrease:P1} more is allowed)";
        }
        if (stable.Requests > 0 && canary.Percentile(0.95) is { } c && stable.Percentile(0.95) is { } s && c > policy.MaxLatencyRatio * s)
        {
            return $"its p95 latency was {Ms(c)} against {Ms(s)} for the stable variants (at most {policy.MaxLatencyRatio.ToString("0.##", CultureInfo.InvariantCulture)} times is allowed)";
        }
        return null;
    }

    private static string Ms(double? ms) => ms is null ? "n/a" : ms < 10 ? $"{ms:0.##} ms" : $"{ms:N0} ms";

    private async Task SaveAndTellAsync(MlDeployment d, string eventType, string title, string body, NotifySeverity severity, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        directory.Forget(d.TenantId);
        await audit.RecordAsync(new AuditRecord(eventType, AuditOutcome.Success, "deployment", d.Id.ToString(),
            new Dictionary<string, string> { ["name"] = d.Name, ["revision"] = d.Revision.ToString(CultureInfo.InvariantCulture), ["reason"] = body }), ct).ConfigureAwait(false);
        await notify.NotifyAsync(new NotifyRequest(eventType, d.CreatedBy is { } creator ? [creator] : [], title, body, "/deployments/" + d.Name, severity,
            new Dictionary<string, object?> { ["deployment"] = d.Name, ["revision"] = d.Revision, ["reason"] = body }), ct).ConfigureAwait(false);
    }
}
