using System.Text.Json.Nodes;
using Astralytiq.ML.Deployments;
using Astralytiq.ML.Prediction;
using Astralytiq.Platform.Notifications;
using Astralytiq.Platform.Scheduling;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Monitoring;

/// <summary>A deployment's retraining policy (<see cref="RetrainingPolicyDto"/> as JSON); <see cref="NextScheduledAt"/> is null without a schedule or when disabled.</summary>
internal sealed class RetrainingPolicy : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DeploymentId { get; set; }

    public bool Enabled { get; set; }

    public string PolicyJson { get; set; } = "{}";

    public DateTimeOffset? NextScheduledAt { get; set; }

    public Guid? UpdatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal static class RetrainingStatus
{
    public const string Training = "training";
    public const string Promoted = "promoted";
    public const string Canary = "canary";
    public const string Kept = "kept";
    public const string Failed = "failed";
}

internal static class RetrainingTrigger
{
    public const string Drift = "drift";
    public const string Decay = "decay";
    public const string Schedule = "schedule";
    public const string Manual = "manual";
}

/// <summary>
/// One retraining of a deployment, kept for good. While it trains, <see cref="ActiveDeploymentId"/> holds the
/// deployment's id under a unique index: a deployment has at most one retraining under way, on every node.
/// </summary>
internal sealed class RetrainingRun : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DeploymentId { get; set; }

    public Guid? ActiveDeploymentId { get; set; }

    public string Trigger { get; set; } = string.Empty;

    public string TriggerDetail { get; set; } = string.Empty;

    public Guid? ActorId { get; set; }

    public string Status { get; set; } = RetrainingStatus.Training;

    /// <summary>The policy as it was when the run started (later edits do not change a run's rule).</summary>
    public string PolicyJson { get; set; } = "{}";

    public string ChampionVariant { get; set; } = string.Empty;

    public Guid ModelId { get; set; }

    public string Model { get; set; } = string.Empty;

    public Guid ChampionVersionId { get; set; }

    public int ChampionVersion { get; set; }

    public Guid? ChallengerVersionId { get; set; }

    public int? ChallengerVersion { get; set; }

    public Guid? JobId { get; set; }

    public string Metric { get; set; } = string.Empty;

    public double? ChampionValue { get; set; }

    public double? ChallengerValue { get; set; }

    public double Margin { get; set; }

    public string? EvaluatedOn { get; set; }

    public int? EvaluationRows { get; set; }

    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>The newest drift window's figures, and the champion's quality on recent labelled predictions against its training.</summary>
internal sealed record DriftSignal(double DriftedShare, DateTimeOffset WindowEnd);

internal sealed record DecaySignal(string Metric, double Live, double Training, int Labelled);

/// <summary>
/// The rules of automated retraining (P22), free of storage so they can be checked exhaustively: when a policy starts
/// a run, and when a challenger replaces the champion.
/// </summary>
internal static class RetrainingRule
{
    /// <summary>
    /// Promote exactly when both were measured on at least <paramref name="minRows"/> rows, both values are finite, and
    /// the challenger is better than the champion by at least <paramref name="margin"/> in the metric's direction.
    /// </summary>
    public static (bool Promote, string Why) Decide(string metric, double? champion, double? challenger, double margin, int rows, int minRows)
    {
        var name = Astralytiq.Contracts.Formatting.MetricFormat.Name(metric);
        if (rows < minRows)
        {
            return (false, $"only {rows:N0} rows to compare on ({minRows:N0} needed)");
        }
        if (champion is not { } c || !double.IsFinite(c) || challenger is not { } n || !double.IsFinite(n))
        {
            return (false, $"{name} could not be measured for {(champion is not { } x || !double.IsFinite(x) ? "the champion" : "the challenger")} on these {rows:N0} rows");
        }
        var improvement = LiveMetrics.HigherIsBetter(metric) ? n - c : c - n;
        var figures = $"{name} {Show(metric, n)} against {Show(metric, c)} on {rows:N0} rows";
        return improvement >= margin
            ? (true, $"the challenger is better by {Diff(metric, improvement)} (at least {Diff(metric, margin)} needed): {figures}")
            : (false, improvement > 0
                ? $"the challenger is better by only {Diff(metric, improvement)} (at least {Diff(metric, margin)} needed): {figures}"
                : $"the challenger is not better: {figures}");
    }

    /// <summary>
    /// Why an automatic run starts now, or null. The schedule fires whenever it is due; drift and decay wait out the
    /// cooldown after the last run, and drift only counts a window that ended after that run started (a window is
    /// never acted on twice).
    /// </summary>
    public static (string Trigger, string Detail)? Trigger(RetrainingPolicyDto policy, DateTimeOffset now, DateTimeOffset? lastRunAt, DateTimeOffset? scheduledAt,
        DriftSignal? drift, DecaySignal? decay)
    {
        if (!policy.Enabled)
        {
            return null;
        }
        if (policy.Schedule is not null && scheduledAt is { } due && due <= now)
        {
            return (RetrainingTrigger.Schedule, $"the schedule '{policy.Schedule}' was due at {due:yyyy-MM-dd HH:mm} UTC");
        }
        if (lastRunAt is { } last && now < last.AddHours(policy.CooldownHours))
        {
            return null;
        }
        if (policy.DriftShare is { } share && drift is { } d && d.DriftedShare >= share && (lastRunAt is null || d.WindowEnd > lastRunAt))
        {
            return (RetrainingTrigger.Drift, $"{d.DriftedShare:P0} of the features drifted in the window ending {d.WindowEnd:yyyy-MM-dd HH:mm} UTC (at least {share:P0} starts a retraining)");
        }
        if (policy.MaxDecay is { } limit && decay is { } q && q.Labelled >= policy.MinLabelled && LiveMetrics.Worsening(q.Metric, q.Live, q.Training) >= limit)
        {
            var name = Astralytiq.Contracts.Formatting.MetricFormat.Name(q.Metric);
            return (RetrainingTrigger.Decay, $"{name} on the last {q.Labelled:N0} labelled predictions is {Show(q.Metric, q.Live)} against {Show(q.Metric, q.Training)} at training " +
                $"(worse by {Diff(q.Metric, LiveMetrics.Worsening(q.Metric, q.Live, q.Training))}; {Diff(q.Metric, limit)} starts a retraining)");
        }
        return null;
    }

    /// <summary>A value of the metric as pages show it (shares as percentages, scores with four decimals, errors in the data's units).</summary>
    public static string Show(string metric, double value) => Astralytiq.Contracts.Formatting.MetricFormat.Show(metric, value);

    /// <summary>A difference of the metric: percentage points for shares (accuracy, MAPE), else the metric's own units.</summary>
    public static string Diff(string metric, double value) => metric is "accuracy" or "mape" or "smape"
        ? Astralytiq.Contracts.Formatting.MetricFormat.Quantity(value * 100) + (Math.Abs(value * 100 - 1) < 1e-12 ? " point" : " points")
        : Astralytiq.Contracts.Formatting.MetricFormat.Quantity(value);
}

/// <summary>
/// Retraining (P22): a deployment's policy, its runs, and the run itself — a challenger trained on the newest version
/// of the champion's dataset with the champion's settings, both measured on the same rows, the margin rule deciding.
/// </summary>
internal sealed partial class RetrainingService(
    MlDbContext db, DeploymentHandlers deployments, DeploymentDirectory directory, RegistryHandlers registry, TrainingHandlers training, ModelArtifacts artifacts,
    FeedbackService feedback, IDatasetReader datasets, INotify notify, IAuditLog audit, ITenantContext tenant, MlSettings settings, TimeProvider time,
    ILogger<RetrainingService> logger)
{
    public static readonly string[] Actions = ["promote", "canary"];

    public async Task<Result<RetrainingStateDto>> GetAsync(string name, CancellationToken ct)
    {
        var d = await deployments.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var policy = await db.RetrainingPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.DeploymentId == d.Id, ct).ConfigureAwait(false);
        var runs = await db.RetrainingRuns.AsNoTracking().Where(r => r.DeploymentId == d.Id).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(200).ToListAsync(ct).ConfigureAwait(false);
        return new RetrainingStateDto(policy is null ? null : Policy(policy), policy?.NextScheduledAt, [.. runs.Select(ToDto)]);
    }

    public async Task<Result<RetrainingStateDto>> SetPolicyAsync(string name, RetrainingPolicyDto request, CancellationToken ct)
    {
        var d = await deployments.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var now = time.GetUtcNow();
        var errors = new FieldErrors();
        var metric = request.Metric ?? LiveMetrics.Default(d.Task);
        if (!LiveMetrics.For(d.Task).Contains(metric))
        {
            errors.Add("metric", $"a {d.Task.Replace('_', ' ')} deployment is compared by {string.Join(", ", LiveMetrics.For(d.Task))}");
        }
        if (request.DriftShare is { } share && (!double.IsFinite(share) || share <= 0 || share > 1))
        {
            errors.Add("drift_share", "drift_share is the share of features that must drift, above 0 and at most 1 (0.5: half of them)");
        }
        if (request.MaxDecay is { } decay && (!double.IsFinite(decay) || decay <= 0))
        {
            errors.Add("max_decay", "max_decay is how much worse than at training the metric may get, in its units, above 0 (0.05 for accuracy: five points)");
        }
        if (request.DriftShare is not null && d.Task == "forecasting")
        {
            errors.Add("drift_share", "a forecasting model's inputs are dates: retrain it on decay or on a schedule");
        }
        DateTimeOffset? next = null;
        if (request.Schedule is not null || request.TimeZone is not null)
        {
            next = CronSchedule.Check(errors, "schedule", "time_zone", request.Schedule, request.TimeZone, now, TimeSpan.FromHours(1));
        }
        if (!double.IsFinite(request.Margin) || request.Margin <= 0)
        {
            errors.Add("margin", "margin is how much better the challenger must be, in the metric's units, above 0 (0.01 for accuracy: one point)");
        }
        if (request.MinLabelled is < 10 or > 100_000)
        {
            errors.Add("min_labelled", "min_labelled must be between 10 and 100,000 rows");
        }
        if (request.EvaluationDays is < 1 or > 90)
        {
            errors.Add("evaluation_days", "evaluation_days must be between 1 and 90");
        }
        if (!Actions.Contains(request.Action))
        {
            errors.Add("action", "action is promote (the challenger replaces the champion) or canary (it starts as a canary rollout)");
        }
        if (request.CanarySteps is { } steps && (steps.Count is 0 or > 10 || steps.Any(s => !double.IsFinite(s) || s <= 0 || s > 100) || steps[^1] != 100
            || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First)))
        {
            errors.Add("canary_steps", "canary_steps are 1 to 10 rising percentages, the last 100 (e.g. [10, 50, 100])");
        }
        if (request.CooldownHours is < 0 or > 24 * 90)
        {
            errors.Add("cooldown_hours", "cooldown_hours must be between 0 and 2,160 (90 days)");
        }
        if (request.Enabled && request.DriftShare is null && request.MaxDecay is null && request.Schedule is null)
        {
            errors.Add("enabled", "an enabled policy needs a trigger: drift_share, max_decay or schedule (a retraining can always be started by hand)");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var dto = request with { Metric = metric, TimeZone = request.Schedule is null ? null : request.TimeZone };
        var row = await db.RetrainingPolicies.SingleOrDefaultAsync(p => p.DeploymentId == d.Id, ct).ConfigureAwait(false);
        if (row is null)
        {
            row = new RetrainingPolicy { Id = Guid.NewGuid(), TenantId = d.TenantId, DeploymentId = d.Id };
            db.RetrainingPolicies.Add(row);
        }
        row.Enabled = dto.Enabled;
        row.PolicyJson = JsonSerializer.Serialize(dto, ApiJson.Options);
        row.NextScheduledAt = dto.Enabled ? next : null;
        row.UpdatedBy = tenant.UserId;
        row.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (Platform.Persistence.DbErrors.LostRace(ex))
        {
            return new ConflictError("the retraining policy was changed meanwhile; reload it and try again");
        }
        await audit.RecordAsync(new AuditRecord("deployment.retraining_policy_set", AuditOutcome.Success, "deployment", d.Id.ToString(), new Dictionary<string, string>
        {
            ["name"] = d.Name, ["enabled"] = dto.Enabled ? "yes" : "no", ["policy"] = row.PolicyJson,
        }), ct).ConfigureAwait(false);
        return await GetAsync(d.Id.ToString(), ct).ConfigureAwait(false);
    }

    /// <summary>Starts a retraining by hand (the policy's rule, or the defaults without one); 409 while one is under way.</summary>
    public async Task<Result<RetrainingRunDto>> StartByHandAsync(string name, StartRetrainingRequest request, CancellationToken ct)
    {
        var d = await deployments.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        if (request.Reason is { Length: > DeploymentHandlers.MaxReason })
        {
            return ValidationError.For("reason", $"a reason is at most {DeploymentHandlers.MaxReason} characters");
        }
        var row = await db.RetrainingPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.DeploymentId == d.Id, ct).ConfigureAwait(false);
        var policy = row is null ? new RetrainingPolicyDto(Enabled: false, Metric: LiveMetrics.Default(d.Task)) : Policy(row);
        var detail = "started by hand" + (string.IsNullOrWhiteSpace(request.Reason) ? string.Empty : ": " + request.Reason.Trim());
        var run = await StartAsync(d, policy, RetrainingTrigger.Manual, detail, tenant.UserId, ct).ConfigureAwait(false);
        return run.IsSuccess ? ToDto(run.Value) : run.Error!;
    }

    /// <summary>
    /// Records the run, then queues the challenger's training (the champion's request on the newest version of its
    /// dataset). A training that cannot start (the plan's models used up, a column gone) fails the run with the reason.
    /// </summary>
    internal async Task<Result<RetrainingRun>> StartAsync(MlDeployment d, RetrainingPolicyDto policy, string trigger, string detail, Guid? actor, CancellationToken ct)
    {
        var spec = DeploymentHandlers.Spec(d);
        var champion = spec.Variants.OrderByDescending(v => v.Weight).First();
        var found = await registry.FindVersionAsync(champion.Model, champion.Version, champion.Alias, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        // Asked first, so the usual refusal is an answer, not a failed insert in the log; the unique index settles true races.
        if (await db.RetrainingRuns.AnyAsync(r => r.ActiveDeploymentId == d.Id, ct).ConfigureAwait(false))
        {
            return new ConflictError($"a retraining of '{d.Name}' is already under way; wait for its decision");
        }
        var now = time.GetUtcNow();
        var run = new RetrainingRun
        {
            Id = Guid.CreateVersion7(now), TenantId = d.TenantId, DeploymentId = d.Id, ActiveDeploymentId = d.Id, Trigger = trigger, TriggerDetail = Cap(detail, 1000),
            ActorId = actor, PolicyJson = JsonSerializer.Serialize(policy, ApiJson.Options), ChampionVariant = champion.Name, ModelId = m.Id, Model = m.Name,
            ChampionVersionId = v.Id, ChampionVersion = v.Version, Metric = policy.Metric ?? LiveMetrics.Default(d.Task), Margin = policy.Margin, CreatedAt = now,
        };
        db.RetrainingRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (Platform.Persistence.DbErrors.LostRace(ex))
        {
            db.ChangeTracker.Clear();
            return new ConflictError($"a retraining of '{d.Name}' is already under way; wait for its decision");
        }
        var championSpec = JsonSerializer.Deserialize<Training.TrainingSpec>(v.RequestJson, ApiJson.Options)!;
        var started = await training.StartAsync(new TrainModelRequest(m.Name, v.DatasetId, v.Task, championSpec.Target, DatasetVersion: null,
            Features: championSpec.Features.Count == 0 ? null : championSpec.Features, Algorithm: championSpec.Algorithm, HyperParameters: championSpec.HyperParameters,
            TimeBudgetSeconds: championSpec.TimeBudgetSeconds, MaxTrials: championSpec.MaxTrials, CvFolds: championSpec.CvFolds, TestFraction: championSpec.TestFraction,
            Seed: championSpec.Seed, TimeColumn: championSpec.TimeColumn, SeriesColumn: championSpec.SeriesColumn, Horizon: championSpec.Horizon,
            SeasonLength: championSpec.SeasonLength, SearchSpace: championSpec.SearchSpace), ct).ConfigureAwait(false);
        if (!started.IsSuccess)
        {
            var e = started.Error!;
            await FinishAsync(d, run, RetrainingStatus.Failed, "the challenger's training could not start: " + e.Message
                + (e.Details is { Count: > 0 } details ? " (" + string.Join("; ", details.Select(x => x.Message)) + ")" : string.Empty), ct).ConfigureAwait(false);
            return run;
        }
        var challenger = await db.Versions.AsNoTracking().SingleAsync(x => x.ModelId == m.Id && x.Version == started.Value.Version, ct).ConfigureAwait(false);
        run.ChallengerVersionId = challenger.Id;
        run.ChallengerVersion = challenger.Version;
        run.JobId = started.Value.JobId;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("deployment.retraining_started", AuditOutcome.Success, "deployment", d.Id.ToString(), new Dictionary<string, string>
        {
            ["name"] = d.Name, ["trigger"] = trigger, ["detail"] = run.TriggerDetail, ["model"] = m.Name,
            ["champion"] = v.Version.ToString(CultureInfo.InvariantCulture), ["challenger"] = challenger.Version.ToString(CultureInfo.InvariantCulture),
        }), ct).ConfigureAwait(false);
        LogStarted(logger, d.Name, trigger, m.Name, challenger.Version);
        return run;
    }

    /// <summary>Moves a run on: nothing while its challenger trains; once it is ready, measures both and decides.</summary>
    internal async Task<string> AdvanceAsync(Guid runId, CancellationToken ct)
    {
        var run = await db.RetrainingRuns.SingleOrDefaultAsync(r => r.Id == runId, ct).ConfigureAwait(false);
        if (run is null || run.Status != RetrainingStatus.Training)
        {
            return "not training";
        }
        var d = await db.Deployments.SingleOrDefaultAsync(x => x.Id == run.DeploymentId, ct).ConfigureAwait(false);
        if (d is null)
        {
            run.Status = RetrainingStatus.Failed;
            run.ActiveDeploymentId = null;
            run.Reason = "the deployment was deleted";
            run.DecidedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return "failed";
        }
        var challenger = run.ChallengerVersionId is { } cid ? await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.Id == cid, ct).ConfigureAwait(false) : null;
        if (challenger is null)
        {
            await FinishAsync(d, run, RetrainingStatus.Failed, "the challenger's training never started", ct).ConfigureAwait(false);
            return "failed";
        }
        if (challenger.Status == VersionStatus.Training)
        {
            return "training";
        }
        if (challenger.Status != VersionStatus.Ready)
        {
            await FinishAsync(d, run, RetrainingStatus.Failed, $"the challenger's training failed: {challenger.Error ?? challenger.Status}", ct).ConfigureAwait(false);
            return "failed";
        }
        var champion = await db.Versions.AsNoTracking().SingleAsync(v => v.Id == run.ChampionVersionId, ct).ConfigureAwait(false);
        var policy = JsonSerializer.Deserialize<RetrainingPolicyDto>(run.PolicyJson, ApiJson.Options)!;
        var measured = await MeasureAsync(d, run, policy, champion, challenger, ct).ConfigureAwait(false);
        if (!measured.IsSuccess)
        {
            await FinishAsync(d, run, RetrainingStatus.Failed, "the challenger could not be compared: " + measured.Error!.Message, ct).ConfigureAwait(false);
            return "failed";
        }
        var (on, rows, championValue, challengerValue, note) = measured.Value;
        run.EvaluatedOn = on;
        run.EvaluationRows = rows;
        run.ChampionValue = championValue;
        run.ChallengerValue = challengerValue;
        var (promote, why) = RetrainingRule.Decide(run.Metric, championValue, challengerValue, run.Margin, rows, policy.MinLabelled);
        why = (on == "feedback" ? "on the labelled predictions of the last " + Days(policy.EvaluationDays) : "on the challenger's held-out rows of " + note) + ": " + why;
        if (challenger.DatasetId == champion.DatasetId && challenger.DatasetVersion == champion.DatasetVersion)
        {
            why += $" (the challenger was trained on the same data as the champion, version {challenger.DatasetVersion} of its dataset: no newer version exists)";
        }
        if (!promote)
        {
            await FinishAsync(d, run, RetrainingStatus.Kept, $"v{champion.Version} stays: " + why, ct).ConfigureAwait(false);
            return "kept";
        }
        var spec = DeploymentHandlers.Spec(d);
        var variant = spec.Variants.FirstOrDefault(v => v.Name == run.ChampionVariant);
        var servesChampion = false;
        if (variant is not null)
        {
            var serving = await registry.FindVersionAsync(variant.Model, variant.Version, variant.Alias, ready: true, ct).ConfigureAwait(false);
            servesChampion = serving.IsSuccess && serving.Value.Version.Id == champion.Id;
        }
        if (!servesChampion)
        {
            await FinishAsync(d, run, RetrainingStatus.Kept, $"the deployment changed while the challenger trained ('{run.ChampionVariant}' no longer serves v{champion.Version}); " +
                $"nothing was changed, though v{challenger.Version} was better " + why, ct).ConfigureAwait(false);
            return "kept";
        }
        var now = time.GetUtcNow();
        if (policy.Action == "canary")
        {
            var name = UniqueName(spec, $"retrained-v{challenger.Version}");
            var added = spec.Variants.Append(new DeploymentVariantDto(name, run.Model, challenger.Version, null, 0)).ToList();
            var canary = spec.Canary is { } existing
                ? existing with { Variant = name, Steps = policy.CanarySteps ?? existing.Steps }
                : new CanaryPolicyDto(name, policy.CanarySteps ?? [10, 50, 100]);
            deployments.Apply(d, spec with { Variants = added, Canary = canary }, RevisionKind.Retrained, $"retraining: v{challenger.Version} starts as canary '{name}' " + why, now, system: true);
        }
        else
        {
            var replaced = spec.Variants.Select(v => v.Name == run.ChampionVariant ? v with { Version = challenger.Version, Alias = null } : v).ToList();
            deployments.Apply(d, spec with { Variants = replaced, Canary = null }, RevisionKind.Retrained, $"retraining: v{challenger.Version} replaces v{champion.Version} " + why, now, system: true);
        }
        var status = policy.Action == "canary" ? RetrainingStatus.Canary : RetrainingStatus.Promoted;
        try
        {
            await FinishAsync(d, run, status, (status == RetrainingStatus.Canary ? $"v{challenger.Version} started as a canary " : $"v{challenger.Version} replaced v{champion.Version} ") + why, ct)
                .ConfigureAwait(false);
        }
        finally
        {
            directory.Forget(d.TenantId);
        }
        return status;
    }

    /// <summary>Both versions' metric on the same rows: recent labelled predictions when there are enough, else the challenger's held-out rows.</summary>
    private async Task<Result<(string On, int Rows, double? Champion, double? Challenger, string Note)>> MeasureAsync(
        MlDeployment d, RetrainingRun run, RetrainingPolicyDto policy, ModelVersion champion, ModelVersion challenger, CancellationToken ct)
    {
        var loadedChampion = await artifacts.LoadAsync(champion, ct).ConfigureAwait(false);
        if (!loadedChampion.IsSuccess)
        {
            return loadedChampion.Error!;
        }
        var loadedChallenger = await artifacts.LoadAsync(challenger, ct).ConfigureAwait(false);
        if (!loadedChallenger.IsSuccess)
        {
            return loadedChallenger.Error!;
        }
        var now = time.GetUtcNow();
        var labelled = await feedback.LabelledAsync(d.Id, now.AddDays(-policy.EvaluationDays), now, ct, servedOnly: true, inputs: true).ConfigureAwait(false);
        string? why = null;
        if (labelled.Count >= policy.MinLabelled)
        {
            var inputs = labelled.Select(r => JsonNode.Parse(r.InputJson!) as JsonObject ?? []).ToList();
            var a = Score(loadedChampion.Value, champion.Seed, inputs);
            var b = Score(loadedChallenger.Value, challenger.Seed, inputs);
            if (a is not null && b is not null)
            {
                var actual = labelled.Select(r => r.Labelled).ToList();
                var ma = LiveMetrics.Compute(d.Task, [.. a.Select((p, i) => Labelled.Of(p, actual[i].ActualNumber, actual[i].ActualLabel))]);
                var mb = LiveMetrics.Compute(d.Task, [.. b.Select((p, i) => Labelled.Of(p, actual[i].ActualNumber, actual[i].ActualLabel))]);
                return ("feedback", labelled.Count, LiveMetrics.Value(ma, run.Metric), LiveMetrics.Value(mb, run.Metric), string.Empty);
            }
            why = "the challenger cannot score the logged inputs";
        }
        if (loadedChallenger.Value.Bundle is not { } bundle || loadedChampion.Value.Bundle is not { } old)
        {
            return ("feedback", labelled.Count, null, null, string.Empty);
        }
        // Too few labelled predictions (or inputs the challenger cannot read): the rows the challenger held out of its
        // training, which it has never seen. The champion may have trained on some of them (an older version of the
        // same data), which can only favour the champion: the comparison errs on the side of keeping it.
        var spec = JsonSerializer.Deserialize<Training.TrainingSpec>(challenger.RequestJson, ApiJson.Options)!;
        var read = await datasets.ReadAsync(challenger.DatasetId, challenger.DatasetVersion, [.. spec.Features.Append(spec.Target)], settings.MaxTrainingRows, ct).ConfigureAwait(false);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }
        var table = read.Value;
        List<int> test;
        double[] labels;
        List<string> classes;
        try
        {
            (test, labels, classes) = Training.ModelTrainer.HeldOut(table, Training.TrainingJob.PlanOf(spec));
        }
        catch (Training.TrainingDataException e)
        {
            return ValidationError.For("dataset", e.Message);
        }
        var numeric = LiveMetrics.IsNumeric(d.Task);
        var truth = test.Select(r => numeric ? new Labelled(null, null, null, labels[r], null) : new Labelled(null, null, null, null, classes[(int)labels[r]])).ToList();
        double? Measure(ModelBundle m)
        {
            var scores = m.Score([.. test.Select(r => m.Featurizer.Encode(table, r))]);
            var rows = test.Select((_, i) => numeric
                ? truth[i] with { Predicted = scores.Values![i] }
                : truth[i] with
                {
                    PredictedLabel = m.Classes[Training.ModelTrainer.ArgMax(scores.Probabilities![i])],
                    Probabilities = [.. m.Classes.Select((c, k) => new ClassProbabilityDto(c, scores.Probabilities![i][k]))],
                }).ToList();
            return LiveMetrics.Value(LiveMetrics.Compute(d.Task, rows), run.Metric);
        }
        var note = $"{table.DatasetName} v{table.Version}" + (why is null ? $" (only {labelled.Count:N0} labelled predictions; {policy.MinLabelled:N0} needed)" : $" ({why})");
        return ("holdout", test.Count, Measure(old), Measure(bundle), note);
    }

    private static List<PredictionDto>? Score(LoadedModel model, int seed, List<JsonObject> inputs)
    {
        var all = new List<PredictionDto>(inputs.Count);
        foreach (var chunk in inputs.Chunk(2_000))
        {
            var made = PredictionHandlers.Score(model, chunk, explain: false, seed);
            if (!made.IsSuccess)
            {
                return null;
            }
            all.AddRange(made.Value);
        }
        return all;
    }

    private async Task FinishAsync(MlDeployment d, RetrainingRun run, string status, string reason, CancellationToken ct)
    {
        run.Status = status;
        run.ActiveDeploymentId = null;
        run.Reason = Cap(reason, 2000);
        run.DecidedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("deployment.retraining_" + status, AuditOutcome.Success, "deployment", d.Id.ToString(), new Dictionary<string, string>
        {
            ["name"] = d.Name, ["model"] = run.Model, ["champion"] = run.ChampionVersion.ToString(CultureInfo.InvariantCulture),
            ["challenger"] = run.ChallengerVersion?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, ["reason"] = run.Reason,
        }), ct).ConfigureAwait(false);
        var title = status switch
        {
            RetrainingStatus.Promoted => $"{d.Name} now serves retrained v{run.ChallengerVersion} of {run.Model}",
            RetrainingStatus.Canary => $"Retrained v{run.ChallengerVersion} of {run.Model} starts as a canary of {d.Name}",
            RetrainingStatus.Kept => $"{d.Name} keeps v{run.ChampionVersion} of {run.Model} after retraining",
            _ => $"Retraining of {d.Name} failed",
        };
        await notify.NotifyAsync(new NotifyRequest(MlEvents.RetrainingFinished, d.CreatedBy is { } creator ? [creator] : [], title, run.Reason, "/deployments/" + d.Name,
            status == RetrainingStatus.Failed ? NotifySeverity.Warning : NotifySeverity.Info,
            new Dictionary<string, object?>
            {
                ["deployment"] = d.Name, ["run_id"] = run.Id, ["status"] = status, ["trigger"] = run.Trigger, ["model"] = run.Model,
                ["champion_version"] = run.ChampionVersion, ["challenger_version"] = run.ChallengerVersion, ["metric"] = run.Metric,
                ["champion_value"] = run.ChampionValue, ["challenger_value"] = run.ChallengerValue, ["reason"] = run.Reason,
            }), ct).ConfigureAwait(false);
        LogDecided(logger, d.Name, status, run.Reason);
    }

    private static string UniqueName(DeploymentSpecDto spec, string name)
    {
        var taken = spec.Variants.Select(v => v.Name).Concat((spec.Shadows ?? []).Select(s => s.Name)).ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (var i = 2; taken.Contains(candidate); i++)
        {
            candidate = $"{name}-{i}";
        }
        return candidate;
    }

    private static string Days(int days) => days == 1 ? "day" : $"{days} days";

    private static string Cap(string text, int max) => text.Length > max ? text[..(max - 1)] + "…" : text;

    internal static RetrainingPolicyDto Policy(RetrainingPolicy row) => JsonSerializer.Deserialize<RetrainingPolicyDto>(row.PolicyJson, ApiJson.Options)!;

    internal static RetrainingRunDto ToDto(RetrainingRun r) => new(r.Id, r.Trigger, r.TriggerDetail, r.ActorId, r.Status, r.ChampionVariant, r.Model, r.ChampionVersion,
        r.ChallengerVersion, r.JobId, r.Metric, r.ChampionValue, r.ChallengerValue, r.Margin, r.EvaluatedOn, r.EvaluationRows, r.Reason, r.CreatedAt, r.DecidedAt);

    /// <summary>The champion's quality on the policy's recent labelled predictions against its training metric (null without enough of them).</summary>
    internal async Task<DecaySignal?> DecayAsync(MlDeployment d, RetrainingPolicyDto policy, CancellationToken ct)
    {
        var spec = DeploymentHandlers.Spec(d);
        var champion = spec.Variants.OrderByDescending(v => v.Weight).First();
        var found = await registry.FindVersionAsync(champion.Model, champion.Version, champion.Alias, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess || found.Value.Version.MetricsJson is not { } json)
        {
            return null;
        }
        var metric = policy.Metric ?? LiveMetrics.Default(d.Task);
        var now = time.GetUtcNow();
        var versionId = found.Value.Version.Id;
        var rows = (await feedback.LabelledAsync(d.Id, now.AddDays(-policy.EvaluationDays), now, ct, servedOnly: true).ConfigureAwait(false))
            .Where(r => r.VersionId == versionId).Select(r => r.Labelled).ToList();
        var live = LiveMetrics.Value(LiveMetrics.Compute(d.Task, rows), metric);
        var trained = LiveMetrics.Value(JsonSerializer.Deserialize<ModelMetricsDto>(json, ApiJson.Options)!, metric);
        return live is { } l && trained is { } t ? new DecaySignal(metric, l, t, rows.Count) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining of deployment {Deployment} started ({Trigger}): {Model} v{Version} is training")]
    private static partial void LogStarted(ILogger logger, string deployment, string trigger, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining of deployment {Deployment}: {Status} — {Reason}")]
    private static partial void LogDecided(ILogger logger, string deployment, string status, string? reason);
}

/// <summary>
/// Runs the retraining policies (every <see cref="Tick"/>): moves the runs under way on (a challenger that finished
/// training is measured and decided on), and starts a run for each enabled policy whose schedule is due or whose
/// drift or decay threshold is crossed. Decay is measured when feedback arrived, else at most every <see cref="DecayEvery"/>.
/// </summary>
internal sealed partial class RetrainingController(IServiceScopeFactory scopes, MlSettings settings, TimeProvider time, ILogger<RetrainingController> logger)
    : Platform.Hosting.PeriodicWork(time, logger)
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DecayEvery = TimeSpan.FromMinutes(10);

    /// <summary>Feedback that keeps arriving is measured at most this often (each measure reads up to 100,000 labelled rows).</summary>
    public static readonly TimeSpan DecayAfterFeedback = TimeSpan.FromMinutes(1);
    private readonly Dictionary<Guid, (DateTimeOffset At, DateTimeOffset Feedback)> _decayCheckedAt = [];

    protected override TimeSpan Interval => Tick;

    protected override bool Enabled => settings.ControllersTick;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => TickAsync(cancellationToken);

    /// <summary>One pass over the runs under way and the enabled policies; returns what it did (tests read it).</summary>
    public async Task<IReadOnlyList<string>> TickAsync(CancellationToken ct, Guid? onlyTenant = null)
    {
        List<(Guid Tenant, Guid Id)> active;
        List<(Guid Tenant, Guid Deployment)> policies;
        await using (var scope = scopes.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<MlDbContext>();
            active = (await db.RetrainingRuns.AsNoTracking().Where(r => r.ActiveDeploymentId != null && (onlyTenant == null || r.TenantId == onlyTenant))
                .Select(r => new { r.TenantId, r.Id }).ToListAsync(ct).ConfigureAwait(false)).Select(x => (x.TenantId, x.Id)).ToList();
            policies = (await db.RetrainingPolicies.AsNoTracking().Where(p => p.Enabled && (onlyTenant == null || p.TenantId == onlyTenant))
                .Select(p => new { p.TenantId, p.DeploymentId }).ToListAsync(ct).ConfigureAwait(false)).Select(x => (x.TenantId, x.DeploymentId)).ToList();
        }
        var done = new List<string>();
        foreach (var (tenantId, id) in active)
        {
            await using var scope = scopes.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId);
            try
            {
                done.Add(await scope.ServiceProvider.GetRequiredService<RetrainingService>().AdvanceAsync(id, ct).ConfigureAwait(false));
            }
            catch (DbUpdateException ex) when (Platform.Persistence.DbErrors.LostRace(ex))
            {
                done.Add("changed meanwhile");
            }
        }
        foreach (var (tenantId, deploymentId) in policies)
        {
            await using var scope = scopes.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId);
            done.Add(await CheckAsync(scope.ServiceProvider, deploymentId, ct).ConfigureAwait(false));
        }
        return done;
    }

    private async Task<string> CheckAsync(IServiceProvider services, Guid deploymentId, CancellationToken ct)
    {
        var db = services.GetRequiredService<MlDbContext>();
        var row = await db.RetrainingPolicies.SingleOrDefaultAsync(p => p.DeploymentId == deploymentId, ct).ConfigureAwait(false);
        var d = await db.Deployments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == deploymentId, ct).ConfigureAwait(false);
        if (row is null || d is null || !row.Enabled)
        {
            return "no policy";
        }
        if (await db.RetrainingRuns.AnyAsync(r => r.ActiveDeploymentId == deploymentId, ct).ConfigureAwait(false))
        {
            return "under way";
        }
        var policy = RetrainingService.Policy(row);
        var now = Clock.GetUtcNow();
        var lastRunAt = await db.RetrainingRuns.Where(r => r.DeploymentId == deploymentId).OrderByDescending(r => r.CreatedAt).Select(r => (DateTimeOffset?)r.CreatedAt)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var drift = policy.DriftShare is null ? null : await db.DriftResults.AsNoTracking().Where(r => r.DeploymentId == deploymentId).OrderByDescending(r => r.WindowEnd)
            .Select(r => new DriftSignal(r.DriftedShare, r.WindowEnd)).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var service = services.GetRequiredService<RetrainingService>();
        DecaySignal? decay = null;
        if (policy.MaxDecay is not null && (lastRunAt is null || now >= lastRunAt.Value.AddHours(policy.CooldownHours)))
        {
            var newest = await db.Feedback.Where(f => f.DeploymentId == deploymentId).OrderByDescending(f => f.UpdatedAt).Select(f => (DateTimeOffset?)f.UpdatedAt)
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (newest is not null && DecayDue(deploymentId, now, newest.Value))
            {
                decay = await service.DecayAsync(d, policy, ct).ConfigureAwait(false);
            }
        }
        var trigger = RetrainingRule.Trigger(policy, now, lastRunAt, row.NextScheduledAt, drift, decay);
        if (trigger is not { } t)
        {
            return "quiet";
        }
        if (t.Trigger == RetrainingTrigger.Schedule && policy.Schedule is { } cron)
        {
            row.NextScheduledAt = CronSchedule.NextRun(cron, policy.TimeZone, now);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        var started = await service.StartAsync(d, policy, t.Trigger, t.Detail, null, ct).ConfigureAwait(false);
        return started.IsSuccess ? "started: " + t.Trigger : "not started: " + started.Error!.Message;
    }

    /// <summary>
    /// Whether this deployment's decay is to be measured now: a minute after the last measure when feedback arrived since,
    /// else every <see cref="DecayEvery"/> (the window slides; a clock moved back measures again).
    /// </summary>
    private bool DecayDue(Guid deploymentId, DateTimeOffset now, DateTimeOffset newestFeedback)
    {
        lock (_decayCheckedAt)
        {
            if (_decayCheckedAt.TryGetValue(deploymentId, out var last) && now >= last.At
                && now - last.At < (last.Feedback == newestFeedback ? DecayEvery : DecayAfterFeedback))
            {
                return false;
            }
            _decayCheckedAt[deploymentId] = (now, newestFeedback);
            return true;
        }
    }
}
