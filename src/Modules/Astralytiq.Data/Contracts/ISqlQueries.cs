namespace Astralytiq.Data.Contracts;

/// <summary>
/// The SQL workspace's engine for other modules (SQL widgets on dashboards): one read-only SELECT over the current
/// tenant's datasets by name, checked and sandboxed exactly as the workspace runs it.
/// </summary>
public interface ISqlQueries
{
    /// <summary>The datasets the query reads, by id; a validation error when it is not one read-only SELECT over known datasets.</summary>
    Task<Result<IReadOnlyList<Guid>>> DatasetsAsync(string sql, CancellationToken cancellationToken);

    /// <summary>Runs the query; at most <paramref name="limit"/> rows (truncated says whether more follow).</summary>
    Task<Result<SqlQueryResponse>> RunAsync(string sql, int limit, CancellationToken cancellationToken);
}
