using Astralytiq.Contracts.Data;
using Astralytiq.Data.Contracts;
using Astralytiq.Platform.Errors;

namespace Astralytiq.Data.Datasets;

internal sealed class DatasetQueries(DatasetHandlers handlers) : IDatasetQueries
{
    public Task<Result<QueryResultResponse>> QueryAsync(Guid datasetId, QuerySpecDto spec, CancellationToken cancellationToken) =>
        handlers.QueryAsync(datasetId, spec, cancellationToken);
}
