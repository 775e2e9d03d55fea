namespace Astralytiq.Data.Pipelines;

/// <summary>What a pipeline run job carries.</summary>
internal sealed record PipelineWork(Guid PipelineId, Guid RunId);

/// <summary>The secrets of a source, sealed together with the tenant key.</summary>
internal sealed record PipelineSecrets([property: System.Text.Json.Serialization.JsonConverter(typeof(VerbatimKeys))] IReadOnlyDictionary<string, string>? Headers, string? Password);

/// <summary>Saved pipelines: create, change, list, delete, run now, and their run history.</summary>
internal sealed class PipelineHandlers(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    SharedDuckDb duckdb,
    TenantEncryptor encryptor,
    IAuditLog audit,
    IJobScheduler jobs,
    DataQuotas quotas,
    TimeProvider time)
{
    public const string Redacted = "••••";
    public const string RunJobKind = "data.pipeline";
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(5);

    public async Task<Result<PipelineResponse>> CreateAsync(PipelineRequest request, CancellationToken ct)
    {
        var checkedRequest = await CheckAsync(request, null, ct);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        var now = time.GetUtcNow();
        var pipeline = new Pipeline
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, CreatedBy = tenant.UserId, CreatedAt = now,
        };
        await ApplyAsync(pipeline, request, checkedRequest.Value, null, ct);
        db.Pipelines.Add(pipeline);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("pipeline.created", AuditOutcome.Success, "pipeline", pipeline.Id.ToString(),
            new Dictionary<string, string> { ["name"] = pipeline.Name, ["schedule"] = pipeline.Cron ?? "manual" }), ct);
        return await ToResponseAsync(pipeline, ct);
    }

    public async Task<Result<PipelineResponse>> UpdateAsync(Guid id, PipelineRequest request, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == id && p.DeletedAt == null, ct);
        if (pipeline is null)
        {
            return new NotFoundError("Pipeline");
        }
        var checkedRequest = await CheckAsync(request, pipeline, ct);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        var stored = pipeline.SealedSecrets is null ? null
            : JsonSerializer.Deserialize<PipelineSecrets>(await encryptor.UnprotectStringAsync(pipeline.TenantId, pipeline.SealedSecrets, Purpose(pipeline.Id), ct), ApiJson.Options);
        await ApplyAsync(pipeline, request, checkedRequest.Value, stored, ct);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("pipeline.updated", AuditOutcome.Success, "pipeline", pipeline.Id.ToString(),
            new Dictionary<string, string> { ["name"] = pipeline.Name, ["schedule"] = pipeline.Cron ?? "manual", ["enabled"] = pipeline.Enabled.ToString() }), ct);
        return await ToResponseAsync(pipeline, ct);
    }

    public async Task<Result<Page<PipelineResponse>>> ListAsync(int? offset, int? limit, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        if (o < 0 || l is < 1 or > 200)
        {
            return ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200");
        }
        var query = db.Pipelines.AsNoTracking().Where(p => p.DeletedAt == null);
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(p => p.Name).ThenBy(p => p.Id).Skip(o).Take(l).ToListAsync(ct);
        var items = new List<PipelineResponse>();
        foreach (var pipeline in page)
        {
            items.Add(await ToResponseAsync(pipeline, ct));
        }
        return new Page<PipelineResponse>(items, total, o, l);
    }

    public async Task<Result<PipelineResponse>> GetAsync(Guid id, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.DeletedAt == null, ct);
        return pipeline is null ? new NotFoundError("Pipeline") : await ToResponseAsync(pipeline, ct);
    }

    public async Task<Result<Unit>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == id && p.DeletedAt == null, ct);
        if (pipeline is null)
        {
            return new NotFoundError("Pipeline");
        }
        pipeline.DeletedAt = time.GetUtcNow();
        pipeline.Enabled = false;
        pipeline.NextRunAt = null;
        pipeline.SealedSecrets = null;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("pipeline.deleted", AuditOutcome.Success, "pipeline", id.ToString(),
            new Dictionary<string, string> { ["name"] = pipeline.Name }), ct);
        return Unit.Value;
    }

    /// <summary>Queues a run now (or, from the scheduler, a scheduled one); its progress is the job's.</summary>
    public async Task<Result<PipelineRunDto>> RunAsync(Guid id, string trigger, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.DeletedAt == null, ct);
        if (pipeline is null)
        {
            return new NotFoundError("Pipeline");
        }
        if (await db.PipelineRuns.AnyAsync(r => r.PipelineId == id && (r.Status == "queued" || r.Status == "running"), ct))
        {
            return new ConflictError("This pipeline is already running; wait for the run to finish");
        }
        // Rows read from an API or a database count as ingested; rows of another dataset do not.
        var ingest = JsonSerializer.Deserialize<PipelineSourceDto>(pipeline.SourceJson, ApiJson.Options)?.Kind != "dataset";
        if (await quotas.PreCheckAsync(null, newDataset: pipeline.OutputDatasetId is null, ingest, ct) is { IsSuccess: false } full)
        {
            return full.Error!;
        }
        var now = time.GetUtcNow();
        var run = new PipelineRun { Id = Guid.CreateVersion7(now), TenantId = pipeline.TenantId, PipelineId = id, Trigger = trigger, Status = "queued", QueuedAt = now };
        db.PipelineRuns.Add(run);
        await db.SaveChangesAsync(ct);
        run.JobId = await jobs.EnqueueAsync(RunJobKind, new PipelineWork(id, run.Id), maxAttempts: 1, ct);
        await db.SaveChangesAsync(ct);
        return run.ToDto();
    }

    public async Task<Result<IReadOnlyList<PipelineRunDto>>> RunsAsync(Guid id, int? limit, CancellationToken ct)
    {
        var l = limit ?? 50;
        if (l is < 1 or > 500)
        {
            return ValidationError.For("limit", "limit must be between 1 and 500");
        }
        if (!await db.Pipelines.AnyAsync(p => p.Id == id && p.DeletedAt == null, ct))
        {
            return new NotFoundError("Pipeline");
        }
        var runs = await db.PipelineRuns.AsNoTracking().Where(r => r.PipelineId == id).OrderByDescending(r => r.QueuedAt).ThenByDescending(r => r.Id).Take(l).ToListAsync(ct);
        return runs.Select(r => r.ToDto()).ToList();
    }

    public static string Purpose(Guid pipelineId) => "pipeline-secrets:" + pipelineId.ToString("N");

    private sealed record Checked(string Name, string OutputName, PipelineSourceDto Source, DateTimeOffset? NextRunAt);

    private async Task<Result<Checked>> CheckAsync(PipelineRequest request, Pipeline? existing, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? string.Empty;
        if (name.Length is < 1 or > 200)
        {
            errors.Add("name", "name must be 1 to 200 characters");
        }
        var output = request.OutputName?.Trim() ?? string.Empty;
        if (output.Length is < 1 or > 200)
        {
            errors.Add("output_name", "output_name (the dataset each run makes a new version of) must be 1 to 200 characters");
        }
        if (request.Description is { Length: > 2000 })
        {
            errors.Add("description", "description must be at most 2000 characters");
        }
        if (request.Steps is { Count: > TransformCompiler.MaxSteps })
        {
            errors.Add("steps", $"at most {TransformCompiler.MaxSteps} steps");
        }
        var source = request.Source;
        switch (source?.Kind)
        {
            case "dataset" when source.DatasetId is null:
                errors.Add("source.dataset_id", "dataset_id is required for a dataset source");
                break;
            case "dataset":
                break;
            case "http" when source.Http is null:
                errors.Add("source.http", "http (url, headers, records_path, next_link_path, max_pages) is required for an http source");
                break;
            case "http":
                foreach (var detail in SourceReader.CheckHttp(source.Http, "source.http.").ToError().Details ?? [])
                {
                    errors.Add(detail.Field, detail.Message);
                }
                break;
            case "database" when source.Database is null:
                errors.Add("source.database", "database (kind, connection, query) is required for a database source");
                break;
            case "database":
                // A password left out on a change keeps the stored one.
                var probe = source.Database with { Name = name, Connection = source.Database.Connection is { } c ? c with { Password = c.Password ?? (existing is null ? null : "kept") } : null };
                foreach (var detail in DatabaseSource.Check(probe).ToError().Details ?? [])
                {
                    errors.Add("source.database." + detail.Field, detail.Message);
                }
                break;
            default:
                errors.Add("source.kind", "source.kind must be dataset, http or database");
                break;
        }
        var next = request.Schedule is { } schedule
            ? CronSchedule.Check(errors, "schedule.cron", "schedule.time_zone", schedule.Cron, schedule.TimeZone, time.GetUtcNow(), MinimumInterval)
            : null;
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        if (await db.Pipelines.AnyAsync(p => p.Name == name && p.DeletedAt == null && (existing == null || p.Id != existing.Id), ct))
        {
            return new ConflictError($"A pipeline named '{name}' already exists", [new ErrorDetail("name", "name is taken")]);
        }
        var ownOutput = existing?.OutputDatasetId;
        if (await db.Datasets.AnyAsync(d => d.Name == output && d.DeletedAt == null && (ownOutput == null || d.Id != ownOutput), ct))
        {
            return new ConflictError($"A dataset named '{output}' already exists; a pipeline makes its own output dataset", [new ErrorDetail("output_name", "name is taken")]);
        }
        if (source!.Kind == "dataset")
        {
            var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == source.DatasetId && d.DeletedAt == null, ct);
            if (dataset is null)
            {
                return ValidationError.For("source.dataset_id", "Dataset does not exist");
            }
            // The steps are checked now against the dataset as it is; sources read over the network are checked at each run.
            if (request.Steps is { Count: > 0 } steps)
            {
                var version = await db.Versions.AsNoTracking().SingleAsync(v => v.DatasetId == dataset.Id && v.Version == dataset.CurrentVersion, ct);
                var current = await files.SourceAsync(tenant.TenantId!.Value, version, ct);
                await using var duck = await duckdb.OpenAsync(ct);
                var compiled = await TransformCompiler.CompileAsync(duck, current, version.Schema, steps, (otherId, otherVersion) => ResolveJoinAsync(otherId, otherVersion, ct), ct);
                if (!compiled.IsSuccess)
                {
                    return compiled.Error!;
                }
            }
        }
        return new Checked(name, output, source, next);
    }

    public Task<Result<JoinSource>> ResolveJoinAsync(Guid datasetId, int? version, CancellationToken ct) =>
        JoinSources.ResolveAsync(db, files, tenant.TenantId!.Value, datasetId, version, ct);

    private async Task ApplyAsync(Pipeline pipeline, PipelineRequest request, Checked valid, PipelineSecrets? stored, CancellationToken ct)
    {
        var source = valid.Source;
        PipelineSecrets? secrets = null;
        if (source.Http is { } http)
        {
            var headers = (http.Headers ?? new Dictionary<string, string>()).ToDictionary(h => h.Key,
                h => h.Value == Redacted && stored?.Headers?.TryGetValue(h.Key, out var kept) == true ? kept : h.Value);
            secrets = new PipelineSecrets(headers, null);
            source = source with { Http = http with { Headers = headers.ToDictionary(h => h.Key, _ => Redacted) }, Database = null, DatasetId = null };
        }
        else if (source.Database is { Connection: { } connection } database)
        {
            secrets = new PipelineSecrets(null, connection.Password ?? stored?.Password);
            source = source with { Database = database with { Connection = connection with { Password = null } }, Http = null, DatasetId = null };
        }
        else
        {
            source = source with { Http = null, Database = null };
        }
        pipeline.Name = valid.Name;
        pipeline.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        pipeline.SourceJson = JsonSerializer.Serialize(source, ApiJson.Options);
        pipeline.SealedSecrets = secrets is null ? null
            : await encryptor.ProtectStringAsync(pipeline.TenantId, JsonSerializer.Serialize(secrets, ApiJson.Options), Purpose(pipeline.Id), ct);
        pipeline.StepsJson = JsonSerializer.Serialize(request.Steps ?? [], ApiJson.Options);
        if (pipeline.OutputName != valid.OutputName && pipeline.OutputDatasetId is not null)
        {
            // A new output name starts a new output dataset at the next run; the old one stays as it is.
            pipeline.OutputDatasetId = null;
        }
        pipeline.OutputName = valid.OutputName;
        pipeline.Cron = request.Schedule?.Cron;
        pipeline.TimeZone = request.Schedule?.Cron is null ? null : request.Schedule.TimeZone;
        pipeline.Enabled = request.Enabled;
        pipeline.NextRunAt = request.Enabled ? valid.NextRunAt : null;
        pipeline.UpdatedAt = time.GetUtcNow();
    }

    private async Task<PipelineResponse> ToResponseAsync(Pipeline p, CancellationToken ct)
    {
        var last = await db.PipelineRuns.AsNoTracking().Where(r => r.PipelineId == p.Id).OrderByDescending(r => r.QueuedAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        return new PipelineResponse(p.Id, p.Name, p.Description, JsonSerializer.Deserialize<PipelineSourceDto>(p.SourceJson, ApiJson.Options)!,
            JsonSerializer.Deserialize<List<TransformStepDto>>(p.StepsJson, ApiJson.Options) ?? [], p.OutputName, p.OutputDatasetId,
            p.Cron is null ? null : new PipelineScheduleDto(p.Cron, p.TimeZone), p.Enabled, p.NextRunAt, last?.ToDto(), p.CreatedBy, p.CreatedAt, p.UpdatedAt);
    }
}
