namespace Astralytiq.Contracts.Data;

/// <summary>A column as the platform types it: integer, decimal, boolean, date, timestamp or string.</summary>
public sealed record ColumnDto(string Name, string Type, string SourceType, bool Nullable);

/// <summary>Where a version came from.</summary>
public sealed record DatasetSourceDto(string Kind, string? FileName, string? Format, long? SizeBytes, string? Sha256, string? Location = null, string? Query = null);

public sealed record DatasetVersionDto(
    Guid Id,
    int Version,
    long RowCount,
    long StoredBytes,
    string ContentSha256,
    DatasetSourceDto Source,
    IReadOnlyList<ColumnDto> Schema,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    int Parts = 1);

/// <summary>A sample dataset shipped with the platform: its name (to add it), title (the dataset's name once added), what it holds.</summary>
public sealed record SampleDatasetDto(string Name, string Title, string Description, int Rows, IReadOnlyList<string> Columns);

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

public sealed record HistogramBinDto(double Lower, double Upper, long Count);

public sealed record TopValueDto(object? Value, long Count);

/// <summary>One column's profile. Numeric statistics and the histogram are present for integer and decimal columns.</summary>
public sealed record ColumnProfileDto(
    string Name,
    string Type,
    long Count,
    long Nulls,
    double NullShare,
    long Distinct,
    object? Min,
    object? Max,
    double? Mean,
    double? Std,
    IReadOnlyDictionary<string, double?>? Quantiles,
    IReadOnlyList<HistogramBinDto>? Histogram,
    IReadOnlyList<TopValueDto>? TopValues);

/// <summary>Pearson correlation of two numeric columns over the rows where both are present.</summary>
public sealed record CorrelationDto(string ColumnA, string ColumnB, double? Pearson);

public sealed record DatasetProfileResponse(
    Guid DatasetId,
    int Version,
    long RowCount,
    long DuplicateRows,
    long StoredBytes,
    IReadOnlyList<ColumnProfileDto> Columns,
    IReadOnlyList<CorrelationDto> Correlations,
    bool Approximate = false);

/// <summary>What a column must satisfy. Every rule is optional; <c>type</c> is one of integer, decimal, boolean, date, timestamp, string.</summary>
public sealed record ColumnRuleDto(
    string Name,
    string? Type = null,
    bool? Required = null,
    bool? Unique = null,
    double? Min = null,
    double? Max = null,
    string? Pattern = null,
    IReadOnlyList<string>? AllowedValues = null);

/// <summary>A dataset's saved column rules: every validation without rules of its own checks them, on every version.</summary>
public sealed record DatasetRulesDto(IReadOnlyList<ColumnRuleDto> Columns);

/// <summary>An optional declared schema; without one the dataset's saved rules (if any) and the quality checks run.</summary>
public sealed record ValidateDatasetRequest(IReadOnlyList<ColumnRuleDto>? Columns = null, int? Version = null);

/// <summary>One finding. <c>severity</c> is error (breaks a declared rule), warning or info (quality).</summary>
public sealed record ValidationIssueDto(
    string Severity,
    string? Column,
    string Rule,
    string Message,
    long FailingRowCount,
    IReadOnlyList<long> SampleRowNumbers);

/// <summary>
/// <c>valid</c> when no error was found; <c>score</c> from 0 to 100: the share of cells without a problem, where an empty
/// cell (a <c>missing_values</c> finding) or one breaking a declared rule counts fully, a warning half and a note a tenth.
/// </summary>
public sealed record ValidationReportResponse(Guid DatasetId, int Version, bool Valid, double Score, long RowCount, IReadOnlyList<ValidationIssueDto> Issues);

/// <summary>Group by a column; date and timestamp columns may be bucketed (minute, hour, day, week, month, quarter, year).</summary>
public sealed record QueryDimensionDto(string Column, string? Bucket = null, string? Alias = null);

/// <summary>An aggregate: count (column optional), count_distinct, sum, avg, min, max, median or stddev.</summary>
public sealed record QueryMeasureDto(string Aggregation, string? Column = null, string? Alias = null);

/// <summary>A condition on a column: op is eq, ne, lt, le, gt, ge, contains, starts_with, is_null or not_null.</summary>
public sealed record QueryFilterDto(string Column, string Op, string? Value = null);

public sealed record QuerySortDto(string By, bool Descending = false);

/// <summary>
/// A typed query over one dataset version (the current one unless given): at least one dimension or measure, or
/// <see cref="Select"/> for the rows themselves (those columns, in stored order unless sorted, nothing grouped).
/// <see cref="Offset"/> skips rows, for paging; <c>truncated</c> in the result then says whether more follow.
/// </summary>
public sealed record QuerySpecDto(
    IReadOnlyList<QueryDimensionDto>? Dimensions = null,
    IReadOnlyList<QueryMeasureDto>? Measures = null,
    IReadOnlyList<QueryFilterDto>? Filters = null,
    IReadOnlyList<QuerySortDto>? Sort = null,
    int? Limit = null,
    int? Version = null,
    int? Offset = null,
    IReadOnlyList<string>? Select = null);

/// <summary>Columnar result: <c>values[i]</c> holds column <c>columns[i]</c> for every row.</summary>
public sealed record QueryResultResponse(
    Guid DatasetId,
    int Version,
    IReadOnlyList<ColumnDto> Columns,
    IReadOnlyList<IReadOnlyList<object?>> Values,
    int RowCount,
    bool Truncated,
    bool Cached);

/// <summary>The result of appending a batch: the dataset's new current version.</summary>
public sealed record AppendRowsResponse(Guid DatasetId, int Version, long AppendedRows, long RowCount);

/// <summary>A read-only SELECT over the tenant's datasets, referenced by name (quote names with spaces: "Sales 2024").</summary>
public sealed record SqlQueryRequest(string? Sql, int? Limit = null);

/// <summary>Columnar result of a SQL workspace query.</summary>
public sealed record SqlQueryResponse(IReadOnlyList<ColumnDto> Columns, IReadOnlyList<IReadOnlyList<object?>> Values, int RowCount, bool Truncated, IReadOnlyList<string> Datasets);

/// <summary>Where to read from: a PostgreSQL server (the password is used once and never stored).</summary>
public sealed record DatabaseConnectionDto(string? Host, int? Port, string? Database, string? Username, string? Password, string? SslMode = null);

/// <summary>Imports the result of one read-only SELECT as a new dataset.</summary>
public sealed record DatabaseImportRequest(
    string? Name,
    string? Kind,
    DatabaseConnectionDto? Connection,
    string? Query,
    string? Description = null,
    int? RowLimit = null,
    int? TimeoutSeconds = null);

/// <summary>
/// Imports JSON records from an HTTP API: <c>records_path</c> (dotted, e.g. data.items; the body itself
/// when absent) locates the array of records, <c>next_link_path</c> the URL of the next page. Private,
/// loopback and link-local addresses are refused unless the operator allow-lists them.
/// </summary>
public sealed record HttpImportRequest(
    string? Name,
    string? Url,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(VerbatimKeys))] IReadOnlyDictionary<string, string>? Headers = null,
    string? RecordsPath = null,
    string? NextLinkPath = null,
    int? MaxPages = null,
    string? Description = null);

/// <summary>A node of a lineage graph: kind is source, version or consumer.</summary>
public sealed record LineageNodeDto(string Id, string Kind, string Label, IReadOnlyDictionary<string, string?> Details);

public sealed record LineageEdgeDto(string From, string To, string Kind);

/// <summary>Upstream (sources, earlier versions) and downstream (registered consumers) of a dataset.</summary>
public sealed record LineageResponse(Guid DatasetId, IReadOnlyList<LineageNodeDto> Nodes, IReadOnlyList<LineageEdgeDto> Edges);
