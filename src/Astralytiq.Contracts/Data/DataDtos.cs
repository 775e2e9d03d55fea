namespace Astralytiq.Contracts.Data;

/// <summary>A column as the platform types it: integer, decimal, boolean, date, timestamp or string.</summary>
public sealed record ColumnDto(string Name, string Type, string SourceType, bool Nullable);

/// <summary>Where a version came from.</summary>
public sealed record DatasetSourceDto(string Kind, string? FileName, string? Format, long? SizeBytes, string? Sha256);

public sealed record DatasetVersionDto(
    Guid Id,
    int Version,
    long RowCount,
    long StoredBytes,
    string ContentSha256,
    DatasetSourceDto Source,
    IReadOnlyList<ColumnDto> Schema,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt);

public sealed record DatasetResponse(
    Guid Id,
    string Name,
    string? Description,
    int CurrentVersion,
    long RowCount,
    int ColumnCount,
    IReadOnlyList<ColumnDto> Schema,
    DatasetSourceDto Source,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Rows of a dataset version; each row lists values in the order of <c>columns</c>.</summary>
public sealed record DatasetPreviewResponse(
    Guid DatasetId,
    int Version,
    IReadOnlyList<ColumnDto> Columns,
    IReadOnlyList<IReadOnlyList<object?>> Rows,
    long TotalRows,
    int Offset,
    int Limit);
