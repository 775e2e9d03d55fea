using Astralytiq.Contracts.Data;
using Astralytiq.Data.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Data.Datasets.Append;

/// <summary>Rows appended to a dataset as a new version.</summary>
internal static class AppendEndpoints
{
    public static void Map(RouteGroupBuilder datasets, DataSettings settings)
    {
        datasets.MapPost("/{id:guid}/rows", AppendRows)
            .RequirePermission(Permission.DatasetsWrite)
            .AuditedExplicitly()
            .ProducesErrors(400, 404, 409, 413)
            .WithRequestBodyLimit(settings.MaxAppendBytes)
            .WithName("AppendDatasetRows")
            .WithSummary("Append a batch of rows (NDJSON or a JSON array of objects) as a new version; raises DatasetChanged");
    }

    private static async Task<Results<Ok<AppendRowsResponse>, ApiError>> AppendRows(Guid id, HttpRequest request, AppendHandler handler, CancellationToken ct) =>
        (await handler.AppendAsync(id, request, ct)).ToOk();
}
