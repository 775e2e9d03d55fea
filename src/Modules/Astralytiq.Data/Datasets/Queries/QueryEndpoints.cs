using Astralytiq.Contracts.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Data.Datasets.Queries;

/// <summary>Typed queries over a version.</summary>
internal static class QueryEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapPost("/{id:guid}/query", Query)
            .RequirePermission(Permission.DatasetsRead)
            .AuditedExplicitly()
            .ProducesErrors(400, 404)
            .WithName("QueryDataset")
            .WithSummary("A typed query (dimensions with time buckets, measures, filters, sort, limit) over a version; columnar result, cached per version and spec");
    }

    private static async Task<Results<Ok<QueryResultResponse>, ApiError>> Query(Guid id, QuerySpecDto spec, QueryHandler handler, CancellationToken ct) =>
        (await handler.QueryAsync(id, spec, ct)).ToOk();
}
