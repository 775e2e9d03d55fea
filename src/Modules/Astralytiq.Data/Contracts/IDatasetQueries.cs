namespace Astralytiq.Data.Contracts;

/// <summary>
/// The Data module's query engine for other modules (dashboards, model training): a typed query over
/// one of the current tenant's datasets. Results are cached by dataset version and spec, so they are
/// never stale: a new version is a new cache key.
/// </summary>
public interface IDatasetQueries
{
    Task<Result<QueryResultResponse>> QueryAsync(Guid datasetId, QuerySpecDto spec, CancellationToken cancellationToken);
}
