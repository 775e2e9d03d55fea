using Astralytiq.Platform.Quotas;
using Astralytiq.Platform.Persistence;
using System.Text.RegularExpressions;
using Astralytiq.ML.Prediction;
using Astralytiq.Platform.Tenancy;

namespace Astralytiq.ML.Deployments;

/// <summary>
/// Deployments: create, read, change (weights, promote, roll back, replace), delete, with a revision for every change.
/// A configuration is saved only once every variant's version is ready, loaded and warmed on this node, so a
/// deployment goes live with nothing left to load.
/// </summary>
internal sealed partial class DeploymentHandlers(
    MlDbContext db, RegistryHandlers registry, ModelArtifacts artifacts, DeploymentDirectory directory, ITenantContext tenant, IAuditLog audit,
    MlEvents events, IQuotas quotas, MlSettings settings, TimeProvider time)
{
    /// <summary>The key a deployment is counted under against the plan's <see cref="QuotaMetrics.Deployments"/>.</summary>
    internal const string CountPrefix = "deployment";

    public const int MaxVariants = 10;
    public const int MaxShadows = 5;
    public const int MaxReason = 500;

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    private const string NameRule = "1 to 64 lower-case letters, digits, '_' or '-', starting with a letter";

    public async Task<Result<DeploymentDto>> CreateAsync(CreateDeploymentRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Name is null || !NamePattern().IsMatch(request.Name))
        {
            errors.Add("name", "a deployment name is " + NameRule);
        }
        errors.MaxLength("description", request.Description, 2000).MaxLength("reason", request.Reason, MaxReason);
        var spec = new DeploymentSpecDto(request.Variants, request.Shadows, request.Canary, request.LogSampleRate);
        var checkedSpec = await CheckAsync(spec, errors, ct).ConfigureAwait(false);
        if (!checkedSpec.IsSuccess)
        {
            return checkedSpec.Error!;
        }
        if (await db.Deployments.AnyAsync(d => d.Name == request.Name, ct).ConfigureAwait(false))
        {
            return new ConflictError($"a deployment named '{request.Name}' exists; change it with PUT, or pick another name");
        }
        var (pinned, task) = checkedSpec.Value;
        var now = time.GetUtcNow();
        var d = new MlDeployment
        {
            Id = Guid.NewGuid(), TenantId = tenant.TenantId ?? Guid.Empty, Name = request.Name!, Description = request.Description, Task = task,
            CreatedBy = tenant.UserId, CreatedAt = now,
        };
        // Counted first, atomically against the plan's limit; given back if the deployment is not saved after all.
        var key = CountedQuotaRegistration.Key(CountPrefix, d.Id);
        var counted = await quotas.ConsumeAsync(QuotaMetrics.Deployments, 1, key, ct).ConfigureAwait(false);
        if (!counted.IsSuccess)
        {
            return counted.Error!;
        }
        db.Deployments.Add(d);
        Apply(d, pinned, RevisionKind.Created, request.Reason, now);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (DbErrors.LostRace(ex))
        {
            await quotas.ReleaseAsync(QuotaMetrics.Deployments, key, CancellationToken.None).ConfigureAwait(false);
            return new ConflictError($"a deployment named '{request.Name}' was just created; change it with PUT, or pick another name");
        }
        catch
        {
            await quotas.ReleaseAsync(QuotaMetrics.Deployments, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await AuditAsync("deployment.created", d, request.Reason, ct).ConfigureAwait(false);
        return await ToDtoAsync(d, ct).ConfigureAwait(false);
    }

    public async Task<Result<Page<DeploymentDto>>> ListAsync(int? offset, int? limit, CancellationToken ct)
    {
        var skip = offset ?? 0;
        var take = limit ?? 50;
        if (skip < 0 || take is < 1 or > 200)
        {
            return ValidationError.For("limit", "offset must be 0 or more and limit between 1 and 200");
        }
        var total = await db.Deployments.CountAsync(ct).ConfigureAwait(false);
        var page = await db.Deployments.AsNoTracking().OrderBy(d => d.Name).Skip(skip).Take(take).ToListAsync(ct).ConfigureAwait(false);
        var items = new List<DeploymentDto>(page.Count);
        foreach (var d in page)
        {
            items.Add(await ToDtoAsync(d, ct).ConfigureAwait(false));
        }
        return new Page<DeploymentDto>(items, total, skip, take);
    }

    public async Task<Result<DeploymentDto>> GetAsync(string name, CancellationToken ct)
    {
        var d = await FindAsync(name, track: false, ct).ConfigureAwait(false);
        return d is null ? new NotFoundError("Deployment") : await ToDtoAsync(d, ct).ConfigureAwait(false);
    }

    public async Task<Result<DeploymentDto>> UpdateAsync(string name, UpdateDeploymentRequest request, CancellationToken ct)
    {
        var d = await FindAsync(name, track: true, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var errors = new FieldErrors().MaxLength("description", request.Description, 2000).MaxLength("reason", request.Reason, MaxReason);
        var checkedSpec = await CheckAsync(new DeploymentSpecDto(request.Variants, request.Shadows, request.Canary, request.LogSampleRate), errors, ct).ConfigureAwait(false);
        if (!checkedSpec.IsSuccess)
        {
            return checkedSpec.Error!;
        }
        var (pinned, task) = checkedSpec.Value;
        if (!string.Equals(task, d.Task, StringComparison.Ordinal))
        {
            return ValidationError.For("variants", $"this deployment serves {d.Task} models; a {task} model needs a deployment of its own");
        }
        if (request.Description is not null)
        {
            d.Description = request.Description;
        }
        Apply(d, pinned, RevisionKind.Updated, request.Reason, time.GetUtcNow());
        return await SaveAsync(d, "deployment.updated", request.Reason, ct).ConfigureAwait(false);
    }

    /// <summary>New weights by name; any canary rollout stops (the weights are the user's now).</summary>
    public async Task<Result<DeploymentDto>> SetWeightsAsync(string name, SetWeightsRequest request, CancellationToken ct)
    {
        var d = await FindAsync(name, track: true, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var spec = Spec(d);
        var errors = new FieldErrors().MaxLength("reason", request.Reason, MaxReason);
        if (request.Weights is null || request.Weights.Count == 0)
        {
            return ValidationError.For("weights", "name each variant's new weight: {\"variant\": percent}");
        }
        foreach (var key in request.Weights.Keys.Where(k => spec.Variants.All(v => v.Name != k)))
        {
            errors.Add($"weights.{key}", $"no variant '{key}'; the variants are {string.Join(", ", spec.Variants.Select(v => v.Name))}");
        }
        var variants = spec.Variants.Select(v => request.Weights.TryGetValue(v.Name, out var w) ? v with { Weight = w } : v).ToList();
        CheckWeights(variants, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        Apply(d, spec with { Variants = variants, Canary = null }, RevisionKind.Weights, request.Reason, time.GetUtcNow(), keepCanaryPolicy: spec.Canary);
        return await SaveAsync(d, "deployment.weights_set", request.Reason, ct).ConfigureAwait(false);
    }

    /// <summary>One variant (a shadow too) becomes the only one, at 100 %; the shadows stay; a canary rollout ends.</summary>
    public async Task<Result<DeploymentDto>> PromoteAsync(string name, PromoteVariantRequest request, CancellationToken ct)
    {
        var d = await FindAsync(name, track: true, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        if (request.Reason is { Length: > MaxReason })
        {
            return ValidationError.For("reason", $"reason must be at most {MaxReason} characters");
        }
        var spec = Spec(d);
        DeploymentVariantDto? chosen = spec.Variants.FirstOrDefault(v => v.Name == request.Variant);
        var shadow = (spec.Shadows ?? []).FirstOrDefault(s => s.Name == request.Variant);
        chosen ??= shadow is null ? null : new DeploymentVariantDto(shadow.Name, shadow.Model, shadow.Version, shadow.Alias);
        if (chosen is null)
        {
            return ValidationError.For("variant", $"no variant '{request.Variant}'; the variants are {string.Join(", ", spec.Variants.Select(v => v.Name).Concat((spec.Shadows ?? []).Select(s => s.Name)))}");
        }
        var promoted = spec with { Variants = [chosen with { Weight = 100 }], Shadows = (spec.Shadows ?? []).Where(s => s.Name != chosen.Name).ToList(), Canary = null };
        Apply(d, promoted, RevisionKind.Promoted, request.Reason ?? $"promoted {chosen.Name}", time.GetUtcNow());
        return await SaveAsync(d, "deployment.promoted", request.Reason, ct).ConfigureAwait(false);
    }

    /// <summary>Serves an earlier revision's configuration again, as a new revision; its versions are checked and warmed first.</summary>
    public async Task<Result<DeploymentDto>> RollbackAsync(string name, RollbackDeploymentRequest request, CancellationToken ct)
    {
        var d = await FindAsync(name, track: true, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        if (request.Reason is { Length: > MaxReason })
        {
            return ValidationError.For("reason", $"reason must be at most {MaxReason} characters");
        }
        var target = request.Revision ?? d.Revision - 1;
        if (target < 1 || target >= d.Revision)
        {
            return d.Revision == 1
                ? new ConflictError("this deployment has one revision; there is nothing to roll back to")
                : ValidationError.For("revision", $"roll back to a revision from 1 to {d.Revision - 1}");
        }
        var old = await db.DeploymentRevisions.AsNoTracking().SingleAsync(r => r.DeploymentId == d.Id && r.Revision == target, ct).ConfigureAwait(false);
        var spec = JsonSerializer.Deserialize<DeploymentSpecDto>(old.SpecJson, ApiJson.Options)!;
        var warmed = await WarmAsync(spec, ct).ConfigureAwait(false);
        if (!warmed.IsSuccess)
        {
            return warmed.Error!;
        }
        Apply(d, spec with { Canary = null }, RevisionKind.RolledBack, request.Reason ?? $"back to revision {target}", time.GetUtcNow(), keepCanaryPolicy: spec.Canary);
        return await SaveAsync(d, "deployment.rolled_back", request.Reason, ct).ConfigureAwait(false);
    }

    public async Task<Result<Unit>> DeleteAsync(string name, CancellationToken ct)
    {
        var d = await FindAsync(name, track: true, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        await db.DeploymentRevisions.Where(r => r.DeploymentId == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.DeploymentStats.Where(r => r.DeploymentId == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.DriftResults.Where(r => r.DeploymentId == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.Feedback.Where(f => f.DeploymentId == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.RetrainingPolicies.Where(p => p.DeploymentId == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.RetrainingRuns.Where(r => r.DeploymentId == d.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        db.Deployments.Remove(d);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await quotas.ReleaseAsync(QuotaMetrics.Deployments, CountedQuotaRegistration.Key(CountPrefix, d.Id), ct).ConfigureAwait(false);
        directory.Forget(d.TenantId);
        await AuditAsync("deployment.deleted", d, null, ct).ConfigureAwait(false);
        return Unit.Value;
    }

    public async Task<Result<IReadOnlyList<DeploymentRevisionDto>>> RevisionsAsync(string name, CancellationToken ct)
    {
        var d = await FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var revisions = await db.DeploymentRevisions.AsNoTracking().Where(r => r.DeploymentId == d.Id).OrderByDescending(r => r.Revision).ToListAsync(ct).ConfigureAwait(false);
        return revisions.Select(r => new DeploymentRevisionDto(r.Revision, r.Kind, r.Reason, r.ActorId, r.CreatedAt,
            JsonSerializer.Deserialize<DeploymentSpecDto>(r.SpecJson, ApiJson.Options)!)).ToList();
    }

    internal Task<MlDeployment?> FindAsync(string name, bool track, CancellationToken ct)
    {
        var query = track ? db.Deployments : db.Deployments.AsNoTracking();
        return Guid.TryParse(name, out var id)
            ? query.SingleOrDefaultAsync(d => d.Id == id, ct)
            : query.SingleOrDefaultAsync(d => d.Name == name, ct);
    }

    internal static DeploymentSpecDto Spec(MlDeployment d) => JsonSerializer.Deserialize<DeploymentSpecDto>(d.SpecJson, ApiJson.Options)!;

    /// <summary>
    /// Makes <paramref name="spec"/> the deployment's configuration as a new revision. A spec with a canary starts its
    /// rollout at the first step; without one, a running rollout is over (stopped), unless <paramref name="keepCanaryPolicy"/>
    /// (weights set by hand, a rollback) keeps the policy on record as stopped.
    /// </summary>
    internal void Apply(MlDeployment d, DeploymentSpecDto spec, string kind, string? reason, DateTimeOffset now, Guid? actor = null, bool system = false,
        CanaryPolicyDto? keepCanaryPolicy = null)
    {
        if (spec.Canary is { } canary && kind is RevisionKind.Created or RevisionKind.Updated or RevisionKind.Retrained)
        {
            spec = spec with { Variants = CanaryWeights(spec.Variants, canary.Variant, canary.Steps[0]) };
            d.CanaryStatus = CanaryStatus.Running;
            d.CanaryStep = 0;
            d.CanaryStepAt = now;
            d.CanaryReason = null;
        }
        else if (spec.Canary is null && d.CanaryStatus is not null && kind is not (RevisionKind.CanaryPromoted or RevisionKind.CanaryRolledBack))
        {
            if (d.CanaryStatus == CanaryStatus.Running)
            {
                d.CanaryStatus = CanaryStatus.Stopped;
                d.CanaryReason = $"stopped by a change made by hand ({kind.Replace('_', ' ')})";
            }
            spec = spec with { Canary = keepCanaryPolicy };
        }
        d.Revision++;
        d.SpecJson = JsonSerializer.Serialize(spec, ApiJson.Options);
        d.UpdatedAt = now;
        db.DeploymentRevisions.Add(new DeploymentRevision
        {
            Id = Guid.NewGuid(), TenantId = d.TenantId, DeploymentId = d.Id, Revision = d.Revision, Kind = kind, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
            ActorId = system ? null : actor ?? tenant.UserId, SpecJson = d.SpecJson, CreatedAt = now,
        });
    }

    /// <summary>The canary at <paramref name="weight"/> %, the other variants sharing the rest in their configured proportions.</summary>
    internal static List<DeploymentVariantDto> CanaryWeights(IReadOnlyList<DeploymentVariantDto> variants, string canary, double weight)
    {
        var others = variants.Where(v => v.Name != canary).Sum(v => v.Weight);
        var count = variants.Count(v => v.Name != canary);
        return variants.Select(v => v.Name == canary
            ? v with { Weight = weight }
            : v with { Weight = others > 0 ? v.Weight / others * (100 - weight) : (100 - weight) / count }).ToList();
    }

    private async Task<Result<DeploymentDto>> SaveAsync(MlDeployment d, string action, string? reason, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (DbErrors.LostRace(ex))
        {
            return new ConflictError("the deployment was changed meanwhile (a new revision); reload it and try again");
        }
        directory.Forget(d.TenantId);
        await AuditAsync(action, d, reason, ct).ConfigureAwait(false);
        return await ToDtoAsync(d, ct).ConfigureAwait(false);
    }

    /// <summary>Audits a change by hand and tells the organisation's webhooks (<c>deployment.changed</c>) with what it serves now.</summary>
    private async Task AuditAsync(string action, MlDeployment d, string? reason, CancellationToken ct)
    {
        await audit.RecordAsync(new AuditRecord(action, AuditOutcome.Success, "deployment", d.Id.ToString(), new Dictionary<string, string>
        {
            ["name"] = d.Name, ["revision"] = d.Revision.ToString(CultureInfo.InvariantCulture), ["reason"] = reason ?? string.Empty,
        }), ct).ConfigureAwait(false);
        var change = action.Replace("deployment.", string.Empty, StringComparison.Ordinal);
        await events.TellAsync(MlEvents.DeploymentChanged, $"Deployment {d.Name}: {change.Replace('_', ' ')} (revision {d.Revision})", $"/deployments/{Uri.EscapeDataString(d.Name)}",
            new Dictionary<string, object?>
            {
                ["deployment"] = d.Name, ["deployment_id"] = d.Id, ["change"] = change, ["revision"] = d.Revision, ["reason"] = reason,
                ["spec"] = action == "deployment.deleted" ? null : Spec(d),
            }, ct).ConfigureAwait(false);
    }

    private static void CheckWeights(IReadOnlyList<DeploymentVariantDto> variants, FieldErrors errors)
    {
        for (var i = 0; i < variants.Count; i++)
        {
            if (!double.IsFinite(variants[i].Weight) || variants[i].Weight is < 0 or > 100)
            {
                errors.Add($"variants[{i}].weight", "a weight is a percentage from 0 to 100");
            }
        }
        var sum = variants.Sum(v => v.Weight);
        if (errors.IsEmpty && Math.Abs(sum - 100) > 1e-6)
        {
            errors.Add("variants", $"the weights add up to {sum.ToString("0.######", CultureInfo.InvariantCulture)} %; they must add up to 100 %");
        }
    }

    /// <summary>
    /// Checks a configuration whole (names, weights, canary, every variant's model and version), pins variants that
    /// name neither version nor alias to the newest ready version, and loads and warms every version.
    /// </summary>
    private async Task<Result<(DeploymentSpecDto Spec, string Task)>> CheckAsync(DeploymentSpecDto spec, FieldErrors errors, CancellationToken ct)
    {
        var variants = spec.Variants ?? [];
        var shadows = spec.Shadows ?? [];
        if (variants.Count is < 1 or > MaxVariants)
        {
            errors.Add("variants", $"a deployment has 1 to {MaxVariants} variants");
        }
        if (shadows.Count > MaxShadows)
        {
            errors.Add("shadows", $"a deployment has at most {MaxShadows} shadow variants");
        }
        if (variants.Any(v => v is null) || shadows.Any(s => s is null))
        {
            errors.Add("variants", "every variant is an object with a name and a model");
            return errors.ToError();
        }
        var names = variants.Select(v => v.Name).Concat(shadows.Select(s => s.Name)).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var field = i < variants.Count ? $"variants[{i}].name" : $"shadows[{i - variants.Count}].name";
            if (names[i] is null || !NamePattern().IsMatch(names[i]))
            {
                errors.Add(field, "a variant name is " + NameRule);
            }
            else if (names.IndexOf(names[i]) < i)
            {
                errors.Add(field, $"'{names[i]}' names two variants; each needs its own name");
            }
        }
        CheckWeights(variants, errors);
        if (errors.IsEmpty && variants.All(v => v.Weight == 0))
        {
            errors.Add("variants", "at least one variant needs a weight above 0");
        }
        if (spec.LogSampleRate is { } rate && (!double.IsFinite(rate) || rate is < 0 or > 1))
        {
            errors.Add("log_sample_rate", "the share of predictions logged is from 0 to 1");
        }
        if (spec.Canary is { } canary)
        {
            CheckCanary(canary, variants, errors);
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        string? task = null;
        var pinned = new List<DeploymentVariantDto>();
        var pinnedShadows = new List<ShadowVariantDto>();
        var all = variants.Select((v, i) => (Field: $"variants[{i}]", v.Model, v.Version, v.Alias)).Concat(shadows.Select((s, i) => (Field: $"shadows[{i}]", s.Model, s.Version, s.Alias))).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var (field, model, version, alias) = all[i];
            if (string.IsNullOrWhiteSpace(model))
            {
                errors.Add(field + ".model", "name the model (its name or id)");
                continue;
            }
            if (version is not null && alias is not null)
            {
                errors.Add(field + ".alias", "give a version or an alias, not both");
                continue;
            }
            var found = await registry.FindVersionAsync(model, version, alias, ready: true, ct).ConfigureAwait(false);
            if (!found.IsSuccess)
            {
                errors.Add(field + ".model", found.Error!.Message);
                continue;
            }
            var (m, v) = found.Value;
            if (task is not null && !string.Equals(task, v.Task, StringComparison.Ordinal))
            {
                errors.Add(field + ".model", $"'{m.Name}' v{v.Version} is a {v.Task} model; every variant of a deployment answers the same task ({task})");
                continue;
            }
            task ??= v.Task;
            var pinVersion = alias is null ? v.Version : (int?)null;
            if (i < variants.Count)
            {
                pinned.Add(variants[i] with { Model = m.Name, Version = pinVersion });
            }
            else
            {
                pinnedShadows.Add(shadows[i - variants.Count] with { Model = m.Name, Version = pinVersion });
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var result = spec with { Variants = pinned, Shadows = pinnedShadows.Count == 0 ? null : pinnedShadows, LogSampleRate = spec.LogSampleRate ?? settings.PredictionLogSampleRate };
        var warmed = await WarmAsync(result, ct).ConfigureAwait(false);
        return warmed.IsSuccess ? (result, task!) : warmed.Error!;
    }

    private static void CheckCanary(CanaryPolicyDto canary, IReadOnlyList<DeploymentVariantDto> variants, FieldErrors errors)
    {
        if (variants.All(v => v.Name != canary.Variant))
        {
            errors.Add("canary.variant", $"the canary must be one of the variants ({string.Join(", ", variants.Select(v => v.Name))})");
        }
        else if (variants.Count < 2)
        {
            errors.Add("canary.variant", "a canary needs a stable variant beside it to take the rest of the traffic");
        }
        else if (variants.Where(v => v.Name != canary.Variant).All(v => v.Weight == 0) && variants.Count(v => v.Name != canary.Variant) > 1)
        {
            errors.Add("variants", "give the stable variants weights: they share the traffic the canary does not take in these proportions");
        }
        var steps = canary.Steps ?? [];
        if (steps.Count is < 1 or > 20 || steps.Any(s => !double.IsFinite(s) || s <= 0 || s > 100)
            || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First) || steps[^1] != 100)
        {
            errors.Add("canary.steps", "1 to 20 rising percentages above 0, the last 100 (e.g. [5, 25, 50, 100])");
        }
        if (canary.IntervalMinutes is < 1 or > 10_080)
        {
            errors.Add("canary.interval_minutes", "minutes between steps: 1 to 10,080 (a week)");
        }
        if (!double.IsFinite(canary.MaxErrorRateIncrease) || canary.MaxErrorRateIncrease is < 0 or > 1)
        {
            errors.Add("canary.max_error_rate_increase", "a fraction from 0 to 1 (0.02 = two percentage points more errors than the stable variants)");
        }
        if (!double.IsFinite(canary.MaxLatencyRatio) || canary.MaxLatencyRatio is < 1 or > 1000)
        {
            errors.Add("canary.max_latency_ratio", "how many times the stable variants' p95 latency the canary may take: 1 to 1,000");
        }
        if (canary.MinRequests is < 1 or > 10_000_000)
        {
            errors.Add("canary.min_requests", "requests the canary must answer in a step before it is judged: 1 to 10,000,000");
        }
    }

    /// <summary>Loads every version the configuration serves and scores a row of its training data with it; the first that fails is named.</summary>
    private async Task<Result<Unit>> WarmAsync(DeploymentSpecDto spec, CancellationToken ct)
    {
        var all = spec.Variants.Select(v => (v.Name, v.Model, v.Version, v.Alias)).Concat((spec.Shadows ?? []).Select(s => (s.Name, s.Model, s.Version, s.Alias)));
        foreach (var (name, model, version, alias) in all)
        {
            var found = await registry.FindVersionAsync(model, version, alias, ready: true, ct).ConfigureAwait(false);
            if (!found.IsSuccess)
            {
                return new ConflictError($"variant '{name}' cannot serve: {found.Error!.Message}");
            }
            var loaded = await artifacts.LoadAsync(found.Value.Version, ct).ConfigureAwait(false);
            if (!loaded.IsSuccess)
            {
                return new ConflictError($"variant '{name}' cannot serve: {loaded.Error!.Message}");
            }
            if (loaded.Value.Bundle is { Background.Length: > 0 } bundle)
            {
                bundle.Score([bundle.Background[0]]);
            }
        }
        return Unit.Value;
    }

    internal async Task<DeploymentDto> ToDtoAsync(MlDeployment d, CancellationToken ct)
    {
        var spec = Spec(d);
        var states = new List<DeploymentVariantStateDto>();
        foreach (var (name, model, version, alias, weight, shadow) in spec.Variants.Select(v => (v.Name, v.Model, v.Version, v.Alias, v.Weight, false))
            .Concat((spec.Shadows ?? []).Select(s => (s.Name, s.Model, s.Version, s.Alias, 0d, true))))
        {
            var found = await registry.FindVersionAsync(model, version, alias, ready: false, ct).ConfigureAwait(false);
            states.Add(new DeploymentVariantStateDto(name, found.IsSuccess ? found.Value.Model.Id : Guid.Empty, model, version, alias, Math.Round(weight, 6), shadow,
                found.IsSuccess ? found.Value.Version.Version : 0, found.IsSuccess ? found.Value.Version.Task : d.Task));
        }
        CanaryStateDto? canary = null;
        var policy = spec.Canary;
        if (d.CanaryStatus is not null && policy is not null)
        {
            var step = Math.Min(d.CanaryStep, policy.Steps.Count - 1);
            canary = new CanaryStateDto(policy.Variant, policy.Steps, step, spec.Variants.FirstOrDefault(v => v.Name == policy.Variant)?.Weight ?? 0, d.CanaryStatus,
                d.CanaryStepAt ?? d.UpdatedAt, d.CanaryStatus == CanaryStatus.Running ? (d.CanaryStepAt ?? d.UpdatedAt).AddMinutes(policy.IntervalMinutes) : null,
                d.CanaryReason, policy);
        }
        return new DeploymentDto(d.Id, d.Name, d.Description, "live", d.Revision, d.Task, states, canary, spec.LogSampleRate ?? settings.PredictionLogSampleRate,
            d.CreatedBy, d.CreatedAt, d.UpdatedAt);
    }
}
