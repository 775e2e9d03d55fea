namespace Astralytiq.Data.Datasets.Queries;

/// <summary>Typed queries over a version.</summary>
internal static class QueryEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapPost("/{id:guid}/query", Query);
    }

    [RequiresPermission(Permission.DatasetsRead), AuditedExplicitly, Errors(400, 404), EndpointName("QueryDataset")]
    [EndpointSummary("A typed query (dimensions with time buckets, measures, filters, sort, limit) over a version; columnar result, cached per version and spec")]
    private static async Task<Results<Ok<QueryResultResponse>, ApiError>> Query(Guid id, QuerySpecDto spec, QueryHandler handler, CancellationToken ct) =>
        (await handler.QueryAsync(id, spec, ct)).ToOk();
}
