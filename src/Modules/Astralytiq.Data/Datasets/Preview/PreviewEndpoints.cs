namespace Astralytiq.Data.Datasets.Preview;

/// <summary>Rows of a version.</summary>
internal static class PreviewEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/{id:guid}/preview", Preview);
    }

    [RequiresPermission(Permission.DatasetsRead), Errors(400, 404), EndpointName("PreviewDataset")]
    [EndpointSummary("Rows of the current (or a given) version: limit up to 10,000, offset, sort=col,-col, filter=column:op:value (eq, ne, lt, le, gt, ge, contains, starts_with, is_null, not_null), repeatable")]
    private static async Task<Results<Ok<DatasetPreviewResponse>, ApiError>> Preview(
        Guid id, int? version, int? offset, int? limit, string? sort, string[]? filter, PreviewHandler handler, CancellationToken ct) =>
        (await handler.PreviewAsync(id, version, offset, limit, sort, filter ?? [], ct)).ToOk();
}
