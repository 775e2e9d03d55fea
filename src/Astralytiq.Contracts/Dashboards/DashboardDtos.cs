
namespace Astralytiq.Contracts.Dashboards;

/// <summary>Where a widget sits on the 12-column grid (x, y in cells; w, h in cells).</summary>
public sealed record GridPositionDto(int X, int Y, int W, int H);

/// <summary>A widget's data: a typed query (the Data module's query spec) over one of the tenant's datasets.</summary>
public sealed record WidgetSourceDto(Guid DatasetId, QuerySpecDto Query);

/// <summary>A model widget's model: by name or id, at an alias (the newest ready version without one); for forecasts the horizon and series.</summary>
public sealed record WidgetModelDto(string Name, string? Alias = null, int? Horizon = null, string? Series = null);

/// <summary>
/// A widget: type is kpi, line, area, bar, pie, scatter, histogram, heatmap, table, text, forecast or model_metrics.
/// Data widgets have a source, or sql instead: one read-only SELECT over the organisation's datasets by name, as in the
/// SQL workspace (its first column is the label or time, its last the value; dashboard filters do not apply to it).
/// Text widgets have markdown (shown as text); forecast and model_metrics widgets have a model; options are the type's
/// display settings.
/// </summary>
public sealed record WidgetDto(
    string Id,
    string Type,
    GridPositionDto Position,
    string? Title = null,
    WidgetSourceDto? Source = null,
    string? Markdown = null,
    IReadOnlyDictionary<string, string>? Options = null,
    WidgetModelDto? Model = null,
    string? Sql = null);

/// <summary>
/// A dashboard-wide filter on a column: kind <c>date_range</c> (values sent as from..to) or <c>values</c> (one of the
/// values); it applies to every widget whose dataset has the column.
/// </summary>
public sealed record DashboardFilterDto(string Id, string Column, string Kind, string? Label = null);

public sealed record DashboardDefinitionDto(IReadOnlyList<WidgetDto> Widgets, IReadOnlyList<DashboardFilterDto>? Filters = null);

public sealed record CreateDashboardRequest(string Name, DashboardDefinitionDto Definition, string? Folder = null, string? Description = null);

/// <summary>Saves a new version. With <see cref="BaseVersion"/>, a save over a newer version is refused (409) instead of overwriting it.</summary>
public sealed record UpdateDashboardRequest(string Name, DashboardDefinitionDto Definition, string? Folder = null, string? Description = null, int? BaseVersion = null);

/// <summary>A dashboard; its owners also see whether it may be embedded and which filters an embedding token locks.</summary>
public sealed record DashboardResponse(
    Guid Id,
    string Name,
    string? Folder,
    string? Description,
    int Version,
    DashboardDefinitionDto Definition,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Access = null,
    bool? EmbedEnabled = null,
    IReadOnlyList<string>? EmbedLockedFilters = null);

public sealed record DashboardSummaryDto(Guid Id, string Name, string? Folder, string? Description, int Version, int WidgetCount, DateTimeOffset UpdatedAt);

public sealed record DashboardListResponse(IReadOnlyList<DashboardSummaryDto> Items, IReadOnlyList<string> Folders, int Total, int Offset, int Limit);

public sealed record DashboardVersionDto(int Version, string Name, int WidgetCount, string? Note, Guid? CreatedBy, DateTimeOffset CreatedAt);

/// <summary>
/// A widget's data, chart-ready: columns and their values (column-major), for the dataset version it was computed from.
/// A KPI with option <c>compare: previous_period</c>, under a date range filter with both ends, also carries the values
/// of the period of the same length just before (<see cref="Previous"/>, <see cref="PreviousPeriod"/> as from..to).
/// </summary>
/// <summary>
/// Every widget's data at once (text widgets have none), for a page's first paint: tables give their first page. A widget
/// whose data cannot be computed (its dataset or model is gone, its query no longer runs) is in <see cref="Errors"/>.
/// </summary>
public sealed record DashboardDataResponse(Guid DashboardId, IReadOnlyList<WidgetDataResponse> Widgets, IReadOnlyList<WidgetDataErrorDto> Errors);

/// <summary>Why one widget has no data in a <see cref="DashboardDataResponse"/>.</summary>
public sealed record WidgetDataErrorDto(string WidgetId, string Code, string Message);

public sealed record WidgetDataResponse(
    Guid DashboardId,
    string WidgetId,
    Guid DatasetId,
    int DatasetVersion,
    IReadOnlyList<ColumnDto> Columns,
    IReadOnlyList<IReadOnlyList<object?>> Values,
    int RowCount,
    bool Truncated,
    bool Cached,
    IReadOnlyList<string> AppliedFilters,
    IReadOnlyList<IReadOnlyList<object?>>? Previous = null,
    string? PreviousPeriod = null,
    int? Offset = null,
    Guid? ModelId = null,
    int? ModelVersion = null);

/// <summary>
/// Pushed by the dashboards hub (<c>/hubs/dashboards</c>, message <c>widgetUpdated</c>) to the clients subscribed to a
/// dashboard when a dataset one of its widgets shows changes: the widget's new data (without dashboard filters) and
/// when the change was written and the update sent.
/// </summary>
public sealed record WidgetUpdateDto(Guid DashboardId, string WidgetId, int DatasetVersion, WidgetDataResponse Data, DateTimeOffset? ChangedAt, DateTimeOffset SentAt);

/// <summary>
/// Share a dashboard with one user of the tenant or with everyone of a role (viewer, analyst, admin); access is
/// view or edit (editing also needs a role that may write dashboards). Sharing again with the same user or role
/// changes the access.
/// </summary>
public sealed record ShareDashboardRequest(string Access, Guid? UserId = null, string? Role = null);

public sealed record DashboardShareDto(Guid Id, Guid? UserId, string? UserEmail, string? Role, string Access, Guid? CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A public, read-only link to a dashboard: no sign-in, optional expiry and password, revocable.</summary>
public sealed record CreateDashboardLinkRequest(DateTimeOffset? ExpiresAt = null, string? Password = null, string? Label = null);

/// <summary>The link's token is shown once, here; the server keeps only its hash.</summary>
public sealed record DashboardLinkCreatedResponse(Guid Id, string Token, string Path, DateTimeOffset? ExpiresAt, bool HasPassword);

public sealed record DashboardLinkDto(Guid Id, string? Label, DateTimeOffset? ExpiresAt, bool HasPassword, bool Revoked, Guid? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>What a public link shows: the dashboard's name and definition (read-only).</summary>
public sealed record PublicDashboardResponse(string Name, string? Description, int Version, DashboardDefinitionDto Definition);

/// <summary>
/// Make a dashboard from a template over one dataset. Template <c>sales_overview</c>: total and row count, the
/// measure by month, by category, and the top categories as a table. Columns not given are picked from the schema
/// (the first date or timestamp, the last number, the first text column).
/// </summary>
public sealed record DashboardFromTemplateRequest(
    string Template, Guid DatasetId, string? Name = null, string? Folder = null, string? DateColumn = null, string? MeasureColumn = null, string? CategoryColumn = null);

/// <summary>
/// The tenant's embedding secret (hex), shown when made or rotated. Sign embedding tokens with it (HS256): claims
/// <c>tenant</c> (this tenant id), <c>resource: {"dashboard": "&lt;id&gt;"}</c>, <c>params: {"filterId": "value"}</c>
/// for the dashboard's locked filters, and <c>exp</c> (at most 30 days ahead). Rotating it refuses every older token.
/// </summary>
public sealed record EmbeddingSecretResponse(string Secret, Guid TenantId, DateTimeOffset CreatedAt);

/// <summary>Allow a dashboard to be embedded through signed tokens; locked filters are set by the token and cannot be changed in the iframe.</summary>
public sealed record DashboardEmbeddingRequest(bool Enabled, IReadOnlyList<string>? LockedFilters = null);

public sealed record DashboardEmbeddingDto(Guid DashboardId, bool Enabled, IReadOnlyList<string> LockedFilters, bool TenantHasSecret);

/// <summary>What an embedding token shows: the dashboard read-only, and the filter values the token fixed.</summary>
public sealed record EmbeddedDashboardResponse(string Name, string? Description, int Version, DashboardDefinitionDto Definition, IReadOnlyDictionary<string, string> LockedFilters);
