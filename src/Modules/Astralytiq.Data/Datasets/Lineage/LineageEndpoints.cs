namespace Astralytiq.Data.Datasets.Lineage;

/// <summary>Where a dataset's versions came from and who uses them.</summary>
internal static class LineageEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/{id:guid}/lineage", Lineage);
    }

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("DatasetLineage")]
    [EndpointSummary("Where each version came from (file, database, API, appended rows) and who uses it (models, dashboards)")]
    private static async Task<Results<Ok<LineageResponse>, ApiError>> Lineage(Guid id, DatasetLineage lineage, CancellationToken ct) =>
        (await lineage.GraphAsync(id, ct)).ToOk();
}
