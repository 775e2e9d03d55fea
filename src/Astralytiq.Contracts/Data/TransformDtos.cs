
namespace Astralytiq.Contracts.Data;

/// <summary>
/// A filter condition: either a comparison (<c>column</c>, <c>op</c>, <c>value</c>) or a combination
/// (<c>all</c>: every one holds, <c>any</c>: at least one holds, <c>not</c>). Ops: eq, ne, lt, le, gt, ge,
/// in, not_in (value is an array), contains, starts_with, ends_with, is_null, not_null.
/// </summary>
public sealed record PredicateDto(
    IReadOnlyList<PredicateDto>? All = null,
    IReadOnlyList<PredicateDto>? Any = null,
    PredicateDto? Not = null,
    string? Column = null,
    string? Op = null,
    JsonElement? Value = null);

/// <summary>An aggregate of a group: function (count, count_distinct, sum, avg, min, max, median, stddev, first, last) of a column, named <c>as</c>.</summary>
public sealed record AggregationDto(string Function, string? Column = null, string? As = null);

/// <summary>A pair of columns that must be equal for rows to join (left from this dataset, right from the other).</summary>
public sealed record JoinKeyDto(string Left, string Right);

public sealed record SortKeyDto(string Column, bool Descending = false);

/// <summary>
/// One transformation step; <c>op</c> says which, and each op reads its own fields:
/// select / drop (<c>columns</c>); rename (<c>mapping</c> old → new); cast (<c>column</c>, <c>to</c>, <c>on_error</c>: null | fail);
/// filter (<c>where</c> predicate tree or <c>expression</c>); fill_missing (<c>columns</c>, <c>strategy</c>: constant | mean | median | mode |
/// forward_fill | backward_fill, <c>value</c>); drop_duplicates (<c>columns</c>, all when absent); derive (<c>name</c>, <c>expression</c>);
/// group (<c>group_by</c>, <c>aggregations</c>); join (<c>dataset_id</c>, <c>dataset_version</c>, <c>on</c>, <c>how</c>: inner | left | right | full,
/// <c>suffix</c>); sort (<c>by</c>); normalize (<c>columns</c>, <c>method</c>: min_max | z_score); one_hot (<c>column</c>, <c>prefix</c>,
/// <c>max_levels</c>, <c>keep_original</c>); sample (<c>rows</c> or <c>fraction</c>, <c>seed</c>); limit (<c>rows</c>, <c>offset</c>);
/// date_parts (<c>column</c>, <c>parts</c>: year, quarter, month, week, day, weekday, hour, minute).
/// </summary>
public sealed record TransformStepDto(
    string Op,
    IReadOnlyList<string>? Columns = null,
    string? Column = null,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(VerbatimKeys))] IReadOnlyDictionary<string, string>? Mapping = null,
    string? To = null,
    string? OnError = null,
    PredicateDto? Where = null,
    string? Expression = null,
    string? Strategy = null,
    JsonElement? Value = null,
    string? Name = null,
    IReadOnlyList<string>? GroupBy = null,
    IReadOnlyList<AggregationDto>? Aggregations = null,
    Guid? DatasetId = null,
    int? DatasetVersion = null,
    IReadOnlyList<JoinKeyDto>? On = null,
    string? How = null,
    string? Suffix = null,
    IReadOnlyList<SortKeyDto>? By = null,
    string? Method = null,
    string? Prefix = null,
    int? MaxLevels = null,
    bool? KeepOriginal = null,
    long? Rows = null,
    double? Fraction = null,
    long? Seed = null,
    long? Offset = null,
    IReadOnlyList<string>? Parts = null);

/// <summary>
/// Transform a dataset version (the current one unless <c>version</c> is given). With <c>preview</c> the
/// first <c>preview_limit</c> rows come back and nothing is stored; otherwise the result is stored as a new
/// version of this dataset, or as a new dataset when <c>output_name</c> is given.
/// </summary>
public sealed record TransformRequest(
    IReadOnlyList<TransformStepDto>? Steps,
    int? Version = null,
    bool Preview = false,
    int? PreviewLimit = null,
    string? OutputName = null,
    string? OutputDescription = null);

/// <summary>The first rows a transform would give, with the schema after each step.</summary>
public sealed record TransformPreviewResponse(
    Guid DatasetId,
    int Version,
    IReadOnlyList<ColumnDto> Columns,
    IReadOnlyList<IReadOnlyList<object?>> Rows,
    long TotalRows,
    IReadOnlyList<IReadOnlyList<string>> ColumnsAfterStep);

/// <summary>A stored transform: the dataset and version it made (or the job making it, for large inputs).</summary>
public sealed record TransformApplyResponse(Guid? DatasetId, int? Version, long? RowCount, string? ContentSha256, Guid? JobId);

/// <summary>A version a transform read from.</summary>
public sealed record VersionParentDto(Guid DatasetId, string DatasetName, int Version);
