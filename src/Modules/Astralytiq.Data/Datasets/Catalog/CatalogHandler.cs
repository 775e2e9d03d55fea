namespace Astralytiq.Data.Datasets.Catalog;

/// <summary>The organisation's datasets: list, one, its versions, delete.</summary>
internal sealed class CatalogHandler(
    DataDbContext db,
    IAuditLog audit,
    IJobScheduler jobs,
    DataQuotas quotas,
    TimeProvider time)
{
    public async Task<Result<Page<DatasetResponse>>> ListAsync(string? search, int? offset, int? limit, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        if (o < 0 || l is < 1 or > 200)
        {
            return ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200");
        }
        var query = db.Datasets.AsNoTracking().Where(d => d.DeletedAt == null);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(d => d.Name.Contains(term));
        }
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(d => d.Name).ThenBy(d => d.Id).Skip(o).Take(l).ToListAsync(ct);
        var ids = page.Select(d => d.Id).ToList();
        var versions = await db.Versions.AsNoTracking().Where(v => ids.Contains(v.DatasetId)).ToListAsync(ct);
        var current = versions.Where(v => page.Any(d => d.Id == v.DatasetId && d.CurrentVersion == v.Version)).ToDictionary(v => v.DatasetId);
        return new Page<DatasetResponse>(page.Where(d => current.ContainsKey(d.Id)).Select(d => d.ToResponse(current[d.Id])).ToList(), total, o, l);
    }

    public async Task<Result<DatasetResponse>> GetAsync(Guid id, CancellationToken ct)
    {
        var found = await db.FindVersionAsync(id, null, ct);
        return found.IsSuccess ? found.Value.Dataset.ToResponse(found.Value.Version) : found.Error!;
    }

    public async Task<Result<IReadOnlyList<DatasetVersionDto>>> VersionsAsync(Guid id, CancellationToken ct)
    {
        if (!await db.Datasets.AnyAsync(d => d.Id == id && d.DeletedAt == null, ct))
        {
            return new NotFoundError("Dataset");
        }
        var versions = await db.Versions.AsNoTracking().Where(v => v.DatasetId == id).OrderByDescending(v => v.Version).ToListAsync(ct);
        return versions.Select(v => v.ToDto()).ToList();
    }

    public async Task<Result<Unit>> DeleteAsync(Guid id, bool force, CancellationToken ct)
    {
        var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Id == id && d.DeletedAt == null, ct);
        if (dataset is null)
        {
            return new NotFoundError("Dataset");
        }
        var uses = await db.Uses.Where(u => u.DatasetId == id).ToListAsync(ct);
        if (uses.Count > 0 && !force)
        {
            return new ConflictError("The dataset is in use; delete with force=true to delete it anyway",
                uses.Select(u => new ErrorDetail("dependents", $"{u.ConsumerKind} '{u.ConsumerName}' ({u.ConsumerId})")).ToList());
        }
        db.Uses.RemoveRange(uses);
        var versions = await db.Versions.Where(v => v.DatasetId == id).ToListAsync(ct);
        dataset.DeletedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        // The files go in the background (retried until gone); the dataset is gone for its users at once.
        await jobs.EnqueueAsync(PurgeJob.Kind, new PurgeWork(dataset.Id, versions.Select(v => new PurgedVersion(v.Id, v.BlobPath)).ToList()), maxAttempts: 10, ct);
        await quotas.ReleaseDeletedAsync(dataset.Id, versions.Select(v => v.Id), ct);
        await audit.RecordAsync(new AuditRecord("dataset.deleted", AuditOutcome.Success, "dataset", id.ToString(),
            new Dictionary<string, string> { ["name"] = dataset.Name }), ct);
        return Unit.Value;
    }
}
