using Astralytiq.Contracts.Jobs;

namespace Astralytiq.Data.Datasets.Upload;

/// <summary>A file uploaded as a new dataset.</summary>
internal static class UploadEndpoints
{
    public static void Map(RouteGroupBuilder datasets, DataSettings settings)
    {
        datasets.MapPost("/", Upload).DisableAntiforgery().DocumentsMultipartBody("file", "name", "description", "format", "delimiter", "header", "sheet", "schema", "table", "query").WithRequestBodyLimit(settings.MaxUploadBytes + (1024 * 1024));
    }

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 409, 413, 415), EndpointName("UploadDataset")]
    [EndpointSummary("Upload (201 with the dataset; 202 with a job id for files over 64 MiB, read in the background with progress) a CSV, TSV, JSON (array or NDJSON), Excel (.xlsx), Parquet or SQLite file as a new dataset: multipart with file, and optional name, description, format, delimiter, header, sheet, schema; for SQLite, table (the only one when absent) or query (one read-only SELECT)")]
    private static async Task<Results<Created<DatasetResponse>, Accepted<JobAcceptedResponse>, ApiError>> Upload(HttpRequest request, UploadHandler handler, CancellationToken ct)
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
}
