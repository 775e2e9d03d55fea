namespace Astralytiq.Data.Pipelines;

/// <summary>
/// One pipeline run: reads the source afresh (the latest version of a dataset, the API, the query), applies
/// the steps and stores the result as the next version of the output dataset. The run records how it went.
/// </summary>
internal sealed class PipelineJob(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb duckdb,
    TenantEncryptor encryptor,
    PipelineHandlers pipelines,
    VersionWriter writer,
    IAuditLog audit,
    TimeProvider time) : IJobHandler
{
    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<PipelineWork>();
        var run = await db.PipelineRuns.SingleAsync(r => r.Id == work.RunId, cancellationToken).ConfigureAwait(false);
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == work.PipelineId && p.DeletedAt == null, cancellationToken).ConfigureAwait(false);
        run.Status = "running";
        run.StartedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        Result<DatasetVersion> outcome;
        try
        {
            outcome = pipeline is null
                ? new NotFoundError("Pipeline")
                : await ExecuteAsync(pipeline, context.JobId, (f, m) => context.ReportProgressAsync(f, m, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The run must say it failed, whatever broke; the job keeps the exception too.
            db.ChangeTracker.Clear();
            await FinishAsync(work.RunId, null, "The run failed: " + ex.Message, cancellationToken).ConfigureAwait(false);
            throw;
        }
        if (!outcome.IsSuccess)
        {
            var error = outcome.Error!;
            var message = error.Message + (error.Details is { Count: > 0 } details ? ": " + string.Join("; ", details.Select(d => $"{d.Field}: {d.Message}")) : string.Empty);
            await FinishAsync(work.RunId, null, message, cancellationToken).ConfigureAwait(false);
            throw new PermanentJobFailureException(message);
        }
        var version = outcome.Value;
        await FinishAsync(work.RunId, version, null, cancellationToken).ConfigureAwait(false);
        await context.ReportProgressAsync(1, $"{version.RowCount:N0} rows stored as version {version.Version}", cancellationToken).ConfigureAwait(false);
        return (await db.PipelineRuns.AsNoTracking().SingleAsync(r => r.Id == work.RunId, cancellationToken).ConfigureAwait(false)).ToDto();
    }

    private async Task FinishAsync(Guid runId, DatasetVersion? version, string? error, CancellationToken ct)
    {
        var run = await db.PipelineRuns.SingleAsync(r => r.Id == runId, ct).ConfigureAwait(false);
        run.Status = error is null ? "succeeded" : "failed";
        run.FinishedAt = time.GetUtcNow();
        run.Error = error is { Length: > 2000 } ? error[..2000] : error;
        run.OutputDatasetId = version?.DatasetId;
        run.OutputVersion = version?.Version;
        run.RowCount = version?.RowCount;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task<Result<DatasetVersion>> ExecuteAsync(Pipeline pipeline, Guid jobId, Func<double, string, Task> progress, CancellationToken ct)
    {
        var tenantId = tenant.TenantId!.Value;
        var source = JsonSerializer.Deserialize<PipelineSourceDto>(pipeline.SourceJson, ApiJson.Options)!;
        var secrets = pipeline.SealedSecrets is null ? null
            : JsonSerializer.Deserialize<PipelineSecrets>(await encryptor.UnprotectStringAsync(tenantId, pipeline.SealedSecrets, PipelineHandlers.Purpose(pipeline.Id), ct).ConfigureAwait(false), ApiJson.Options);
        var steps = JsonSerializer.Deserialize<List<TransformStepDto>>(pipeline.StepsJson, ApiJson.Options) ?? [];
        var temporary = new List<string>();
        string Temp(string extension)
        {
            var path = files.NewTempPath(extension);
            temporary.Add(path);
            return path;
        }
        try
        {
            await progress(0.05, "Reading the source").ConfigureAwait(false);
            ParquetSource input;
            IReadOnlyList<ColumnDto> schema;
            var parents = new List<(Guid DatasetId, int Version)>();
            DatasetSourceDto described;
            long receivedBytes = 0;
            switch (source.Kind)
            {
                case "dataset":
                    var resolved = await pipelines.ResolveJoinAsync(source.DatasetId!.Value, null, ct).ConfigureAwait(false);
                    if (!resolved.IsSuccess)
                    {
                        return ValidationError.For("source.dataset_id", "the source dataset no longer exists");
                    }
                    input = resolved.Value.Source;
                    var version = await db.Versions.AsNoTracking().SingleAsync(v => v.DatasetId == resolved.Value.DatasetId && v.Version == resolved.Value.Version, ct).ConfigureAwait(false);
                    schema = version.Schema;
                    parents.Add((resolved.Value.DatasetId, resolved.Value.Version));
                    described = new DatasetSourceDto("pipeline", null, "parquet", null, version.ContentSha256, $"{pipeline.Name}: {resolved.Value.Name} v{resolved.Value.Version}", null);
                    break;
                case "http":
                    var http = source.Http! with { Headers = secrets?.Headers };
                    var fetchedPath = Temp(".parquet");
                    input = ParquetSource.Single(fetchedPath);
                    var pages = Temp(".ndjson");
                    var fetched = await SourceReader.ReadHttpAsync(http, settings, duckdb, pages, fetchedPath, ct).ConfigureAwait(false);
                    if (!fetched.IsSuccess)
                    {
                        return fetched.Error!;
                    }
                    receivedBytes = new FileInfo(pages).Length;
                    schema = fetched.Value.Schema;
                    described = new DatasetSourceDto("pipeline", null, "json", null, null,
                        $"{pipeline.Name}: " + new Uri(http.Url!).GetLeftPart(UriPartial.Path), null);
                    break;
                default:
                    var database = source.Database! with { Connection = source.Database.Connection! with { Password = secrets?.Password } };
                    var readPath = Temp(".parquet");
                    input = ParquetSource.Single(readPath);
                    var read = await SourceReader.ReadDatabaseAsync(database, settings, duckdb, readPath, ct).ConfigureAwait(false);
                    if (!read.IsSuccess)
                    {
                        return read.Error!;
                    }
                    receivedBytes = new FileInfo(readPath).Length;
                    schema = read.Value.Schema;
                    described = new DatasetSourceDto("pipeline", null, "postgres", null, null,
                        $"{pipeline.Name}: {DatabaseSource.Location(database.Connection!)}", database.Query);
                    break;
            }
            string outputPath;
            if (steps.Count == 0 && input.Paths.Count == 1)
            {
                outputPath = input.Paths[0];
            }
            else if (steps.Count == 0)
            {
                // A dataset of several parts (appended rows) becomes one file in its output.
                outputPath = Temp(".parquet");
                await using var duck = await duckdb.OpenAsync(ct).ConfigureAwait(false);
                await DuckDb.ExecuteAsync(duck, $"COPY (SELECT * FROM {input.Scan}) TO {DuckDb.Literal(outputPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)", ct).ConfigureAwait(false);
            }
            else
            {
                await progress(0.4, $"Applying {steps.Count} step(s)").ConfigureAwait(false);
                outputPath = Temp(".parquet");
                await using var duck = await duckdb.OpenAsync(ct).ConfigureAwait(false);
                var compiled = await TransformCompiler.CompileAsync(duck, input, schema, steps, (id, v) => pipelines.ResolveJoinAsync(id, v, ct), ct).ConfigureAwait(false);
                if (!compiled.IsSuccess)
                {
                    return compiled.Error!;
                }
                try
                {
                    using var command = duck.CreateCommand();
                    command.CommandText = compiled.Value.CopyTo(outputPath);
                    using var traced = Engine.DataTelemetry.Query("pipeline", command.CommandText);
                    compiled.Value.Parameters.Bind(command);
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (DuckDB.NET.Data.DuckDBException ex)
                {
                    return ValidationError.For("steps", "the steps cannot be applied to this data: " + ex.Message.Split('\n')[0]);
                }
                parents.AddRange(compiled.Value.Joined.Select(j => (j.DatasetId, j.Version)));
            }
            await progress(0.8, "Encrypting and storing").ConfigureAwait(false);
            var output = pipeline.OutputDatasetId is { } outputId && await db.Datasets.AnyAsync(d => d.Id == outputId && d.DeletedAt == null, ct).ConfigureAwait(false)
                ? new VersionTarget(outputId, null, WorkId: jobId)
                : new VersionTarget(null, pipeline.OutputName, $"Made by the pipeline {pipeline.Name}", jobId);
            var stored = await writer.StoreAsync(output, outputPath, described, steps.Count == 0 ? null : pipeline.StepsJson, parents, "pipeline", ct,
                ingestedBytes: source.Kind == "dataset" ? null : receivedBytes).ConfigureAwait(false);
            if (!stored.IsSuccess)
            {
                return stored.Error!;
            }
            var (dataset, made) = stored.Value;
            if (pipeline.OutputDatasetId != dataset.Id)
            {
                pipeline.OutputDatasetId = dataset.Id;
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            await audit.RecordAsync(new AuditRecord("pipeline.ran", AuditOutcome.Success, "pipeline", pipeline.Id.ToString(),
                new Dictionary<string, string>
                {
                    ["dataset"] = dataset.Id.ToString(), ["version"] = made.Version.ToString(CultureInfo.InvariantCulture),
                    ["rows"] = made.RowCount.ToString(CultureInfo.InvariantCulture),
                }), ct).ConfigureAwait(false);
            return made;
        }
        finally
        {
            foreach (var path in temporary)
            {
                File.Delete(path);
            }
        }
    }
}

/// <summary>Starts a pipeline's scheduled run when the kernel scheduler has claimed its occurrence.</summary>
internal sealed partial class ScheduledPipelineRun(PipelineHandlers pipelines, ILogger<ScheduledPipelineRun> logger) : IOccurrenceHandler<Pipeline>
{
    public async Task StartAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var run = await pipelines.RunAsync(occurrence.SubjectId, "schedule", cancellationToken).ConfigureAwait(false);
        if (!run.IsSuccess)
        {
            LogSkipped(logger, occurrence.SubjectId, run.Error!.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled run of pipeline {PipelineId} not started: {Reason}")]
    private static partial void LogSkipped(ILogger logger, Guid pipelineId, string reason);
}
