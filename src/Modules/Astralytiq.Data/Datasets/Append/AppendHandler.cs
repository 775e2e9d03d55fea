using Microsoft.AspNetCore.Http.Features;

namespace Astralytiq.Data.Datasets.Append;

internal sealed class AppendHandler(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb duckdb,
    IAuditLog audit,
    DataQuotas quotas,
    EngineGate gate,
    TimeProvider time)
{
    /// <summary>
    /// Appends a batch of rows (NDJSON or a JSON array of objects) as a new version: every field must be a
    /// column of the dataset and convert to its type; missing fields are empty. Raises
    /// <see cref="Contracts.DatasetChanged"/> with the version, in the same transaction.
    /// </summary>
    public async Task<Result<AppendRowsResponse>> AppendAsync(Guid id, HttpRequest request, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxAppendBytes;
        }
        var found = await db.FindVersionAsync(id, null, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, current) = found.Value;
        if (await quotas.PreCheckAsync(null, newDataset: false, ingest: true, ct) is { IsSuccess: false } full)
        {
            return full.Error!;
        }
        var tenantId = tenant.TenantId!.Value;
        var batchPath = files.NewTempPath(".json");
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            long size;
            await using (var target = File.Create(batchPath))
            {
                await request.Body.CopyToAsync(target, ct);
                size = target.Length;
            }
            if (size == 0)
            {
                return ValidationError.For("rows", "send at least one row (NDJSON or a JSON array of objects)");
            }
            // Depth first: DuckDB's JSON reader recurses per level and a deep enough batch kills the process.
            var shallow = await JsonGuard.CheckFileAsync(batchPath, "rows", "the batch", ct);
            if (!shallow.IsSuccess)
            {
                return shallow.Error!;
            }
            // The rows go into a new part of their own; every MaxVersionParts appends the parts are compacted into one file.
            var previousParts = current.Parts();
            var compact = previousParts.Count + 1 > settings.MaxVersionParts;
            var baseSource = compact ? await files.SourceAsync(tenantId, current, ct) : null;
            var read = await gate.RunAsync(tenantId, token => ReadBatchAsync(batchPath, size, current.Schema, baseSource, parquetPath, token), ct);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            var appended = read.Value;
            var now = time.GetUtcNow();
            var version = new DatasetVersion
            {
                Id = Guid.CreateVersion7(now), TenantId = tenantId, DatasetId = dataset.Id, Version = current.Version + 1,
                RowCount = current.RowCount + appended, SchemaJson = current.SchemaJson,
                SourceJson = JsonSerializer.Serialize(new DatasetSourceDto("append", null, "json", size, null), ApiJson.Options),
                CreatedBy = tenant.UserId, CreatedAt = now,
            };
            version.BlobPath = DatasetFiles.BlobPath(dataset.Id, version.Id);
            (version.StoredBytes, version.ContentSha256) = await files.StoreAsync(tenantId, dataset.Id, version.Id, parquetPath, ct);
            if (!compact)
            {
                // Only the new part is stored (and counted against storage); the version reads the earlier parts too.
                List<VersionPart> parts = [.. previousParts, new VersionPart(version.Id, version.BlobPath, appended, version.ContentSha256, version.StoredBytes)];
                version.PartsJson = JsonSerializer.Serialize(parts, ApiJson.Options);
                version.ContentSha256 = DatasetFiles.CombinedHash(parts);
            }
            var used = await quotas.ConsumeAsync(version, newDataset: false, new Ingested(appended, size), ct);
            if (!used.IsSuccess)
            {
                await files.DeleteAsync(tenantId, version, CancellationToken.None);
                return used.Error!;
            }
            var tracked = await db.Datasets.SingleAsync(d => d.Id == dataset.Id, ct);
            tracked.CurrentVersion = version.Version;
            tracked.UpdatedAt = now;
            db.Versions.Add(version);
            db.Publish(new Contracts.DatasetChanged(tenantId, dataset.Id, version.Version, "append", version.RowCount, version.CreatedAt));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another append made this version number first: nothing of ours is kept.
                await files.DeleteAsync(tenantId, version, CancellationToken.None);
                await quotas.ReleaseAsync(version, dataset: false, rows: true, CancellationToken.None);
                return new ConflictError("The dataset changed while these rows were being added; send them again");
            }
            await audit.RecordAsync(new AuditRecord("dataset.rows_appended", AuditOutcome.Success, "dataset", dataset.Id.ToString(),
                new Dictionary<string, string> { ["rows"] = appended.ToString(System.Globalization.CultureInfo.InvariantCulture), ["version"] = version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) }), ct);
            return new AppendRowsResponse(dataset.Id, version.Version, appended, version.RowCount);
        }
        finally
        {
            File.Delete(batchPath);
            File.Delete(parquetPath);
        }
    }

    /// <summary>
    /// Reads an appended batch with DuckDB into a Parquet part (or, when compacting, the whole new version),
    /// within the time its size allows; the number of rows it adds.
    /// </summary>
    private async Task<Result<long>> ReadBatchAsync(string batchPath, long size, IReadOnlyList<ColumnDto> schema, ParquetSource? baseSource, string parquetPath, CancellationToken ct)
    {
        var limit = InputLimits.ParseTimeout(settings, size);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            await using var duck = await duckdb.OpenAsync(timeout.Token);
            var batch = $"read_json({DuckDb.Literal(batchPath)}, format = 'auto', sample_size = -1)";
            List<ColumnDto> fields;
            long appended;
            try
            {
                fields = await DuckDb.DescribeAsync(duck, "SELECT * FROM " + batch, timeout.Token);
                appended = await DuckDb.ScalarLongAsync(duck, "SELECT count(*) FROM " + batch, timeout.Token);
            }
            catch (DuckDB.NET.Data.DuckDBException ex) when (!timeout.IsCancellationRequested)
            {
                return ValidationError.For("rows", "the rows are not NDJSON or a JSON array of objects: " + Ingest.Explain(ex.Message, batchPath, "the batch"));
            }
            var unknown = fields.Where(f => schema.All(c => c.Name != f.Name)).Select(f => f.Name).ToList();
            if (unknown.Count > 0)
            {
                return ValidationError.For("rows", $"unknown column(s): {string.Join(", ", unknown.Take(20))}{(unknown.Count > 20 ? $" and {unknown.Count - 20:N0} more" : string.Empty)}; "
                    + $"the dataset has {string.Join(", ", schema.Take(50).Select(c => c.Name))}{(schema.Count > 50 ? ", …" : string.Empty)}");
            }
            var casts = schema.Select(c => fields.Any(f => f.Name == c.Name)
                ? $"CAST({DuckDb.Identifier(c.Name)} AS {c.SourceType}) AS {DuckDb.Identifier(c.Name)}"
                : $"CAST(NULL AS {c.SourceType}) AS {DuckDb.Identifier(c.Name)}");
            try
            {
                var rowsToWrite = baseSource is null
                    ? $"SELECT {string.Join(", ", casts)} FROM {batch}"
                    : $"SELECT * FROM {baseSource.Scan} UNION ALL SELECT {string.Join(", ", casts)} FROM {batch}";
                await DuckDb.ExecuteAsync(duck, $"COPY ({rowsToWrite}) TO {DuckDb.Literal(parquetPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)", timeout.Token);
            }
            catch (DuckDB.NET.Data.DuckDBException ex) when (!timeout.IsCancellationRequested)
            {
                return ValidationError.For("rows", "a value does not fit its column: " + Ingest.Explain(ex.Message, batchPath, "the batch"));
            }
            return appended;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ValidationError.For("rows", $"reading the batch took longer than the {limit.TotalSeconds:N0} s allowed for its size and was stopped");
        }
    }
}
