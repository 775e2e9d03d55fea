namespace Astralytiq.Data.Datasets;

/// <summary>
/// Where a derived file goes: a new version of an existing dataset, or the first version of a new one. A
/// background job passes its id as <see cref="WorkId"/>: the version (and a new dataset) then get ids derived
/// from it (<see cref="WorkIds"/>), and a retry after a crash answers with the version its first attempt stored.
/// </summary>
internal sealed record VersionTarget(Guid? DatasetId, string? NewName, string? NewDescription = null, Guid? WorkId = null);

/// <summary>
/// Stores a Parquet file made from other versions (a transform, a pipeline run) as a version: sealed
/// with the tenant key, with its schema, source, steps and parent versions recorded, and
/// <see cref="Contracts.DatasetChanged"/> raised in the same transaction.
/// </summary>
internal sealed class VersionWriter(DataDbContext db, ITenantContext tenant, DatasetFiles files, DataQuotas quotas, SharedDuckDb shared, TimeProvider time)
{
    public async Task<Result<(Dataset Dataset, DatasetVersion Version)>> StoreAsync(
        VersionTarget target, string parquetPath, DatasetSourceDto source, string? stepsJson,
        IReadOnlyCollection<(Guid DatasetId, int Version)> parents, string change, CancellationToken ct, long? ingestedBytes = null)
    {
        var tenantId = tenant.TenantId!.Value;
        var ids = target.WorkId is { } work ? WorkIds.ForJob(work) : null;
        if (ids is not null && await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.Id == ids.VersionId, ct) is { } finished)
        {
            return (await db.Datasets.AsNoTracking().SingleAsync(d => d.Id == finished.DatasetId, ct), finished);
        }
        List<ColumnDto> schema;
        long rows;
        // Reading the file's schema and row count needs no database of its own (opening one costs about 9 ms): a
        // connection to the shared engine, as queries use.
        await using (var duck = shared.Connect())
        {
            var relation = $"SELECT * FROM read_parquet({DuckDb.Literal(parquetPath)})";
            schema = await DuckDb.DescribeAsync(duck, relation, ct);
            rows = await DuckDb.ScalarLongAsync(duck, $"SELECT count(*) FROM read_parquet({DuckDb.Literal(parquetPath)})", ct);
        }
        var now = time.GetUtcNow();
        Dataset dataset;
        int number;
        if (target.DatasetId is { } id)
        {
            var existing = await db.Datasets.SingleOrDefaultAsync(d => d.Id == id && d.DeletedAt == null, ct);
            if (existing is null)
            {
                return new NotFoundError("Dataset");
            }
            dataset = existing;
            number = await db.Versions.Where(v => v.DatasetId == id).MaxAsync(v => v.Version, ct) + 1;
            dataset.CurrentVersion = number;
            dataset.UpdatedAt = now;
        }
        else
        {
            var name = target.NewName!;
            if (await db.Datasets.AnyAsync(d => d.Name == name && d.DeletedAt == null, ct))
            {
                return new ConflictError($"A dataset named '{name}' already exists", [new ErrorDetail("output_name", "name is taken")]);
            }
            dataset = new Dataset
            {
                Id = ids?.DatasetId ?? Guid.CreateVersion7(now), TenantId = tenantId, Name = name,
                Description = string.IsNullOrWhiteSpace(target.NewDescription) ? null : target.NewDescription.Trim(),
                CurrentVersion = 1, CreatedBy = tenant.UserId, CreatedAt = now, UpdatedAt = now,
            };
            number = 1;
            db.Datasets.Add(dataset);
        }
        var version = new DatasetVersion
        {
            Id = ids?.VersionId ?? Guid.CreateVersion7(now), TenantId = tenantId, DatasetId = dataset.Id, Version = number, RowCount = rows,
            SchemaJson = JsonSerializer.Serialize(schema, ApiJson.Options), SourceJson = JsonSerializer.Serialize(source, ApiJson.Options),
            StepsJson = stepsJson, CreatedBy = tenant.UserId, CreatedAt = now,
        };
        version.BlobPath = DatasetFiles.BlobPath(dataset.Id, version.Id);
        (version.StoredBytes, version.ContentSha256) = await files.StoreAsync(tenantId, dataset.Id, version.Id, parquetPath, ct);
        // Rows count as ingested only when they came from outside the platform (a pipeline reading an API or a database).
        var used = await quotas.ConsumeAsync(version, newDataset: target.DatasetId is null, ingestedBytes is { } bytes ? new Ingested(rows, bytes) : null, ct);
        if (!used.IsSuccess)
        {
            db.ChangeTracker.Clear();
            await files.DeleteAsync(tenantId, version, CancellationToken.None);
            return used.Error!;
        }
        db.Versions.Add(version);
        foreach (var (parentId, parentVersion) in parents.Distinct())
        {
            db.Parents.Add(new VersionParent
            {
                Id = Guid.CreateVersion7(now), TenantId = tenantId, VersionId = version.Id, DatasetId = dataset.Id,
                ParentDatasetId = parentId, ParentVersion = parentVersion,
            });
        }
        db.Publish(new Contracts.DatasetChanged(tenantId, dataset.Id, number, change, rows, now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another writer made this version number first: nothing of ours is kept.
            db.ChangeTracker.Clear();
            await files.DeleteAsync(tenantId, version, CancellationToken.None);
            await quotas.ReleaseAsync(version, dataset: target.DatasetId is null, rows: ingestedBytes is not null, CancellationToken.None);
            return target.DatasetId is null
                ? new ConflictError($"A dataset named '{target.NewName}' already exists", [new ErrorDetail("output_name", "name is taken")])
                : new ConflictError("The dataset changed while this version was being made; try again");
        }
        return (dataset, version);
    }
}
