using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Data.Engine;
using Astralytiq.Data.Persistence;
using Astralytiq.Platform.Auditing;
using Astralytiq.Platform.Errors;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Astralytiq.Data.Datasets;

internal sealed partial class DatasetHandlers(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    IAuditLog audit,
    HybridCache cache,
    IJobScheduler jobs,
    DataQuotas quotas,
    SharedDuckDb shared,
    EngineGate gate,
    TimeProvider time,
    ILogger<DatasetHandlers> logger)
{
    private const int MaxFieldBytes = 8 * 1024;

    private sealed record Upload(string TempPath, string FileName, long Size, string Sha256, Dictionary<string, string> Fields);

    /// <summary>Either the stored dataset (small files) or the job that is storing it (large files).</summary>
    public sealed record UploadOutcome(DatasetResponse? Dataset, Guid? JobId);

    /// <summary>
    /// A multipart upload (<c>file</c> plus optional <c>name</c>, <c>description</c>, <c>format</c>,
    /// <c>delimiter</c>, <c>header</c>, <c>sheet</c>), streamed to a temporary file while it is hashed.
    /// Files up to <c>AsyncIngestBytes</c> are read and stored at once (the dataset, 201); larger ones are
    /// handed to a background job (its id, 202) whose progress the client follows. Either way nothing is
    /// kept when the file cannot be read.
    /// </summary>
    public async Task<Result<UploadOutcome>> UploadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxUploadBytes + 1024 * 1024;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return new CodedError(415, ErrorCodes.UnsupportedMediaType, "Send the file as multipart/form-data with a part named file");
        }
        // The plan's limits are checked before a byte is read: the declared size against the per-file cap,
        // and that storage and the dataset count have room.
        var allowed = await quotas.PreCheckAsync(request.ContentLength, newDataset: true, ingest: true, ct);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }
        var started = time.GetTimestamp();
        var read = await ReadUploadAsync(request.Body, boundary, ct);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }
        var upload = read.Value;
        if (request.ContentLength is null && await quotas.PreCheckAsync(upload.Size, newDataset: true, ingest: true, ct) is { IsSuccess: false } capped)
        {
            // Sent without a length: the cap is checked on the received size instead.
            File.Delete(upload.TempPath);
            return capped.Error!;
        }
        var handedOver = false;
        try
        {
            var options = ParseOptionsFrom(upload);
            if (!options.IsSuccess)
            {
                return options.Error!;
            }
            var name = (upload.Fields.GetValueOrDefault("name") is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(upload.FileName)).Trim();
            var description = upload.Fields.GetValueOrDefault("description")?.Trim();
            var errors = new FieldErrors();
            if (name.Length is < 1 or > 200)
            {
                errors.Add("name", "name must be 1 to 200 characters");
            }
            if (description is { Length: > 2000 })
            {
                errors.Add("description", "description must be at most 2000 characters");
            }
            // An optional declared schema (JSON array of column rules): a file breaking it is refused.
            IReadOnlyList<ColumnRuleDto>? rules = null;
            if (upload.Fields.GetValueOrDefault("schema") is { Length: > 0 } schemaJson)
            {
                try
                {
                    rules = JsonSerializer.Deserialize<List<ColumnRuleDto>>(schemaJson, ApiJson.Options);
                }
                catch (JsonException)
                {
                    errors.Add("schema", "schema must be a JSON array of column rules ({\"name\", \"type\", \"required\", \"unique\", \"min\", \"max\", \"pattern\", \"allowed_values\"})");
                }
                var ruleErrors = rules is null ? new FieldErrors() : Validator.Check(new ValidateDatasetRequest(rules));
                if (!ruleErrors.IsEmpty)
                {
                    foreach (var detail in ruleErrors.ToError().Details ?? [])
                    {
                        errors.Add("schema." + detail.Field, detail.Message);
                    }
                }
            }
            if (!errors.IsEmpty)
            {
                return errors.ToError();
            }
            if (await db.Datasets.AnyAsync(d => d.Name == name && d.DeletedAt == null, ct))
            {
                return new ConflictError($"A dataset named '{name}' already exists", [new ErrorDetail("name", "name is taken")]);
            }
            var work = new IngestWork(upload.TempPath, upload.FileName, upload.Size, upload.Sha256, options.Value, name,
                string.IsNullOrEmpty(description) ? null : description, rules);
            if (upload.Size > settings.AsyncIngestBytes)
            {
                // Retried after a crash (the node died while reading): the job finds or redoes its own work (WorkIds).
                var jobId = await jobs.EnqueueAsync(IngestJob.Kind, work, maxAttempts: 3, ct);
                handedOver = true;
                return new UploadOutcome(null, jobId);
            }
            var stored = await IngestAndStoreAsync(work, time.GetElapsedTime(started), progress: null, ct);
            return stored.IsSuccess ? new UploadOutcome(stored.Value, null) : stored.Error!;
        }
        finally
        {
            if (!handedOver)
            {
                File.Delete(upload.TempPath);
            }
        }
    }

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
            await using var duck = await DuckDb.OpenAsync(settings, timeout.Token);
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

    private async Task<Result<Upload>> ReadUploadAsync(Stream body, string boundary, CancellationToken ct)
    {
        var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? tempPath = null, fileName = null, sha = null;
        long size = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }
                if (disposition.IsFileDisposition())
                {
                    if (tempPath is not null)
                    {
                        DeleteIfAny(tempPath);
                        return ValidationError.For("file", "send one file per upload");
                    }
                    fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload");
                    tempPath = files.NewTempPath(Path.GetExtension(fileName).ToLowerInvariant() is { Length: <= 10 } ext ? ext : string.Empty);
                    (size, sha) = await CopyHashedAsync(section.Body, tempPath, ct);
                    if (size > settings.MaxUploadBytes)
                    {
                        File.Delete(tempPath);
                        return new CodedError(413, ErrorCodes.PayloadTooLarge, $"The file is larger than the {settings.MaxUploadBytes / (1024 * 1024)} MiB limit");
                    }
                }
                else if (disposition.IsFormDisposition())
                {
                    var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                    var buffer = new byte[MaxFieldBytes + 1];
                    var length = 0;
                    int n;
                    while (length <= MaxFieldBytes && (n = await section.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
                    {
                        length += n;
                    }
                    if (length > MaxFieldBytes)
                    {
                        DeleteIfAny(tempPath);
                        return ValidationError.For(name, $"{name} is too long");
                    }
                    fields[name] = Encoding.UTF8.GetString(buffer, 0, length);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            DeleteIfAny(tempPath);
            return new BadRequestError("The multipart body is malformed: " + ex.Message);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            // MultipartReader's "Unexpected end of Stream": the body ended before its closing boundary (or was empty).
            DeleteIfAny(tempPath);
            return new BadRequestError("The multipart body ends before its closing boundary; send the whole form");
        }
        catch
        {
            // The client went away or the body broke a limit: no temporary file outlives the request.
            DeleteIfAny(tempPath);
            throw;
        }
        if (tempPath is null || fileName is null || sha is null)
        {
            return ValidationError.For("file", "file is required");
        }
        return new Upload(tempPath, fileName, size, sha, fields);
    }

    /// <summary>Seals a Parquet file into storage and records a new dataset with it as version 1.</summary>
    private async Task<Result<DatasetResponse>> StoreNewDatasetAsync(
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

    /// <summary>Imports the result of a read-only SELECT on a PostgreSQL server as a new dataset (the password is not kept).</summary>
    public async Task<Result<DatasetResponse>> ImportDatabaseAsync(DatabaseImportRequest request, CancellationToken ct)
    {
        var errors = DatabaseSource.Check(request);
        var name = request.Name?.Trim() ?? string.Empty;
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
        if (await quotas.PreCheckAsync(null, newDataset: true, ingest: true, ct) is { IsSuccess: false } full)
        {
            return full.Error!;
        }
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            var read = await SourceReader.ReadDatabaseAsync(request, settings, parquetPath, ct);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            var ingested = read.Value;
            return await StoreNewDatasetAsync(name, request.Description?.Trim() is { Length: > 0 } d ? d : null, parquetPath, ingested,
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
        var errors = SourceReader.CheckHttp(request, string.Empty);
        var name = request.Name?.Trim() ?? string.Empty;
        if (name.Length is < 1 or > 200)
        {
            errors.Add("name", "name must be 1 to 200 characters");
        }
        var url = Uri.TryCreate(request.Url, UriKind.Absolute, out var parsed) ? parsed : null;
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        if (await db.Datasets.AnyAsync(d => d.Name == name && d.DeletedAt == null, ct))
        {
            return new ConflictError($"A dataset named '{name}' already exists", [new ErrorDetail("name", "name is taken")]);
        }
        if (await quotas.PreCheckAsync(null, newDataset: true, ingest: true, ct) is { IsSuccess: false } full)
        {
            return full.Error!;
        }
        var ndjson = files.NewTempPath(".ndjson");
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            var read = await SourceReader.ReadHttpAsync(request, settings, ndjson, parquetPath, ct);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            var ingested = read.Value;
            // The location is kept without its query string, which often carries keys.
            var location = url!.GetLeftPart(UriPartial.Path);
            return await StoreNewDatasetAsync(name, request.Description?.Trim() is { Length: > 0 } d ? d : null, parquetPath, ingested,
                new DatasetSourceDto("http", null, "json", new FileInfo(ndjson).Length, null, location, null), ct);
        }
        finally
        {
            File.Delete(ndjson);
            File.Delete(parquetPath);
        }
    }

    private static void DeleteIfAny(string? path)
    {
        if (path is not null)
        {
            File.Delete(path);
        }
    }

    private async Task<(long Size, string Sha256)> CopyHashedAsync(Stream source, string path, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long size = 0;
        await using var target = File.Create(path);
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            size += read;
            if (size > settings.MaxUploadBytes)
            {
                return (size, string.Empty);
            }
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static Result<ParseOptions> ParseOptionsFrom(Upload upload)
    {
        var errors = new FieldErrors();
        var format = upload.Fields.GetValueOrDefault("format")?.Trim().ToLowerInvariant() is { Length: > 0 } f ? f : Ingest.FormatFromFileName(upload.FileName);
        if (format is null)
        {
            errors.Add("format", "format could not be told from the file name; give one of csv, tsv, json, parquet, xlsx, sqlite");
        }
        else if (!Ingest.Formats.Contains(format))
        {
            errors.Add("format", "format must be one of csv, tsv, json, parquet, xlsx, sqlite");
        }
        string? delimiter = null;
        if (upload.Fields.GetValueOrDefault("delimiter") is { Length: > 0 } d)
        {
            delimiter = d is "\\t" or "tab" ? "\t" : d;
            if (delimiter.Length != 1 || delimiter is "\"" or "\n" or "\r")
            {
                errors.Add("delimiter", "delimiter must be a single character such as , ; | or \\t");
            }
        }
        bool? header = null;
        if (upload.Fields.GetValueOrDefault("header") is { Length: > 0 } h)
        {
            if (!bool.TryParse(h, out var parsed))
            {
                errors.Add("header", "header must be true or false");
            }
            header = parsed;
        }
        var sheet = upload.Fields.GetValueOrDefault("sheet")?.Trim() is { Length: > 0 } sh ? sh : null;
        if (sheet is { Length: > 100 })
        {
            errors.Add("sheet", "sheet must be a sheet name or its 1-based number");
        }
        // A SQLite database: one table (the only one when not named) or one read-only SELECT.
        var table = upload.Fields.GetValueOrDefault("table")?.Trim() is { Length: > 0 } tb ? tb : null;
        var query = upload.Fields.GetValueOrDefault("query")?.Trim() is { Length: > 0 } q ? q : null;
        if (table is not null && query is not null)
        {
            errors.Add("table", "give table or query, not both");
        }
        if (table is { Length: > 200 })
        {
            errors.Add("table", "table must be at most 200 characters");
        }
        return errors.IsEmpty ? new ParseOptions(format!, delimiter, header, sheet, table, query) : errors.ToError();
    }

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
        var found = await FindAsync(id, null, ct);
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

    public async Task<Result<DatasetPreviewResponse>> PreviewAsync(
        Guid id, int? version, int? offset, int? limit, string? sort, IReadOnlyList<string> filters, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 100);
        var errors = new FieldErrors();
        if (o < 0)
        {
            errors.Add("offset", "offset must not be negative");
        }
        if (l < 1 || l > settings.MaxPreviewRows)
        {
            errors.Add("limit", $"limit must be between 1 and {settings.MaxPreviewRows}");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var found = await FindAsync(id, version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        var schema = v.Schema;
        var query = PreviewQuery.Parse(schema, sort, filters);
        if (!query.IsSuccess)
        {
            return query.Error!;
        }
        var source = await files.SourceAsync(tenant.TenantId!.Value, v, ct);
        var rows = new List<IReadOnlyList<object?>>();
        var total = v.RowCount;
        await using (var duck = shared.Connect())
        {
            var from = $" FROM {source.Scan}" + query.Value.Where;
            if (query.Value.Where.Length > 0)
            {
                using var count = duck.CreateCommand();
                count.CommandText = "SELECT count(*)" + from;
                query.Value.Bind(count);
                total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            }
            using var command = duck.CreateCommand();
            command.CommandText = "SELECT *" + from + query.Value.OrderBy + $" LIMIT {l} OFFSET {o}";
            query.Value.Bind(command);
            using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = DuckDb.ToJsonValue(reader.IsDBNull(i) ? null : reader.GetValue(i));
                }
                rows.Add(row);
            }
        }
        return new DatasetPreviewResponse(dataset.Id, v.Version, schema, rows, total, o, l);
    }

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
        var found = await FindAsync(id, null, ct);
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
            await using var duck = await DuckDb.OpenAsync(settings, timeout.Token);
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

    /// <summary>Runs tenant SQL in the sandbox (<see cref="SqlSandbox"/>): its datasets only, read-only, time- and row-limited.</summary>
    public async Task<Result<SqlQueryResponse>> RunSqlAsync(SqlQueryRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Sql))
        {
            errors.Add("sql", "sql is required");
        }
        else if (request.Sql.Length > 100_000)
        {
            errors.Add("sql", "sql must be at most 100,000 characters");
        }
        var limit = request.Limit ?? 1000;
        if (limit < 1 || limit > settings.MaxPreviewRows)
        {
            errors.Add("limit", $"limit must be between 1 and {settings.MaxPreviewRows}");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        Result<SqlSandbox.Checked> check;
        await using (var parser = await DuckDb.OpenAsync(settings, ct))
        {
            check = await SqlSandbox.CheckAsync(parser, request.Sql!, ct);
        }
        if (!check.IsSuccess)
        {
            return check.Error!;
        }
        var names = check.Value.Tables;
        var candidates = await db.Datasets.AsNoTracking().Where(d => d.DeletedAt == null).Select(d => new { d.Id, d.Name, d.CurrentVersion }).ToListAsync(ct);
        var views = new List<(string Name, ParquetSource Source)>();
        foreach (var name in names)
        {
            // DuckDB folds identifier case; so does the lookup, and a name that matches two datasets is refused.
            var matches = candidates.Where(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count != 1)
            {
                return ValidationError.For("sql", matches.Count == 0 ? $"unknown dataset '{name}'" : $"'{name}' matches several datasets that differ only in case; rename one");
            }
            var version = await db.Versions.AsNoTracking().SingleAsync(v => v.DatasetId == matches[0].Id && v.Version == matches[0].CurrentVersion, ct);
            views.Add((matches[0].Name, await files.SourceAsync(tenant.TenantId!.Value, version, ct)));
        }
        // Answered at the time limit whatever the engine is doing; the statement is interrupted and its slot held
        // until it has really stopped (EngineGate.RunLimitedAsync).
        var seconds = settings.SqlTimeoutSeconds;
        return await gate.RunLimitedAsync(tenant.TenantId!.Value, token => ExecuteSqlAsync(request.Sql!, limit, views, token),
            TimeSpan.FromSeconds(seconds), () => ValidationError.For("sql", $"the query ran longer than {seconds} s and was stopped"), ct);
    }

    /// <summary>The most items a list in one cell of a workspace answer may hold.</summary>
    private const int MaxCellItems = 10_000;

    private async Task<Result<SqlQueryResponse>> ExecuteSqlAsync(string sql, int limit, List<(string Name, ParquetSource Source)> views, CancellationToken token)
    {
        await using var duck = await DuckDb.OpenAsync(settings, token);
        foreach (var (name, source) in views)
        {
            await DuckDb.ExecuteAsync(duck, $"CREATE VIEW {DuckDb.Identifier(name)} AS SELECT * FROM {source.Scan}", token);
        }
        var allowed = string.Join(", ", views.SelectMany(v => v.Source.Paths).Distinct().Select(DuckDb.Literal));
        await DuckDb.ExecuteAsync(duck, (views.Count > 0 ? $"SET allowed_paths = [{allowed}]; " : string.Empty)
            + "SET enable_external_access = false; SET lock_configuration = true;", token);

        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var cancel = token.Register(() => command.Cancel());
        try
        {
            using var reader = await command.ExecuteReaderAsync(token);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => new ColumnDto(reader.GetName(i), TypeOf(reader.GetFieldType(i)), reader.GetDataTypeName(i), true)).ToList();
            var values = columns.Select(_ => new List<object?>()).ToList();
            var rows = 0;
            var truncated = false;
            while (await reader.ReadAsync(token))
            {
                if (rows == limit)
                {
                    truncated = true;
                    break;
                }
                for (var i = 0; i < values.Count; i++)
                {
                    var raw = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    // One cell can hold a whole list (generate_series(1, 100000000) is one row): shown, it would be
                    // gigabytes of answer; converted, it kept a core busy for tens of seconds.
                    if (raw is System.Collections.ICollection { Count: > MaxCellItems } list)
                    {
                        return ValidationError.For("sql", string.Create(CultureInfo.InvariantCulture,
                            $"column '{columns[i].Name}' holds a list of {list.Count:N0} items in one row; the workspace shows lists of at most {MaxCellItems:N0} items (unnest it, or take a slice)"));
                    }
                    values[i].Add(DuckDb.ToJsonValue(raw));
                }
                rows++;
                token.ThrowIfCancellationRequested();
            }
            return new SqlQueryResponse(columns, values, rows, truncated, views.Select(v => v.Name).ToList());
        }
        catch (OperationCanceledException)
        {
            return ValidationError.For("sql", $"the query ran longer than {settings.SqlTimeoutSeconds} s and was stopped");
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            var message = views.SelectMany(v => v.Source.Paths.Select(p => (Path: p, v.Name))).Aggregate(ex.Message, (m, v) => m.Replace(v.Path, v.Name, StringComparison.Ordinal));
            return ValidationError.For("sql", Ingest.Explain(message, "\0", "the query"));
        }

        static string TypeOf(Type type) => type switch
        {
            _ when type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(System.Numerics.BigInteger) => "integer",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "decimal",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(DateOnly) => "date",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "timestamp",
            _ => "string",
        };
    }

    /// <summary>Runs a typed query; cached by (version id, spec) — versions never change, so a hit is never stale.</summary>
    public async Task<Result<QueryResultResponse>> QueryAsync(Guid datasetId, QuerySpecDto spec, CancellationToken ct)
    {
        var found = await FindAsync(datasetId, spec.Version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        var tenantId = tenant.TenantId!.Value;
        // Compile first with a placeholder path: an invalid spec is refused without touching files.
        var check = QueryEngine.Compile(v.Schema, spec, "t");
        if (!check.IsSuccess)
        {
            return check.Error!;
        }
        var key = "data-query:" + v.Id.ToString("N") + ":" + Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec with { Version = null }, ApiJson.Options)));
        var computed = false;
        var result = await cache.GetOrCreateAsync(key, async token =>
        {
            computed = true;
            var source = await files.SourceAsync(tenantId, v, token);
            var compiled = QueryEngine.Compile(v.Schema, spec, source.Scan).Value;
            await using var duck = shared.Connect();
            var (columns, rows, truncated) = await QueryEngine.RunAsync(duck, compiled, token);
            return new QueryResultResponse(dataset.Id, v.Version, compiled.Output.Select(o => new ColumnDto(o.Name, o.Type, o.Type, true)).ToList(),
                columns, rows, truncated, Cached: false);
        }, new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(30), LocalCacheExpiration = TimeSpan.FromMinutes(30) }, cancellationToken: ct);
        return computed ? result : result with { Cached = true };
    }

    /// <summary>The profile of a version. Versions never change, so it is computed once and cached by version id.</summary>
    public async Task<Result<DatasetProfileResponse>> ProfileAsync(Guid id, int? version, CancellationToken ct)
    {
        var found = await FindAsync(id, version, ct);
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
        var found = await FindAsync(id, request.Version, ct);
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

    private Task<Result<(Dataset Dataset, DatasetVersion Version)>> FindAsync(Guid id, int? version, CancellationToken ct) => db.FindVersionAsync(id, version, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Name} ingested: {Rows} rows from {Bytes} bytes; receive {ReceiveMs:F0} ms, parse to Parquet {ParseMs:F0} ms, seal and store {StoreMs:F0} ms")]
    private static partial void LogIngested(ILogger logger, string name, long rows, long bytes, double receiveMs, double parseMs, double storeMs);
}
