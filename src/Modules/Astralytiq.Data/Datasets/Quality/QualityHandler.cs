using Astralytiq.Platform.Telemetry;

namespace Astralytiq.Data.Datasets.Quality;

/// <summary>A version's profile (column statistics) and its validation against declared rules.</summary>
internal sealed class QualityHandler(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    SharedDuckDb duckdb,
    HybridCache cache,
    IAuditLog audit,
    TimeProvider time)
{
    /// <summary>The profile of a version. Versions never change, so it is computed once and cached by version id.</summary>
    public async Task<Result<DatasetProfileResponse>> ProfileAsync(Guid id, int? version, CancellationToken ct)
    {
        var found = await db.FindVersionAsync(id, version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        var tenantId = tenant.TenantId!.Value;
        CacheMetrics.Lookup("profile");
        return await cache.GetOrCreateAsync(
            "data-profile:" + v.Id.ToString("N"),
            async token =>
            {
                CacheMetrics.Miss("profile");
                var source = await files.SourceAsync(tenantId, v, token);
                await using var duck = await duckdb.OpenAsync(token);
                var (columns, rows, duplicates, correlations, approximate) = await Profiler.ProfileAsync(duck, source, v.Schema, token);
                return new DatasetProfileResponse(dataset.Id, v.Version, rows, duplicates, v.Parts().Sum(p => p.StoredBytes), columns, correlations, approximate);
            },
            new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(6), LocalCacheExpiration = TimeSpan.FromHours(6) },
            cancellationToken: ct);
    }

    public async Task<Result<ValidationReportResponse>> ValidateAsync(Guid id, ValidateDatasetRequest request, CancellationToken ct)
    {
        var errors = Validator.Check(request);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var found = await db.FindVersionAsync(id, request.Version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        if (request.Columns is null && Saved(dataset) is { Count: > 0 } saved)
        {
            // Saved rules name columns of the version they were saved on: an older or newer version may lack one, which is a finding.
            request = request with { Columns = saved };
        }
        var source = await files.SourceAsync(tenant.TenantId!.Value, v, ct);
        await using var duck = await duckdb.OpenAsync(ct);
        var run = await Validator.RunAsync(duck, source, v.Schema, request, ct);
        if (!run.IsSuccess)
        {
            return run.Error!;
        }
        var (issues, score, rows) = run.Value;
        return new ValidationReportResponse(dataset.Id, v.Version, !issues.Any(i => i.Severity == "error"), score, rows, issues);
    }

    private static List<ColumnRuleDto> Saved(Dataset dataset) =>
        dataset.RulesJson is null ? [] : JsonSerializer.Deserialize<List<ColumnRuleDto>>(dataset.RulesJson, ApiJson.Options) ?? [];

    public async Task<Result<DatasetRulesDto>> RulesAsync(Guid id, CancellationToken ct)
    {
        var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id && d.DeletedAt == null, ct);
        return dataset is null ? new NotFoundError("Dataset") : new DatasetRulesDto(Saved(dataset));
    }

    public async Task<Result<DatasetRulesDto>> SaveRulesAsync(Guid id, DatasetRulesDto request, CancellationToken ct)
    {
        var rules = request.Columns ?? [];
        var errors = Validator.Check(new ValidateDatasetRequest(rules));
        var found = await db.FindVersionAsync(id, null, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, current) = found.Value;
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is { Name: { Length: > 0 } name } && current.Schema.All(c => c.Name != name))
            {
                errors.Add($"columns[{i}].name", $"'{name}' is not a column of version {current.Version}");
            }
        }
        if (rules.Where(r => r is not null).GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            errors.Add("columns", $"'{twice.Key}' has more than one rule: put its checks in one");
        }
        if (rules.Any(r => r?.Pattern is { Length: > 0 }))
        {
            // A saved pattern is checked by the engine that will run it (RE2), so a bad one is refused now, not at every validation.
            await using var duck = await duckdb.OpenAsync(ct);
            for (var i = 0; i < rules.Count; i++)
            {
                if (rules[i]?.Pattern is { Length: > 0 } pattern)
                {
                    try
                    {
                        await DuckDb.ExecuteAsync(duck, $"SELECT regexp_full_match('', {DuckDb.Literal(pattern)})", ct);
                    }
                    catch (DuckDBException)
                    {
                        errors.Add($"columns[{i}].pattern", $"'{pattern}' is not a valid regular expression (RE2 syntax)");
                    }
                }
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var tracked = await db.Datasets.SingleAsync(d => d.Id == dataset.Id, ct);
        tracked.RulesJson = rules.Count == 0 ? null : JsonSerializer.Serialize(rules, ApiJson.Options);
        tracked.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("dataset.rules_changed", AuditOutcome.Success, "dataset", id.ToString(),
            new Dictionary<string, string> { ["name"] = dataset.Name, ["rules"] = rules.Count.ToString(CultureInfo.InvariantCulture) }), ct);
        return new DatasetRulesDto(rules);
    }
}
