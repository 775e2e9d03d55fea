namespace Astralytiq.Data.Datasets.Queries;

internal sealed class DatasetQueries(QueryHandler handler) : IDatasetQueries
{
    public Task<Result<QueryResultResponse>> QueryAsync(Guid datasetId, QuerySpecDto spec, CancellationToken cancellationToken) =>
        handler.QueryAsync(datasetId, spec, cancellationToken);
}
