namespace Astralytiq.Data.Contracts;

/// <summary>
/// Reads the rows of one of the current tenant's dataset versions into memory, column by column, for
/// work that needs every row (model training, batch scoring, forecasting). Rows come in their stored
/// order; above <c>maxRows</c> every k-th row is taken, so the same version and limit always give the
/// same rows.
/// </summary>
public interface IDatasetReader
{
    /// <summary>The name, row count and columns of a version (the current one unless given); NotFound as for reading.</summary>
    Task<Result<DatasetShape>> DescribeAsync(Guid datasetId, int? version, CancellationToken cancellationToken);

    /// <summary>NotFound for another tenant's or a deleted dataset; a validation error naming an unknown column.</summary>
    Task<Result<DatasetTable>> ReadAsync(Guid datasetId, int? version, IReadOnlyList<string>? columns, long maxRows, CancellationToken cancellationToken);
}

public sealed record DatasetShape(Guid DatasetId, string DatasetName, int Version, long RowCount, IReadOnlyList<ColumnDto> Columns);

/// <summary>Rows of one dataset version; <see cref="TotalRows"/> is the version's row count, <see cref="RowCount"/> those read.</summary>
public sealed record DatasetTable(Guid DatasetId, string DatasetName, int Version, long TotalRows, bool Sampled, IReadOnlyList<TableColumn> Columns)
{
    public int RowCount => Columns.Count == 0 ? 0 : Columns[0].Length;

    public TableColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>
/// One column in the platform's types. Numbers and booleans (as 0/1) are in <see cref="Numbers"/> with NaN
/// for missing; dates and timestamps in <see cref="Times"/>; everything else in <see cref="Texts"/>.
/// </summary>
public sealed record TableColumn(string Name, string Type, double[]? Numbers, DateTime?[]? Times, string?[]? Texts)
{
    public int Length => Numbers?.Length ?? Times?.Length ?? Texts?.Length ?? 0;

    public bool IsNumeric => Numbers is not null;

    public bool IsTemporal => Times is not null;
}

/// <summary>
/// Stores rows another module computed (batch predictions, say) as a new dataset of the current tenant, sealed
/// and counted like any other, with the versions it was made from recorded as its parents in lineage.
/// </summary>
public interface IDatasetWriter
{
    /// <summary>
    /// Conflict when the name is taken; quota errors as for any new dataset. A background job passes its id as
    /// <paramref name="workId"/>: a retry after a crash then answers with the dataset its first attempt stored.
    /// </summary>
    Task<Result<DatasetShape>> CreateAsync(string name, string? description, DatasetTable table, IReadOnlyCollection<(Guid DatasetId, int Version)> parents,
        string madeBy, CancellationToken cancellationToken, Guid? workId = null);
}
