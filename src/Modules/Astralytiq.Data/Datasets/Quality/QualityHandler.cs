namespace Astralytiq.Data.Datasets.Quality;

/// <summary>A version's profile (column statistics) and its validation against declared rules.</summary>
internal sealed class QualityHandler(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    HybridCache cache)
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
        return await cache.GetOrCreateAsync(
            "data-profile:" + v.Id.ToString("N"),
            async token =>
            {
                var source = await files.SourceAsync(tenantId, v, token);
                await using var duck = await DuckDb.OpenAsync(settings, token);
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
        var source = await files.SourceAsync(tenant.TenantId!.Value, v, ct);
        await using var duck = await DuckDb.OpenAsync(settings, ct);
        var run = await Validator.RunAsync(duck, source, v.Schema, request, ct);
        if (!run.IsSuccess)
        {
            return run.Error!;
        }
        var (issues, score, rows) = run.Value;
        return new ValidationReportResponse(dataset.Id, v.Version, !issues.Any(i => i.Severity == "error"), score, rows, issues);
    }
}
