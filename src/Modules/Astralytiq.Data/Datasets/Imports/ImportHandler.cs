namespace Astralytiq.Data.Datasets.Imports;

/// <summary>New datasets from a PostgreSQL query or an HTTP JSON API.</summary>
internal sealed class ImportHandler(
    DataDbContext db,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb duckdb,
    DataQuotas quotas,
    DatasetIngest ingest)
{
    /// <summary>Imports the result of a read-only SELECT on a PostgreSQL server as a new dataset (the password is not kept).</summary>
    public async Task<Result<DatasetResponse>> ImportDatabaseAsync(DatabaseImportRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? string.Empty;
        if (await RefuseAsync(name, DatabaseSource.Check(request), ct) is { } refused)
        {
            return refused;
        }
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            var read = await SourceReader.ReadDatabaseAsync(request, settings, duckdb, parquetPath, ct);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            var ingested = read.Value;
            return await ingest.StoreNewDatasetAsync(name, request.Description?.Trim() is { Length: > 0 } d ? d : null, parquetPath, ingested,
                new DatasetSourceDto("postgres", null, "postgres", null, null, DatabaseSource.Location(request.Connection!), request.Query), ct);
        }
        finally
        {
            File.Delete(parquetPath);
        }
    }

    /// <summary>Imports JSON records from an HTTP API (paged, SSRF-guarded) as a new dataset; headers are not stored.</summary>
    public async Task<Result<DatasetResponse>> ImportHttpAsync(HttpImportRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? string.Empty;
        if (await RefuseAsync(name, SourceReader.CheckHttp(request, string.Empty), ct) is { } refused)
        {
            return refused;
        }
        var url = new Uri(request.Url!, UriKind.Absolute);
        var ndjson = files.NewTempPath(".ndjson");
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            var read = await SourceReader.ReadHttpAsync(request, settings, duckdb, ndjson, parquetPath, ct);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            var ingested = read.Value;
            // The location is kept without its query string, which often carries keys.
            var location = url.GetLeftPart(UriPartial.Path);
            return await ingest.StoreNewDatasetAsync(name, request.Description?.Trim() is { Length: > 0 } d ? d : null, parquetPath, ingested,
                new DatasetSourceDto("http", null, "json", new FileInfo(ndjson).Length, null, location, null), ct);
        }
        finally
        {
            File.Delete(ndjson);
            File.Delete(parquetPath);
        }
    }

    /// <summary>
    /// What every import checks before it reads its source, in this order: the request's fields (with the name, 1 to 200
    /// characters), a name no other dataset has, and room in the plan for one more dataset.
    /// </summary>
    private async Task<Error?> RefuseAsync(string name, FieldErrors errors, CancellationToken ct)
    {
        if (name.Length is < 1 or > 200)
        {
            errors.Add("name", "name must be 1 to 200 characters");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        if (await db.Datasets.AnyAsync(d => d.Name == name && d.DeletedAt == null, ct))
        {
            return new ConflictError($"A dataset named '{name}' already exists", [new ErrorDetail("name", "name is taken")]);
        }
        return await quotas.PreCheckAsync(null, newDataset: true, ingest: true, ct) is { IsSuccess: false } full ? full.Error : null;
    }
}
