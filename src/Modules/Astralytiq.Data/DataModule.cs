using Astralytiq.Contracts;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using Astralytiq.Data.Contracts;
using Astralytiq.Data.Datasets;
using Astralytiq.Data.Engine;
using Astralytiq.Data.Persistence;
using Astralytiq.Data.Pipelines;
using Astralytiq.Data.Transforms;
using Astralytiq.Platform.Auditing;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Errors;
using Astralytiq.Platform.Events;
using Astralytiq.Platform.Http;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Scheduling;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Platform.Persistence;
using Astralytiq.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Data;

public static class DataModule
{
    public static IServiceCollection AddDataModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<DataDbContext, DataSqliteDbContext, DataPostgresDbContext>(configuration, DataDbContext.Module);
        var settings = SettingsBinder.Bind<DataSettings>(configuration, "Astralytiq:Data");
        services.AddSingleton(sp =>
        {
            if (string.IsNullOrEmpty(settings.DuckDbTempDirectory))
            {
                settings.DuckDbTempDirectory = Path.Combine(sp.GetRequiredService<PlatformOptions>().DataDir, "tmp", "duckdb");
            }
            Directory.CreateDirectory(settings.DuckDbTempDirectory);
            return settings;
        });
        services.AddScoped<DatasetFiles>();
        services.AddSingleton<SharedDuckDb>();
        services.AddSingleton<EngineGate>();
        services.AddSingleton<IExceptionClassifier, EngineErrors>();
        services.AddScoped<DatasetHandlers>();
        services.AddScoped<IDatasetQueries, DatasetQueries>();
        services.AddScoped<IDatasetReader, DatasetReader>();
        services.AddScoped<IDatasetWriter, DatasetWriter>();
        services.AddScoped<DatasetLineage>();
        services.AddScoped<IDatasetLineage>(sp => sp.GetRequiredService<DatasetLineage>());
        services.AddJobHandler<IngestJob>(IngestJob.Kind);
        services.AddScoped<IStartupTask, TempFileSweep>();
        services.AddJobHandler<PurgeJob>(PurgeJob.Kind);
        services.AddScoped<VersionWriter>();
        services.AddScoped<DataQuotas>();
        services.AddScoped<TransformHandlers>();
        services.AddJobHandler<TransformJob>(TransformJob.Kind);
        services.AddScoped<PipelineHandlers>();
        services.AddJobHandler<PipelineJob>(PipelineHandlers.RunJobKind);
        services.AddRecurring<DataDbContext, Pipeline, ScheduledPipelineRun>();
        services.AddIntegrationEvent<DatasetChanged>();
        return services;
    }

    public static RouteGroupBuilder MapDataEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/data").WithTags("Data").ProducesErrors(401, 403, 429);
        var settings = routes.ServiceProvider.GetRequiredService<DataSettings>();
        group.MapPost("/sql", RunSql)
            .RequirePermission(Permission.DatasetsRead)
            .AuditedExplicitly()
            .ProducesErrors(400)
            .WithName("RunSql")
            .WithSummary("Run one read-only SELECT over your datasets by name (sandboxed: no files, settings or other tenants; 30 s and row limits)");
        var pipelines = group.MapGroup("/pipelines");
        pipelines.MapPost("/", CreatePipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 409)
            .WithName("CreatePipeline")
            .WithSummary("Save a pipeline: a source (a dataset's latest version, an HTTP JSON API or a database query), steps, the output dataset, and an optional cron schedule with time zone (at most every 5 minutes); secrets are sealed with the tenant key");
        pipelines.MapGet("/", ListPipelines)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(400)
            .WithName("ListPipelines")
            .WithSummary("The tenant's pipelines with their schedule, next run and last run");
        pipelines.MapGet("/{id:guid}", GetPipeline)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("GetPipeline")
            .WithSummary("One pipeline (header values and the password are never shown)");
        pipelines.MapPut("/{id:guid}", UpdatePipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 404, 409)
            .WithName("UpdatePipeline")
            .WithSummary("Change a pipeline; header values sent as •••• and a missing password keep the stored ones");
        pipelines.MapDelete("/{id:guid}", DeletePipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeletePipeline")
            .WithSummary("Delete a pipeline (its output dataset stays)");
        pipelines.MapPost("/{id:guid}/run", RunPipeline)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409)
            .WithName("RunPipeline")
            .WithSummary("Run a pipeline now: 202 with the run; follow its job for progress");
        pipelines.MapGet("/{id:guid}/runs", PipelineRuns)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(400, 404)
            .WithName("ListPipelineRuns")
            .WithSummary("A pipeline's runs, newest first: trigger, status, times, the version made or the error");
        var datasets = group.MapGroup("/datasets");
        datasets.MapPost("/", Upload)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .DisableAntiforgery()
            .DocumentsMultipartBody("file", "name", "description", "format", "delimiter", "header", "sheet", "schema", "table", "query")
            .WithRequestBodyLimit(settings.MaxUploadBytes + (1024 * 1024))
            .ProducesErrors(400, 409, 413, 415)
            .WithName("UploadDataset")
            .WithSummary("Upload (201 with the dataset; 202 with a job id for files over 64 MiB, read in the background with progress) a CSV, TSV, JSON (array or NDJSON), Excel (.xlsx), Parquet or SQLite file as a new dataset: multipart with file, and optional name, description, format, delimiter, header, sheet, schema; for SQLite, table (the only one when absent) or query (one read-only SELECT)");
        datasets.MapPost("/import/database", ImportDatabase)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 409)
            .WithName("ImportDatabase")
            .WithSummary("Import the result of one read-only SELECT on a PostgreSQL server (read-only transaction, statement timeout, row limit; the password is not stored)");
        datasets.MapPost("/import/http", ImportHttp)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 409)
            .WithName("ImportHttp")
            .WithSummary("Import JSON records from an HTTP API (records path, next-link paging; private and loopback addresses refused unless allow-listed; headers not stored)");
        datasets.MapGet("/", List)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(400)
            .WithName("ListDatasets")
            .WithSummary("The tenant's datasets with their current version's schema and row count");
        datasets.MapGet("/{id:guid}", Get)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("GetDataset")
            .WithSummary("One dataset: current version, schema, source");
        datasets.MapGet("/{id:guid}/versions", Versions)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("ListDatasetVersions")
            .WithSummary("Every version of a dataset, newest first, with its source, schema and content hash");
        datasets.MapGet("/{id:guid}/preview", Preview)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(400, 404)
            .WithName("PreviewDataset")
            .WithSummary("Rows of the current (or a given) version: limit up to 10,000, offset, sort=col,-col, filter=column:op:value (eq, ne, lt, le, gt, ge, contains, starts_with, is_null, not_null), repeatable");
        datasets.MapGet("/{id:guid}/profile", Profile)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("ProfileDataset")
            .WithSummary("Column statistics (count, nulls, distinct, min, max, mean, std, quantiles, histogram, top values), duplicate rows and numeric correlations");
        datasets.MapPost("/{id:guid}/validate", Validate)
            .RequirePermission(Permission.DatasetsRead)
            .AuditedExplicitly()
            .ProducesErrors(400, 404)
            .WithName("ValidateDataset")
            .WithSummary("Check a version against an optional declared schema (types, required, unique, ranges, pattern, allowed values) and for quality problems; returns valid, score and issues with sample row numbers");
        datasets.MapPost("/{id:guid}/rows", AppendRows)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 404, 409, 413)
            .WithRequestBodyLimit(settings.MaxAppendBytes)
            .WithName("AppendDatasetRows")
            .WithSummary("Append a batch of rows (NDJSON or a JSON array of objects) as a new version; raises DatasetChanged");
        datasets.MapPost("/{id:guid}/query", Query)
            .RequirePermission(Permission.DatasetsRead)
            .AuditedExplicitly()
            .ProducesErrors(400, 404)
            .WithName("QueryDataset")
            .WithSummary("A typed query (dimensions with time buckets, measures, filters, sort, limit) over a version; columnar result, cached per version and spec");
        datasets.MapPost("/{id:guid}/transform", Transform)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 404, 409)
            .WithName("TransformDataset")
            .WithSummary("Apply ordered steps (select, drop, rename, cast, filter, fill_missing, drop_duplicates, derive, group, join, sort, normalize, one_hot, sample, limit, date_parts): preview=true returns the first rows and stores nothing; otherwise a new version (or, with output_name, a new dataset) is stored — 201, or 202 with a job id for large inputs. Same input and steps give a byte-identical file");
        datasets.MapGet("/{id:guid}/lineage", Lineage)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("DatasetLineage")
            .WithSummary("Where each version came from (file, database, API, appended rows) and who uses it (models, dashboards)");
        datasets.MapDelete("/{id:guid}", Delete)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeleteDataset")
            .ProducesErrors(409)
            .WithSummary("Delete a dataset (gone at once; its stored files are purged by a background job); refused with 409 listing its dependents unless force=true");
        return group;
    }

    private static async Task<Results<Created<DatasetResponse>, Accepted<JobAcceptedResponse>, ApiError>> Upload(HttpRequest request, DatasetHandlers handler, CancellationToken ct)
    {
        var outcome = await handler.UploadAsync(request, ct);
        if (!outcome.IsSuccess)
        {
            return new ApiError(outcome.Error!);
        }
        return outcome.Value.JobId is { } job
            ? TypedResults.Accepted(ApiRoutes.Job(job), new JobAcceptedResponse(job, ApiRoutes.Job(job)))
            : TypedResults.Created($"{ApiRoutes.V1}/data/datasets/{outcome.Value.Dataset!.Id}", outcome.Value.Dataset);
    }

    private static async Task<Results<Ok<Page<DatasetResponse>>, ApiError>> List(string? search, int? offset, int? limit, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(search, offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<DatasetResponse>, ApiError>> Get(Guid id, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<IReadOnlyList<DatasetVersionDto>>, ApiError>> Versions(Guid id, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.VersionsAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<DatasetPreviewResponse>, ApiError>> Preview(
        Guid id, int? version, int? offset, int? limit, string? sort, string[]? filter, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.PreviewAsync(id, version, offset, limit, sort, filter ?? [], ct)).ToOk();

    private static async Task<Results<Ok<DatasetProfileResponse>, ApiError>> Profile(Guid id, int? version, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.ProfileAsync(id, version, ct)).ToOk();

    private static async Task<Results<Ok<ValidationReportResponse>, ApiError>> Validate(Guid id, ValidateDatasetRequest request, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.ValidateAsync(id, request, ct)).ToOk();

    private static async Task<Results<Created<DatasetResponse>, ApiError>> ImportDatabase(DatabaseImportRequest request, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.ImportDatabaseAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/data/datasets/{d.Id}");

    private static async Task<Results<Created<DatasetResponse>, ApiError>> ImportHttp(HttpImportRequest request, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.ImportHttpAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/data/datasets/{d.Id}");

    private static async Task<Results<Ok<SqlQueryResponse>, ApiError>> RunSql(SqlQueryRequest request, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.RunSqlAsync(request, ct)).ToOk();

    private static async Task<Results<Ok<AppendRowsResponse>, ApiError>> AppendRows(Guid id, HttpRequest request, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.AppendAsync(id, request, ct)).ToOk();

    private static async Task<Results<Ok<QueryResultResponse>, ApiError>> Query(Guid id, QuerySpecDto spec, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.QueryAsync(id, spec, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> Delete(Guid id, bool? force, DatasetHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, force ?? false, ct)).ToNoContent();

    private static async Task<Results<Ok<TransformPreviewResponse>, Created<TransformApplyResponse>, Accepted<TransformApplyResponse>, ApiError>> Transform(
        Guid id, TransformRequest request, TransformHandlers handler, CancellationToken ct)
    {
        var outcome = await handler.TransformAsync(id, request, ct);
        if (!outcome.IsSuccess)
        {
            return new ApiError(outcome.Error!);
        }
        if (outcome.Value.Preview is { } preview)
        {
            return TypedResults.Ok(preview);
        }
        var applied = outcome.Value.Applied!;
        return applied.JobId is { } job
            ? TypedResults.Accepted(ApiRoutes.Job(job), applied)
            : TypedResults.Created($"{ApiRoutes.V1}/data/datasets/{applied.DatasetId}", applied);
    }

    private static async Task<Results<Created<PipelineResponse>, ApiError>> CreatePipeline(PipelineRequest request, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(p => $"{ApiRoutes.V1}/data/pipelines/{p.Id}");

    private static async Task<Results<Ok<Page<PipelineResponse>>, ApiError>> ListPipelines(int? offset, int? limit, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<PipelineResponse>, ApiError>> GetPipeline(Guid id, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<PipelineResponse>, ApiError>> UpdatePipeline(Guid id, PipelineRequest request, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> DeletePipeline(Guid id, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();

    private static async Task<Results<Accepted<PipelineRunDto>, ApiError>> RunPipeline(Guid id, PipelineHandlers handler, CancellationToken ct)
    {
        var run = await handler.RunAsync(id, "manual", ct);
        return run.IsSuccess ? TypedResults.Accepted($"{ApiRoutes.V1}/jobs/{run.Value.JobId}", run.Value) : new ApiError(run.Error!);
    }

    private static async Task<Results<Ok<IReadOnlyList<PipelineRunDto>>, ApiError>> PipelineRuns(Guid id, int? limit, PipelineHandlers handler, CancellationToken ct) =>
        (await handler.RunsAsync(id, limit, ct)).ToOk();

    private static async Task<Results<Ok<LineageResponse>, ApiError>> Lineage(Guid id, DatasetLineage lineage, CancellationToken ct) =>
        (await lineage.GraphAsync(id, ct)).ToOk();
}
