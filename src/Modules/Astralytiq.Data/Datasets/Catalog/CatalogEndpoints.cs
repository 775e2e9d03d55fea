using Astralytiq.Contracts.Data;
using Astralytiq.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Data.Datasets.Catalog;

/// <summary>The dataset list, one dataset, its versions, deleting it.</summary>
internal static class CatalogEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
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
        datasets.MapDelete("/{id:guid}", Delete)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeleteDataset")
            .ProducesErrors(409)
            .WithSummary("Delete a dataset (gone at once; its stored files are purged by a background job); refused with 409 listing its dependents unless force=true");
    }

    private static async Task<Results<Ok<Page<DatasetResponse>>, ApiError>> List(string? search, int? offset, int? limit, CatalogHandler handler, CancellationToken ct) =>
        (await handler.ListAsync(search, offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<DatasetResponse>, ApiError>> Get(Guid id, CatalogHandler handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<IReadOnlyList<DatasetVersionDto>>, ApiError>> Versions(Guid id, CatalogHandler handler, CancellationToken ct) =>
        (await handler.VersionsAsync(id, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> Delete(Guid id, bool? force, CatalogHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, force ?? false, ct)).ToNoContent();
}
