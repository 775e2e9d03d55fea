namespace Astralytiq.Data.Transforms;

/// <summary>Transform steps previewed or applied to a version.</summary>
internal static class TransformEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapPost("/{id:guid}/transform", Transform);
    }

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 404, 409), EndpointName("TransformDataset")]
    [EndpointSummary("Apply ordered steps (select, drop, rename, cast, filter, fill_missing, drop_duplicates, derive, group, join, sort, normalize, one_hot, sample, limit, date_parts): preview=true returns the first rows and stores nothing; otherwise a new version (or, with output_name, a new dataset) is stored — 201, or 202 with a job id for large inputs. Same input and steps give a byte-identical file")]
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
}
