namespace Astralytiq.Data.Datasets.Catalog;

/// <summary>The dataset list, one dataset, its versions, deleting it.</summary>
internal static class CatalogEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/", List);
        datasets.MapGet("/{id:guid}", Get);
        datasets.MapGet("/{id:guid}/versions", Versions);
        datasets.MapDelete("/{id:guid}", Delete);
    }

    [RequiresPermission(Permission.DatasetsRead), Errors(400), EndpointName("ListDatasets")]
    [EndpointSummary("The tenant's datasets with their current version's schema and row count")]
    private static async Task<Results<Ok<Page<DatasetResponse>>, ApiError>> List(string? search, int? offset, int? limit, CatalogHandler handler, CancellationToken ct) =>
        (await handler.ListAsync(search, offset, limit, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("GetDataset")]
    [EndpointSummary("One dataset: current version, schema, source")]
    private static async Task<Results<Ok<DatasetResponse>, ApiError>> Get(Guid id, CatalogHandler handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("ListDatasetVersions")]
    [EndpointSummary("Every version of a dataset, newest first, with its source, schema and content hash")]
    private static async Task<Results<Ok<IReadOnlyList<DatasetVersionDto>>, ApiError>> Versions(Guid id, CatalogHandler handler, CancellationToken ct) =>
        (await handler.VersionsAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(404, 409), EndpointName("DeleteDataset")]
    [EndpointSummary("Delete a dataset (gone at once; its stored files are purged by a background job); refused with 409 listing its dependents unless force=true")]
    private static async Task<Results<NoContent, ApiError>> Delete(Guid id, bool? force, CatalogHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, force ?? false, ct)).ToNoContent();
}
