namespace Astralytiq.Data.Datasets.Ingestion;

/// <summary>Reads a received file into Parquet and stores it as a new dataset (uploads, imports and the ingest job).</summary>
internal sealed partial class DatasetIngest(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb duckdb,
    IAuditLog audit,
    DataQuotas quotas,
    EngineGate gate,
    TimeProvider time,
    ILogger<DatasetIngest> logger)
{
    /// <summary>
    /// Reads a received file into Parquet, seals it with the tenant key and records the dataset and its
    /// first version. Used inline for small files and by <see cref="IngestJob"/> for large ones; the
    /// caller owns (and deletes) the received file. A job passes its own <paramref name="ids"/>: a retry after a
    /// crash then finds the dataset it already stored (and answers with it), or stores it again under the
    /// same ids, so the file, the usage and the dataset are never made twice.
    /// </summary>
    public async Task<Result<DatasetResponse>> IngestAndStoreAsync(IngestWork work, TimeSpan receiveTime, Func<double, string, Task>? progress, CancellationToken ct,
        WorkIds? ids = null)
    {
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            if (ids is not null && await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == ids.DatasetId && d.DeletedAt == null, ct) is { } finished)
            {
                var version = await db.Versions.AsNoTracking().SingleAsync(v => v.DatasetId == finished.Id && v.Version == finished.CurrentVersion, ct);
                return finished.ToResponse(version);
            }
            if (await db.Datasets.AnyAsync(d => d.Name == work.Name && d.DeletedAt == null, ct))
            {
                return new ConflictError($"A dataset named '{work.Name}' already exists", [new ErrorDetail("name", "name is taken")]);
            }
            if (progress is not null)
            {
                await progress(0.05, $"Reading {work.FileName}");
            }
            var parseStart = time.GetTimestamp();
            // In a request the read waits for a slot of the engine gate; a background job already holds a worker.
            var read = progress is null
                ? await gate.RunAsync(tenant.TenantId!.Value, token => ParseUploadAsync(work, parquetPath, token), ct)
                : await ParseUploadAsync(work, parquetPath, ct);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            var ingested = read.Value;
            var parsed = time.GetTimestamp();
            if (progress is not null)
            {
                await progress(0.85, $"Read {ingested.RowCount:N0} rows; encrypting and storing");
            }

            var stored = await StoreNewDatasetAsync(work.Name, work.Description, parquetPath, ingested,
                new DatasetSourceDto("upload", work.FileName, work.Options.Format, work.Size, work.Sha256), ct, ids);
            LogIngested(logger, work.Name, ingested.RowCount, work.Size, receiveTime.TotalMilliseconds,
                time.GetElapsedTime(parseStart, parsed).TotalMilliseconds, time.GetElapsedTime(parsed).TotalMilliseconds);
            return stored;
        }
        finally
        {
            File.Delete(parquetPath);
        }
    }

    /// <summary>
    /// Reads a received file into Parquet and checks its declared rules, within the time its size allows
    /// (<see cref="InputLimits.ParseTimeout"/>); past it the engine is interrupted and the answer is a 422.
    /// </summary>
    private async Task<Result<IngestResult>> ParseUploadAsync(IngestWork work, string parquetPath, CancellationToken ct)
    {
        var limit = InputLimits.ParseTimeout(settings, work.Size);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            await using var duck = await duckdb.OpenAsync(timeout.Token);
            var result = await Ingest.ToParquetAsync(duck, work.TempPath, parquetPath, work.Options, work.FileName, timeout.Token);
            if (!result.IsSuccess || work.Rules is not { Count: > 0 } rules)
            {
                return result;
            }
            var run = await Validator.RunAsync(duck, ParquetSource.Single(parquetPath), result.Value.Schema, new ValidateDatasetRequest(rules), timeout.Token);
            if (!run.IsSuccess)
            {
                return run.Error!;
            }
            var fatal = run.Value.Issues.Where(i => i.Severity == "error").ToList();
            return fatal.Count == 0
                ? result
                : new ValidationError(fatal.Select(i => new ErrorDetail("file",
                    (i.SampleRowNumbers.Count > 0 ? $"row {i.SampleRowNumbers[0]}, " : string.Empty) + $"column {i.Column}: {i.Message} ({i.Rule})")).ToList());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ValidationError.For("file", $"reading {work.FileName} took longer than the {limit.TotalSeconds:N0} s allowed for a file of its size and was stopped");
        }
    }

    /// <summary>Seals a Parquet file into storage and records a new dataset with it as version 1.</summary>
    public async Task<Result<DatasetResponse>> StoreNewDatasetAsync(
        string name, string? description, string parquetPath, IngestResult ingested, DatasetSourceDto source, CancellationToken ct, WorkIds? ids = null)
    {
        var now = time.GetUtcNow();
        var tenantId = tenant.TenantId!.Value;
        var dataset = new Dataset
        {
            Id = ids?.DatasetId ?? Guid.CreateVersion7(now), TenantId = tenantId, Name = name, Description = description,
            CurrentVersion = 1, CreatedBy = tenant.UserId, CreatedAt = now, UpdatedAt = now,
        };
        var version = new DatasetVersion
        {
            Id = ids?.VersionId ?? Guid.CreateVersion7(now), TenantId = tenantId, DatasetId = dataset.Id, Version = 1, RowCount = ingested.RowCount,
            SchemaJson = JsonSerializer.Serialize(ingested.Schema, ApiJson.Options),
            SourceJson = JsonSerializer.Serialize(source, ApiJson.Options),
            CreatedBy = tenant.UserId, CreatedAt = now,
        };
        version.BlobPath = DatasetFiles.BlobPath(dataset.Id, version.Id);
        (version.StoredBytes, version.ContentSha256) = await files.StoreAsync(tenantId, dataset.Id, version.Id, parquetPath, ct);
        // The plan's quotas are taken atomically now that the real sizes are known; refused, nothing is kept.
        var used = await quotas.ConsumeAsync(version, newDataset: true, new Ingested(ingested.RowCount, source.SizeBytes ?? new FileInfo(parquetPath).Length), ct);
        if (!used.IsSuccess)
        {
            await files.DeleteAsync(tenantId, version, CancellationToken.None);
            return used.Error!;
        }
        db.Datasets.Add(dataset);
        db.Versions.Add(version);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            // The rows were not written: the file and the usage must not outlive them.
            await files.DeleteAsync(tenantId, version, CancellationToken.None);
            await quotas.ReleaseAsync(version, dataset: true, rows: true, CancellationToken.None);
            throw;
        }
        await audit.RecordAsync(new AuditRecord("dataset.created", AuditOutcome.Success, "dataset", dataset.Id.ToString(),
            new Dictionary<string, string>
            {
                ["name"] = name, ["rows"] = ingested.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["source"] = source.FileName ?? source.Location ?? source.Kind,
            }), ct);
        return dataset.ToResponse(version);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Name} ingested: {Rows} rows from {Bytes} bytes; receive {ReceiveMs:F0} ms, parse to Parquet {ParseMs:F0} ms, seal and store {StoreMs:F0} ms")]
    private static partial void LogIngested(ILogger logger, string name, long rows, long bytes, double receiveMs, double parseMs, double storeMs);
}
