using System.Text.RegularExpressions;

namespace Astralytiq.ML.Registry;

/// <summary>The model registry: models, their versions, metrics and aliases.</summary>
internal sealed partial class RegistryHandlers(MlDbContext db, Prediction.ServingLookup serving, IAuditLog audit, IServiceProvider services, TimeProvider time)
{
    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$")]
    private static partial Regex AliasPattern();

    /// <summary>A model of the current tenant by id or by name.</summary>
    public async Task<Result<MlModel>> FindModelAsync(string model, CancellationToken ct)
    {
        var found = Guid.TryParse(model, out var id)
            ? await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct).ConfigureAwait(false)
            : await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Name == model, ct).ConfigureAwait(false);
        return found is null ? new NotFoundError("Model") : found;
    }

    /// <summary>
    /// The version to use: the one named, the one an alias points to, or else the newest ready one. With
    /// <paramref name="ready"/>, a version that is not ready is a conflict saying what it is.
    /// </summary>
    public async Task<Result<(MlModel Model, ModelVersion Version)>> FindVersionAsync(string model, int? version, string? alias, bool ready, CancellationToken ct)
    {
        var found = await FindModelAsync(model, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var m = found.Value;
        if (version is not null && alias is not null)
        {
            return ValidationError.For("alias", "give a version or an alias, not both");
        }
        if (alias is not null)
        {
            var a = await db.Aliases.AsNoTracking().SingleOrDefaultAsync(x => x.ModelId == m.Id && x.Alias == alias, ct).ConfigureAwait(false);
            if (a is null)
            {
                return new NotFoundError($"Alias '{alias}'");
            }
            version = a.Version;
        }
        ModelVersion? v;
        if (version is { } number)
        {
            v = await db.Versions.AsNoTracking().SingleOrDefaultAsync(x => x.ModelId == m.Id && x.Version == number, ct).ConfigureAwait(false);
            if (v is null)
            {
                return new NotFoundError("Model version");
            }
        }
        else
        {
            v = await db.Versions.AsNoTracking().Where(x => x.ModelId == m.Id && x.Status == VersionStatus.Ready).OrderByDescending(x => x.Version).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (v is null && ready)
            {
                return new ConflictError($"Model '{m.Name}' has no ready version yet (train one, or wait for the training job)");
            }
            v ??= await db.Versions.AsNoTracking().Where(x => x.ModelId == m.Id).OrderByDescending(x => x.Version).FirstAsync(ct).ConfigureAwait(false);
        }
        if (ready && v.Status != VersionStatus.Ready)
        {
            return new ConflictError($"Version {v.Version} of '{m.Name}' is {v.Status}" + (v.Error is null ? string.Empty : $": {v.Error}"));
        }
        return (m, v);
    }

    public async Task<Result<Page<ModelSummaryDto>>> ListAsync(string? search, int? offset, int? limit, CancellationToken ct)
    {
        var skip = offset ?? 0;
        var take = limit ?? 50;
        if (skip < 0 || take is < 1 or > 200)
        {
            return ValidationError.For("limit", "offset must be 0 or more and limit between 1 and 200");
        }
        var query = db.Models.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(m => m.Name.Contains(term));
        }
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        var models = await query.OrderByDescending(m => m.UpdatedAt).ThenBy(m => m.Name).Skip(skip).Take(take).ToListAsync(ct).ConfigureAwait(false);
        var ids = models.Select(m => m.Id).ToList();
        // One query each for the latest versions and the aliases of the whole page (no query per model).
        var latest = await db.Versions.AsNoTracking().Where(v => ids.Contains(v.ModelId))
            .GroupBy(v => v.ModelId).Select(g => g.OrderByDescending(v => v.Version).First()).ToListAsync(ct).ConfigureAwait(false);
        var aliases = await db.Aliases.AsNoTracking().Where(a => ids.Contains(a.ModelId)).ToListAsync(ct).ConfigureAwait(false);
        var items = models.Select(m => Summary(m, latest.FirstOrDefault(v => v.ModelId == m.Id), aliases.Where(a => a.ModelId == m.Id))).ToList();
        return new Page<ModelSummaryDto>(items, total, skip, take);
    }

    private static ModelSummaryDto Summary(MlModel m, ModelVersion? latest, IEnumerable<ModelAlias> aliases) =>
        new(m.Id, m.Name, m.Task, m.Description, m.LatestVersion, latest?.Status ?? VersionStatus.Training, latest?.PrimaryMetric, latest?.PrimaryValue,
            aliases.OrderBy(a => a.Alias, StringComparer.Ordinal).Select(a => new ModelAliasDto(a.Alias, a.Version, a.UpdatedAt)).ToList(), m.CreatedAt, m.UpdatedAt);

    public async Task<Result<ModelDetailDto>> GetAsync(string model, CancellationToken ct)
    {
        var found = await FindModelAsync(model, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var m = found.Value;
        var versions = await db.Versions.AsNoTracking().Where(v => v.ModelId == m.Id).OrderByDescending(v => v.Version).ToListAsync(ct).ConfigureAwait(false);
        var aliases = await db.Aliases.AsNoTracking().Where(a => a.ModelId == m.Id).ToListAsync(ct).ConfigureAwait(false);
        return new ModelDetailDto(Summary(m, versions.FirstOrDefault(), aliases), versions.Select(v => ToDto(m, v, aliases)).ToList());
    }

    /// <summary>Every version of the model with this name, newest first (the seed's get_model_versions).</summary>
    public async Task<Result<IReadOnlyList<ModelVersionDto>>> VersionsByNameAsync(string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return ValidationError.For("name", "name is required");
        }
        var m = await db.Models.AsNoTracking().SingleOrDefaultAsync(x => x.Name == name, ct).ConfigureAwait(false);
        if (m is null)
        {
            return new NotFoundError("Model");
        }
        var versions = await db.Versions.AsNoTracking().Where(v => v.ModelId == m.Id).OrderByDescending(v => v.Version).ToListAsync(ct).ConfigureAwait(false);
        var aliases = await db.Aliases.AsNoTracking().Where(a => a.ModelId == m.Id).ToListAsync(ct).ConfigureAwait(false);
        return versions.Select(v => ToDto(m, v, aliases)).ToList();
    }

    public async Task<Result<ModelMetricsResponse>> MetricsAsync(string model, int? version, string? alias, CancellationToken ct)
    {
        var found = await FindVersionAsync(model, version, alias, ready: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        return new ModelMetricsResponse(m.Id, m.Name, v.Version, v.Status, Parse<ModelMetricsDto>(v.MetricsJson));
    }

    public async Task<Result<ExplainResponse>> ExplainAsync(string model, int? version, string? alias, CancellationToken ct)
    {
        var found = await FindVersionAsync(model, version, alias, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        if (v.Task == "forecasting")
        {
            return ValidationError.For("model", "forecasting models have no feature importance; see their forecast and backtest metrics");
        }
        return new ExplainResponse(m.Id, m.Name, v.Version, v.PrimaryMetric ?? string.Empty, Parse<List<FeatureImportanceDto>>(v.ImportanceJson) ?? []);
    }

    public async Task<Result<ModelAliasDto>> SetAliasAsync(string model, string alias, SetAliasRequest request, CancellationToken ct)
    {
        if (!AliasPattern().IsMatch(alias))
        {
            return ValidationError.For("alias", "an alias is 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter");
        }
        var found = await FindVersionAsync(model, request.Version, null, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error is ConflictError c ? new ConflictError(c.Message + "; only a ready version can carry an alias") : found.Error!;
        }
        var (m, v) = found.Value;
        var now = time.GetUtcNow();
        var existing = await db.Aliases.SingleOrDefaultAsync(a => a.ModelId == m.Id && a.Alias == alias, ct).ConfigureAwait(false);
        var previous = existing?.Version;
        if (existing is null)
        {
            existing = new ModelAlias { Id = Guid.NewGuid(), TenantId = m.TenantId, ModelId = m.Id, Alias = alias };
            db.Aliases.Add(existing);
        }
        existing.Version = v.Version;
        existing.UpdatedAt = now;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        serving.Forget(m.TenantId);
        await audit.RecordAsync(new AuditRecord("model.alias_set", AuditOutcome.Success, "model", m.Id.ToString(), new Dictionary<string, string>
        {
            ["alias"] = alias, ["version"] = v.Version.ToString(CultureInfo.InvariantCulture), ["previous"] = previous?.ToString(CultureInfo.InvariantCulture) ?? "none",
        }), ct).ConfigureAwait(false);
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<MlEvents>(services).TellAsync(MlEvents.AliasMoved,
            $"Alias {alias} of {m.Name} now points to version {v.Version}", $"/models/{Uri.EscapeDataString(m.Name)}",
            new Dictionary<string, object?> { ["model"] = m.Name, ["model_id"] = m.Id, ["alias"] = alias, ["version"] = v.Version, ["previous"] = previous }, ct).ConfigureAwait(false);
        return new ModelAliasDto(alias, v.Version, now);
    }

    public async Task<Result<Unit>> RemoveAliasAsync(string model, string alias, CancellationToken ct)
    {
        var found = await FindModelAsync(model, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var removed = await db.Aliases.Where(a => a.ModelId == found.Value.Id && a.Alias == alias).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (removed == 0)
        {
            return new NotFoundError($"Alias '{alias}'");
        }
        serving.Forget(found.Value.TenantId);
        await audit.RecordAsync(new AuditRecord("model.alias_removed", AuditOutcome.Success, "model", found.Value.Id.ToString(),
            new Dictionary<string, string> { ["alias"] = alias }), ct).ConfigureAwait(false);
        return Unit.Value;
    }

    /// <summary>Archives a ready version (it stays readable, no longer serves); an alias on it must be moved first.</summary>
    public async Task<Result<ModelVersionDto>> ArchiveAsync(string model, int version, CancellationToken ct)
    {
        var found = await FindVersionAsync(model, version, null, ready: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        if (v.Status != VersionStatus.Ready)
        {
            return new ConflictError($"version {v.Version} is {v.Status}; only a ready version can be archived");
        }
        var aliases = await db.Aliases.AsNoTracking().Where(a => a.ModelId == m.Id).ToListAsync(ct).ConfigureAwait(false);
        if (aliases.Where(a => a.Version == v.Version).Select(a => a.Alias).ToList() is { Count: > 0 } names)
        {
            return new ConflictError($"version {v.Version} carries the alias(es) {string.Join(", ", names)}; move them first");
        }
        await db.Versions.Where(x => x.Id == v.Id && x.Status == VersionStatus.Ready).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, VersionStatus.Archived), ct).ConfigureAwait(false);
        serving.Forget(m.TenantId);
        await audit.RecordAsync(new AuditRecord("model.version_archived", AuditOutcome.Success, "model", m.Id.ToString(),
            new Dictionary<string, string> { ["version"] = v.Version.ToString(CultureInfo.InvariantCulture) }), ct).ConfigureAwait(false);
        v.Status = VersionStatus.Archived;
        return ToDto(m, v, aliases);
    }

    /// <summary>
    /// Asks a training version's search to end now: the trial under way is dropped, the best configuration so far is fitted
    /// on all training rows and the version becomes ready with it (a version that has no scored trial yet finishes its first).
    /// </summary>
    public async Task<Result<ModelVersionDto>> FinishAsync(string model, int version, CancellationToken ct)
    {
        var found = await FindVersionAsync(model, version, null, ready: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        if (v.Status != VersionStatus.Training)
        {
            return new ConflictError($"version {v.Version} is {v.Status}; only a version in training can be finished early");
        }
        if (v.Task == "forecasting")
        {
            return new ConflictError("a forecasting training has no search to end early; cancel its job to stop it");
        }
        await db.Versions.Where(x => x.Id == v.Id && x.Status == VersionStatus.Training).ExecuteUpdateAsync(u => u.SetProperty(x => x.FinishRequested, true), ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("model.training_finish_requested", AuditOutcome.Success, "model", m.Id.ToString(),
            new Dictionary<string, string> { ["version"] = v.Version.ToString(CultureInfo.InvariantCulture) }), ct).ConfigureAwait(false);
        v.FinishRequested = true;
        var aliases = await db.Aliases.AsNoTracking().Where(a => a.ModelId == m.Id).ToListAsync(ct).ConfigureAwait(false);
        return ToDto(m, v, aliases);
    }

    public static ModelVersionDto ToDto(MlModel m, ModelVersion v, IEnumerable<ModelAlias> aliases) => new(
        v.Id, m.Id, m.Name, v.Version, v.Status, v.Task, v.Algorithm, v.Target, v.DatasetId, v.DatasetVersion,
        Parse<Dictionary<string, double>>(v.ParametersJson), Parse<ModelMetricsDto>(v.MetricsJson), Parse<List<FeatureSchemaDto>>(v.FeaturesJson),
        Parse<List<LeaderboardEntryDto>>(v.LeaderboardJson), Parse<List<FeatureImportanceDto>>(v.ImportanceJson),
        v.ArtifactSha256, v.ArtifactBytes, v.DurationMs, v.Seed, v.JobId, v.Error,
        aliases.Where(a => a.ModelId == m.Id && a.Version == v.Version).Select(a => a.Alias).Order(StringComparer.Ordinal).ToList(),
        v.CreatedBy, v.CreatedAt, v.CompletedAt);

    private static T? Parse<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, ApiJson.Options);
}
