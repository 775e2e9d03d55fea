namespace Astralytiq.Data.Transforms;

/// <summary>A transform to store in the background: the input version and the request.</summary>
internal sealed record TransformWork(Guid DatasetId, int Version, TransformRequest Request);

/// <summary>
/// Previews and applies transforms. Applying writes the result as a new version of the dataset (or a new
/// dataset) that records its parent versions and steps, so lineage can be followed both ways.
/// </summary>
internal sealed partial class TransformHandlers(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb duckdb,
    IAuditLog audit,
    IJobScheduler jobs,
    VersionWriter writer,
    DataQuotas quotas,
    TimeProvider time,
    Microsoft.Extensions.Logging.ILogger<TransformHandlers> logger)
{
    public const int DefaultPreviewRows = 100;

    public sealed record Outcome(TransformPreviewResponse? Preview, TransformApplyResponse? Applied);

    public async Task<Result<Outcome>> TransformAsync(Guid datasetId, TransformRequest request, CancellationToken ct)
    {
        var limit = request.PreviewLimit ?? DefaultPreviewRows;
        var errors = new FieldErrors();
        if (request.Preview && limit is < 1 or > 10_000)
        {
            errors.Add("preview_limit", "preview_limit must be between 1 and 10000");
        }
        var outputName = request.OutputName?.Trim();
        if (outputName is not null && outputName.Length is < 1 or > 200)
        {
            errors.Add("output_name", "output_name must be 1 to 200 characters");
        }
        if (request.OutputDescription is { Length: > 2000 })
        {
            errors.Add("output_description", "output_description must be at most 2000 characters");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var found = await FindAsync(datasetId, request.Version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, version) = found.Value;
        if (!request.Preview && outputName is not null && await db.Datasets.AnyAsync(d => d.Name == outputName && d.DeletedAt == null, ct))
        {
            return new ConflictError($"A dataset named '{outputName}' already exists", [new ErrorDetail("output_name", "name is taken")]);
        }
        if (!request.Preview && await quotas.PreCheckAsync(null, newDataset: outputName is not null, ingest: false, ct) is { IsSuccess: false } full)
        {
            return full.Error!;
        }
        await using var duck = await duckdb.OpenAsync(ct);
        var compiled = await CompileAsync(duck, version, request.Steps, ct);
        if (!compiled.IsSuccess)
        {
            return compiled.Error!;
        }
        if (request.Preview)
        {
            // Steps can multiply rows (a join on a repeated key): the preview is stopped at the interactive time limit.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.SqlTimeoutSeconds));
            Result<(List<IReadOnlyList<object?>> Rows, long Total)> preview;
            try
            {
                preview = await RunPreviewAsync(duck, compiled.Value, limit, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return ValidationError.For("steps", $"the preview ran longer than {settings.SqlTimeoutSeconds} s and was stopped; filter or sample the data before joining or grouping it");
            }
            if (!preview.IsSuccess)
            {
                return preview.Error!;
            }
            var (rows, total) = preview.Value;
            return new Outcome(new TransformPreviewResponse(dataset.Id, version.Version,
                compiled.Value.Output.Select(c => new ColumnDto(c.Name, c.Type, Expressions.SqlType(c.Type), true)).ToList(),
                rows, total, compiled.Value.ColumnsAfterStep), null);
        }
        if (version.RowCount > settings.AsyncTransformRows)
        {
            // Retried after a transient failure or a crash: the job writes under ids derived from its own (WorkIds).
            var job = await jobs.EnqueueAsync(TransformJob.Kind, new TransformWork(dataset.Id, version.Version, request with { OutputName = outputName }), maxAttempts: 3, ct);
            return new Outcome(null, new TransformApplyResponse(null, null, null, null, job));
        }
        var applied = await ApplyCompiledAsync(duck, dataset, version, compiled.Value, request with { OutputName = outputName }, progress: null, ct);
        return applied.IsSuccess ? new Outcome(null, applied.Value) : applied.Error!;
    }

    /// <summary>Runs a queued transform (<see cref="TransformJob"/>): compiled again, as the data may have been checked long ago.</summary>
    public async Task<Result<TransformApplyResponse>> ApplyAsync(TransformWork work, Guid jobId, Func<double, string, Task> progress, CancellationToken ct)
    {
        var found = await FindAsync(work.DatasetId, work.Version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        await progress(0.05, "Preparing the steps");
        await using var duck = await duckdb.OpenAsync(ct);
        var compiled = await CompileAsync(duck, found.Value.Version, work.Request.Steps, ct);
        if (!compiled.IsSuccess)
        {
            return compiled.Error!;
        }
        return await ApplyCompiledAsync(duck, found.Value.Dataset, found.Value.Version, compiled.Value, work.Request, progress, ct, jobId);
    }

    private async Task<Result<TransformCompiler.Compiled>> CompileAsync(DuckDB.NET.Data.DuckDBConnection duck, DatasetVersion version, IReadOnlyList<TransformStepDto>? steps, CancellationToken ct)
    {
        var tenantId = tenant.TenantId!.Value;
        var source = await files.SourceAsync(tenantId, version, ct);
        try
        {
            return await TransformCompiler.CompileAsync(duck, source, version.Schema, steps, (otherId, otherVersion) => JoinSources.ResolveAsync(db, files, tenantId, otherId, otherVersion, ct), ct);
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            // Only one_hot reads data while compiling; a failure there is the data's, not the server's.
            return ValidationError.For("steps", source.Paths.Aggregate(ex.Message, (m, p) => m.Replace(p, "the dataset", StringComparison.Ordinal)).Split('\n')[0]);
        }
    }

    internal static async Task<Result<(List<IReadOnlyList<object?>> Rows, long Total)>> RunPreviewAsync(
        DuckDB.NET.Data.DuckDBConnection duck, TransformCompiler.Compiled compiled, int limit, CancellationToken ct)
    {
        var rows = new List<IReadOnlyList<object?>>();
        try
        {
            using (var command = duck.CreateCommand())
            {
                command.CommandText = compiled.Preview(limit);
                using var traced = Engine.DataTelemetry.Query("transform", command.CommandText);
                compiled.Parameters.Bind(command);
                using var interrupt = DuckDb.InterruptOn(command, ct);
                using var reader = await command.ExecuteReaderAsync(ct);
                await DuckDb.ReadJsonRowsAsync(reader, rows, ct);
            }
            using var count = duck.CreateCommand();
            count.CommandText = compiled.Count;
            using var traced2 = Engine.DataTelemetry.Query("transform", count.CommandText);
            compiled.Parameters.Bind(count);
            using var countInterrupt = DuckDb.InterruptOn(count, ct);
            var total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            return (rows, total);
        }
        catch (DuckDB.NET.Data.DuckDBException ex) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("The preview was interrupted", ex, ct);
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            return Failed(ex);
        }
    }

    private static ValidationError Failed(DuckDB.NET.Data.DuckDBException ex) =>
        ValidationError.For("steps", "the steps cannot be applied to this data: " + FirstLine(ex.Message));

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 400 ? line[..400] : line;
    }

    private async Task<Result<TransformApplyResponse>> ApplyCompiledAsync(DuckDB.NET.Data.DuckDBConnection duck, Dataset dataset, DatasetVersion input,
        TransformCompiler.Compiled compiled, TransformRequest request, Func<double, string, Task>? progress, CancellationToken ct, Guid? jobId = null)
    {
        var parquetPath = files.NewTempPath(".parquet");
        try
        {
            if (progress is not null)
            {
                await progress(0.1, $"Transforming {input.RowCount:N0} rows");
            }
            var started = time.GetTimestamp();
            try
            {
                using var command = duck.CreateCommand();
                command.CommandText = compiled.CopyTo(parquetPath);
                using var traced3 = Engine.DataTelemetry.Query("transform", command.CommandText);
                compiled.Parameters.Bind(command);
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (DuckDB.NET.Data.DuckDBException ex)
            {
                return Failed(ex);
            }
            var written = time.GetElapsedTime(started);
            if (progress is not null)
            {
                await progress(0.8, "Encrypting and storing");
            }
            var parents = new List<(Guid DatasetId, int Version)> { (dataset.Id, input.Version) };
            parents.AddRange(compiled.Joined.Select(j => (j.DatasetId, j.Version)));
            var source = new DatasetSourceDto("transform", null, "parquet", null, input.ContentSha256, $"{dataset.Name} v{input.Version}", null);
            var stored = await writer.StoreAsync(new VersionTarget(request.OutputName is null ? dataset.Id : null, request.OutputName, request.OutputDescription, jobId),
                parquetPath, source, JsonSerializer.Serialize(request.Steps, ApiJson.Options), parents, "transform", ct);
            if (!stored.IsSuccess)
            {
                return stored.Error!;
            }
            var (target, version) = stored.Value;
            var (number, rows) = (version.Version, version.RowCount);
            LogApplied(logger, dataset.Name, input.Version, (request.Steps ?? []).Count, rows, written.TotalMilliseconds, time.GetElapsedTime(started).TotalMilliseconds - written.TotalMilliseconds);
            await audit.RecordAsync(new AuditRecord("dataset.transformed", AuditOutcome.Success, "dataset", target.Id.ToString(),
                new Dictionary<string, string>
                {
                    ["from"] = $"{dataset.Id} v{input.Version}", ["version"] = number.ToString(CultureInfo.InvariantCulture),
                    ["steps"] = string.Join(", ", (request.Steps ?? []).Select(s => s.Op)), ["rows"] = rows.ToString(CultureInfo.InvariantCulture),
                }), ct);
            return new TransformApplyResponse(target.Id, number, rows, version.ContentSha256, null);
        }
        finally
        {
            File.Delete(parquetPath);
        }
    }

    private Task<Result<(Dataset Dataset, DatasetVersion Version)>> FindAsync(Guid id, int? version, CancellationToken ct) => db.FindVersionAsync(id, version, ct);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Transform of {Dataset} v{Version}: {Steps} step(s), {Rows} rows written in {WriteMs:F0} ms, sealed and stored in {StoreMs:F0} ms")]
    private static partial void LogApplied(Microsoft.Extensions.Logging.ILogger logger, string dataset, int version, int steps, long rows, double writeMs, double storeMs);
}


/// <summary>Applies a transform of a large dataset in the background, with progress; fails for good on bad data.</summary>
internal sealed class TransformJob(TransformHandlers handlers) : IJobHandler
{
    public const string Kind = "data.transform";

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<TransformWork>();
        var applied = await handlers.ApplyAsync(work, context.JobId, (fraction, message) => context.ReportProgressAsync(fraction, message, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (!applied.IsSuccess)
        {
            var error = applied.Error!;
            var detail = error.Details is { Count: > 0 } details ? ": " + string.Join("; ", details.Select(d => d.Message)) : string.Empty;
            throw new PermanentJobFailureException(error.Message + detail);
        }
        await context.ReportProgressAsync(1, $"{applied.Value.RowCount:N0} rows stored as version {applied.Value.Version}", cancellationToken).ConfigureAwait(false);
        return applied.Value;
    }
}
