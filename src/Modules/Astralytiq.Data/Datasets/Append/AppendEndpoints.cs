namespace Astralytiq.Data.Datasets.Append;

/// <summary>Rows appended to a dataset as a new version.</summary>
internal static class AppendEndpoints
{
    public static void Map(RouteGroupBuilder datasets, DataSettings settings)
    {
        datasets.MapPost("/{id:guid}/rows", AppendRows).WithRequestBodyLimit(settings.MaxAppendBytes);
    }

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 404, 409, 413), EndpointName("AppendDatasetRows")]
    [EndpointSummary("Append a batch of rows (NDJSON or a JSON array of objects) as a new version; raises DatasetChanged")]
    private static async Task<Results<Ok<AppendRowsResponse>, ApiError>> AppendRows(Guid id, HttpRequest request, AppendHandler handler, CancellationToken ct) =>
        (await handler.AppendAsync(id, request, ct)).ToOk();
}
