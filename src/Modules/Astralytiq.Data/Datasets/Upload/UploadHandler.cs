using Microsoft.AspNetCore.Http.Features;

namespace Astralytiq.Data.Datasets.Upload;

internal sealed class UploadHandler(
    DataDbContext db,
    DatasetFiles files,
    DataSettings settings,
    IJobScheduler jobs,
    DataQuotas quotas,
    DatasetIngest ingest,
    TimeProvider time)
{
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
        var read = await MultipartUpload.ReadAsync(request.Body, boundary, files, settings.MaxUploadBytes, ct);
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
            var options = MultipartUpload.ParseOptions(upload);
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
            var stored = await ingest.IngestAndStoreAsync(work, time.GetElapsedTime(started), progress: null, ct);
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
}
