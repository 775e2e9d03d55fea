using Astralytiq.Contracts.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Data.Datasets.Lineage;

/// <summary>Where a dataset's versions came from and who uses them.</summary>
internal static class LineageEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/{id:guid}/lineage", Lineage)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("DatasetLineage")
            .WithSummary("Where each version came from (file, database, API, appended rows) and who uses it (models, dashboards)");
    }

    private static async Task<Results<Ok<LineageResponse>, ApiError>> Lineage(Guid id, DatasetLineage lineage, CancellationToken ct) =>
        (await lineage.GraphAsync(id, ct)).ToOk();
}
