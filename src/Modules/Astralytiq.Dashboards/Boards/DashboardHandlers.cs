using System.Globalization;
using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Dashboards.Persistence;
using Astralytiq.Data.Contracts;
using Astralytiq.Platform.Auditing;
using Astralytiq.Platform.Errors;
using Astralytiq.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Astralytiq.Dashboards.Boards;

/// <summary>Dashboards: saved as versions, validated against their datasets on save, and widget data computed through the Data contract.</summary>
internal sealed class DashboardHandlers(
    DashboardsDbContext db, IDatasetQueries queries, IDatasetReader datasets, ITenantContext tenant, IAuditLog audit, TimeProvider time,
    Identity.Contracts.IUserDirectory users, LiveSubscriptions live, Microsoft.AspNetCore.SignalR.IHubContext<DashboardHub> hub, ML.Contracts.IModelReader models)
{
    public const int Columns = 12;
    public const int MaxWidgets = 50;
    public static readonly string[] DataWidgetTypes = ["kpi", "line", "area", "bar", "pie", "scatter", "histogram", "heatmap", "table"];
    public static readonly string[] ModelWidgetTypes = ["forecast", "model_metrics"];
    public static readonly string[] FilterKinds = ["date_range", "values"];

    public async Task<Result<DashboardResponse>> CreateAsync(CreateDashboardRequest request, CancellationToken ct)
    {
        var checkedRequest = await ValidateAsync(request.Name, request.Folder, request.Description, request.Definition, ct).ConfigureAwait(false);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        var now = time.GetUtcNow();
        var dashboard = new Dashboard
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, Name = request.Name.Trim(), Folder = Clean(request.Folder),
            Description = Clean(request.Description), Version = 1, DefinitionJson = checkedRequest.Value, CreatedBy = tenant.UserId, CreatedAt = now, UpdatedAt = now,
        };
        db.Dashboards.Add(dashboard);
        db.Versions.Add(Snapshot(dashboard, "created"));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("dashboard.created", AuditOutcome.Success, "dashboard", dashboard.Id.ToString(),
            new Dictionary<string, string> { ["name"] = dashboard.Name }), ct).ConfigureAwait(false);
        return ToResponse(dashboard, DashboardAccess.Owner);
    }

    private IQueryable<Dashboard> Visible() => db.Dashboards.Where(d => d.DeletedAt == null).VisibleTo(db, tenant.UserId, tenant.Role);

    /// <summary>The dashboard when the caller may act on it at <paramref name="needed"/> (view, edit or owner): 404 when they may not see it, 403 when they may only see it.</summary>
    private async Task<Result<(Dashboard Dashboard, string Level)>> FindAsync(Guid id, string needed, bool track, CancellationToken ct)
    {
        var query = track ? db.Dashboards : db.Dashboards.AsNoTracking();
        var dashboard = await query.SingleOrDefaultAsync(d => d.Id == id && d.DeletedAt == null, ct).ConfigureAwait(false);
        var level = dashboard is null ? null : await DashboardAccess.LevelAsync(db, dashboard, tenant.UserId, tenant.Role, ct).ConfigureAwait(false);
        if (dashboard is null || level is null)
        {
            return new NotFoundError("Dashboard");
        }
        var enough = needed switch
        {
            DashboardAccess.Owner => level == DashboardAccess.Owner,
            DashboardAccess.Edit => level is DashboardAccess.Owner or DashboardAccess.Edit,
            _ => true,
        };
        return enough ? (dashboard, level) : new ForbiddenError(needed == DashboardAccess.Owner
            ? "Only the dashboard's creator or an admin may do this"
            : "This dashboard is shared with you to view, not to edit");
    }

    /// <summary>For links and shares: the dashboard when the caller owns it (creator or admin).</summary>
    public async Task<Result<Unit>> RequireOwnerAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        return found.IsSuccess ? Unit.Value : found.Error!;
    }

    public async Task<Result<DashboardResponse>> UpdateAsync(Guid id, UpdateDashboardRequest request, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Edit, track: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dashboard, level) = found.Value;
        if (request.BaseVersion is { } baseVersion && baseVersion != dashboard.Version)
        {
            return new ConflictError($"The dashboard was saved as version {dashboard.Version} after version {baseVersion} you edited; reload it and save again");
        }
        var checkedRequest = await ValidateAsync(request.Name, request.Folder, request.Description, request.Definition, ct).ConfigureAwait(false);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        return await SaveVersionAsync(dashboard, request.Name.Trim(), Clean(request.Folder), Clean(request.Description), checkedRequest.Value, null, level, ct).ConfigureAwait(false);
    }

    private async Task<Result<DashboardResponse>> SaveVersionAsync(Dashboard dashboard, string name, string? folder, string? description, string definition, string? note, string level, CancellationToken ct)
    {
        var expected = dashboard.Version;
        dashboard.Name = name;
        dashboard.Folder = folder;
        dashboard.Description = description;
        dashboard.DefinitionJson = definition;
        dashboard.Version = expected + 1;
        dashboard.UpdatedAt = time.GetUtcNow();
        db.Versions.Add(Snapshot(dashboard, note));
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another save took this version number first (the unique index on versions): nothing of ours is kept.
            db.ChangeTracker.Clear();
            return new ConflictError($"The dashboard was saved by someone else at the same time (version {expected + 1}); reload it and save again");
        }
        await audit.RecordAsync(new AuditRecord(note is null ? "dashboard.updated" : "dashboard.restored", AuditOutcome.Success, "dashboard", dashboard.Id.ToString(),
            new Dictionary<string, string> { ["name"] = dashboard.Name, ["version"] = dashboard.Version.ToString(CultureInfo.InvariantCulture), ["note"] = note ?? string.Empty }), ct).ConfigureAwait(false);
        return ToResponse(dashboard, level);
    }

    public async Task<Result<DashboardResponse>> GetAsync(Guid id, int? version, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.View, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dashboard, level) = found.Value;
        if (version is { } number && number != dashboard.Version)
        {
            var old = await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.DashboardId == id && v.Version == number, ct).ConfigureAwait(false);
            if (old is null)
            {
                return new NotFoundError("Dashboard version");
            }
            return new DashboardResponse(dashboard.Id, old.Name, old.Folder, old.Description, old.Version, Definition(old.DefinitionJson), old.CreatedBy, dashboard.CreatedAt, old.CreatedAt, level);
        }
        return ToResponse(dashboard, level);
    }

    public async Task<Result<DashboardListResponse>> ListAsync(string? search, string? folder, int? offset, int? limit, CancellationToken ct)
    {
        var skip = offset ?? 0;
        var take = limit ?? 50;
        if (skip < 0 || take is < 1 or > 200)
        {
            return ValidationError.For("limit", "offset must be 0 or more and limit between 1 and 200");
        }
        var live = Visible().AsNoTracking();
        var folders = await live.Where(d => d.Folder != null).Select(d => d.Folder!).Distinct().OrderBy(f => f).ToListAsync(ct).ConfigureAwait(false);
        var query = live;
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(d => d.Name.Contains(term));
        }
        if (folder is not null)
        {
            query = folder.Length == 0 ? query.Where(d => d.Folder == null) : query.Where(d => d.Folder == folder);
        }
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        var page = await query.OrderBy(d => d.Folder).ThenBy(d => d.Name).ThenBy(d => d.Id).Skip(skip).Take(take).ToListAsync(ct).ConfigureAwait(false);
        return new DashboardListResponse(page.Select(d => new DashboardSummaryDto(d.Id, d.Name, d.Folder, d.Description, d.Version,
            Definition(d.DefinitionJson).Widgets.Count, d.UpdatedAt)).ToList(), folders, total, skip, take);
    }

    public async Task<Result<IReadOnlyList<DashboardVersionDto>>> VersionsAsync(Guid id, CancellationToken ct)
    {
        if (!await Visible().AnyAsync(d => d.Id == id, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Dashboard");
        }
        var versions = await db.Versions.AsNoTracking().Where(v => v.DashboardId == id).OrderByDescending(v => v.Version).ToListAsync(ct).ConfigureAwait(false);
        return versions.Select(v => new DashboardVersionDto(v.Version, v.Name, Definition(v.DefinitionJson).Widgets.Count, v.Note, v.CreatedBy, v.CreatedAt)).ToList();
    }

    /// <summary>Restoring saves the old version's content as the next version: history is never rewritten.</summary>
    public async Task<Result<DashboardResponse>> RestoreAsync(Guid id, int version, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Edit, track: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dashboard, level) = found.Value;
        var old = await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.DashboardId == id && v.Version == version, ct).ConfigureAwait(false);
        if (old is null)
        {
            return new NotFoundError("Dashboard version");
        }
        return await SaveVersionAsync(dashboard, old.Name, old.Folder, old.Description, old.DefinitionJson, $"restored from version {version}", level, ct).ConfigureAwait(false);
    }

    public async Task<Result<Unit>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var now = time.GetUtcNow();
        var deleted = await db.Dashboards.Where(d => d.Id == id && d.DeletedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.DeletedAt, now), ct).ConfigureAwait(false);
        if (deleted == 0)
        {
            return new NotFoundError("Dashboard");
        }
        await audit.RecordAsync(new AuditRecord("dashboard.deleted", AuditOutcome.Success, "dashboard", id.ToString()), ct).ConfigureAwait(false);
        await live.RecheckAsync(db, hub, tenant.TenantId!.Value, id, ct).ConfigureAwait(false);
        return Unit.Value;
    }

    /// <summary>
    /// A widget's data: its query with the dashboard filters given (<c>filterId:value</c>, or <c>filterId:from..to</c> for a
    /// date range) added as conditions on the widget's dataset, when that dataset has the filter's column. Results are
    /// cached by dataset version and query, so they are never stale after a write.
    /// </summary>
    public const int MaxPageSize = 1000;

    private sealed record Applied(List<QueryFilterDto> Conditions, List<string> Ids, (string Column, string From, string To)? Range);

    private sealed record Target(Dashboard Dashboard, WidgetDto Widget, WidgetSourceDto? Source, DatasetShape? Shape, Applied Filters);

    /// <summary>The dashboard, the widget, its dataset's shape and the dashboard filters as conditions on that dataset.</summary>
    private async Task<Result<Target>> TargetAsync(Guid id, string widgetId, IReadOnlyList<string> filters, bool checkAccess, CancellationToken ct)
    {
        var query = checkAccess ? Visible().AsNoTracking() : db.Dashboards.AsNoTracking().Where(d => d.DeletedAt == null);
        var dashboard = await query.SingleOrDefaultAsync(d => d.Id == id, ct).ConfigureAwait(false);
        if (dashboard is null)
        {
            return new NotFoundError("Dashboard");
        }
        var definition = Definition(dashboard.DefinitionJson);
        var widget = definition.Widgets.FirstOrDefault(w => w.Id == widgetId);
        if (widget is null)
        {
            return new NotFoundError("Widget");
        }
        if (widget.Source is null && widget.Model is not null)
        {
            // A model widget: its data comes from the model; dashboard filters do not apply to it.
            return new Target(dashboard, widget, null, null, new Applied([], [], null));
        }
        if (widget.Source is not { } source)
        {
            return ValidationError.For("widget_id", $"widget '{widgetId}' is a {widget.Type} widget and has no data");
        }
        var shape = await datasets.DescribeAsync(source.DatasetId, null, ct).ConfigureAwait(false);
        if (!shape.IsSuccess)
        {
            return new ConflictError($"The dataset of widget '{widgetId}' no longer exists; edit the widget");
        }
        var conditions = new List<QueryFilterDto>();
        var applied = new List<string>();
        (string Column, string From, string To)? range = null;
        var errors = new FieldErrors();
        foreach (var raw in filters)
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            var filter = colon <= 0 ? null : (definition.Filters ?? []).FirstOrDefault(f => f.Id == raw[..colon]);
            if (filter is null)
            {
                errors.Add("filter", $"'{raw}' is not filterId:value for one of this dashboard's filters ({string.Join(", ", (definition.Filters ?? []).Select(f => f.Id))})");
                continue;
            }
            var value = raw[(colon + 1)..];
            if (shape.Value.Columns.All(c => c.Name != filter.Column))
            {
                continue;
            }
            if (filter.Kind == "date_range")
            {
                var parts = value.Split("..");
                if (parts.Length != 2)
                {
                    errors.Add("filter", $"'{filter.Id}' is a date range: send from..to (either side may be empty)");
                    continue;
                }
                if (parts[0].Length > 0 && parts[1].Length > 0)
                {
                    range = (filter.Column, parts[0], parts[1]);
                }
                if (parts[0].Length > 0)
                {
                    conditions.Add(new QueryFilterDto(filter.Column, "ge", parts[0]));
                }
                if (parts[1].Length > 0)
                {
                    conditions.Add(new QueryFilterDto(filter.Column, "le", parts[1]));
                }
            }
            else
            {
                conditions.Add(new QueryFilterDto(filter.Column, "eq", value));
            }
            applied.Add(filter.Id);
        }
        return errors.IsEmpty ? new Target(dashboard, widget, source, shape.Value, new Applied(conditions, applied, range)) : errors.ToError();
    }

    /// <summary>Checks a page (offset, limit) and gives the limit to ask for, within the widget's own limit (its "top N").</summary>
    private static Result<(int Offset, int? Limit, bool Empty)> Page(int? offset, int? limit, int? widgetLimit)
    {
        var errors = new FieldErrors();
        if (offset is < 0 or > 100_000_000)
        {
            errors.Add("offset", "offset must be between 0 and 100000000");
        }
        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"limit (rows per page) must be between 1 and {MaxPageSize}");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var o = offset ?? 0;
        int? l = limit;
        if (widgetLimit is { } top)
        {
            l = Math.Min(l ?? top, top - o);
        }
        return (o, l is { } x ? Math.Max(1, x) : null, l is <= 0);
    }

    /// <summary>
    /// A widget's data: its query with the dashboard filters given (<c>filterId:value</c>, or <c>filterId:from..to</c> for a
    /// date range) added as conditions on the widget's dataset, when that dataset has the filter's column. Results are
    /// cached by dataset version and query, so they are never stale after a write. <paramref name="offset"/> and
    /// <paramref name="limit"/> page through the rows (tables), within the widget's own limit.
    /// </summary>
    public async Task<Result<WidgetDataResponse>> WidgetDataAsync(Guid id, string widgetId, IReadOnlyList<string> filters, CancellationToken ct, bool checkAccess = true, int? offset = null, int? limit = null)
    {
        var target = await TargetAsync(id, widgetId, filters, checkAccess, ct).ConfigureAwait(false);
        if (!target.IsSuccess)
        {
            return target.Error!;
        }
        var (dashboard, widget, maybeSource, _, applied) = target.Value;
        if (maybeSource is not { } source)
        {
            return await ModelDataAsync(dashboard, widget, widget.Model!, ct).ConfigureAwait(false);
        }
        var page = Page(offset, limit, source.Query.Limit);
        if (!page.IsSuccess)
        {
            return page.Error!;
        }
        var conditions = applied.Conditions;
        var spec = source.Query with { Filters = [.. source.Query.Filters ?? [], .. conditions], Version = null };
        if (offset is not null || limit is not null)
        {
            spec = spec with { Offset = page.Value.Offset, Limit = page.Value.Limit };
        }
        var result = await queries.QueryAsync(source.DatasetId, spec, ct).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return result.Error!;
        }
        var r = result.Value;
        if (page.Value.Empty)
        {
            // Past the widget's own limit: no rows, at the version just read.
            return new WidgetDataResponse(dashboard.Id, widget.Id, r.DatasetId, r.Version, r.Columns, r.Columns.Select(_ => (IReadOnlyList<object?>)[]).ToList(), 0, false, r.Cached, applied.Ids, Offset: page.Value.Offset);
        }
        var truncated = r.Truncated;
        if (source.Query.Limit is { } top && (offset is not null || limit is not null))
        {
            // More rows follow this page only within the widget's "top N".
            truncated = r.Truncated && page.Value.Offset + r.RowCount < top;
        }
        IReadOnlyList<IReadOnlyList<object?>>? previous = null;
        string? previousPeriod = null;
        if (widget.Type == "kpi" && widget.Options?.GetValueOrDefault("compare") == "previous_period" && applied.Range is { } period && PreviousPeriod(period.From, period.To) is { } before)
        {
            // The same query over the period of the same length just before the filtered one.
            var shifted = conditions.Where(c => c.Column != period.Column).Append(new QueryFilterDto(period.Column, "ge", before.From)).Append(new QueryFilterDto(period.Column, "le", before.To));
            var earlier = await queries.QueryAsync(source.DatasetId, source.Query with { Filters = [.. source.Query.Filters ?? [], .. shifted], Version = r.Version }, ct).ConfigureAwait(false);
            if (earlier.IsSuccess)
            {
                previous = earlier.Value.Values;
                previousPeriod = $"{before.From}..{before.To}";
            }
        }
        return new WidgetDataResponse(dashboard.Id, widget.Id, r.DatasetId, r.Version, r.Columns, r.Values, r.RowCount, truncated, r.Cached, applied.Ids, previous, previousPeriod,
            offset is null && limit is null ? null : page.Value.Offset);
    }

    /// <summary>
    /// Drill-down: the rows behind a widget's number — its dataset's rows under the widget's own conditions, the dashboard
    /// filters and, for one point of the widget, that point's dimension values (<c>column:value</c>, by the widget's output
    /// names; a bucketed date stands for its whole bucket). Paged with offset and limit (at most 1000 rows a page).
    /// </summary>
    public async Task<Result<WidgetDataResponse>> RowsAsync(Guid id, string widgetId, IReadOnlyList<string> filters, IReadOnlyList<string> point, int? offset, int? limit, CancellationToken ct, bool checkAccess = true)
    {
        var target = await TargetAsync(id, widgetId, filters, checkAccess, ct).ConfigureAwait(false);
        if (!target.IsSuccess)
        {
            return target.Error!;
        }
        var (dashboard, widget, maybeSource, maybeShape, applied) = target.Value;
        if (maybeSource is not { } source || maybeShape is not { } shape)
        {
            return ValidationError.For("widget_id", $"widget '{widgetId}' shows a model: it has no rows to drill into");
        }
        var page = Page(offset, limit ?? 100, null);
        if (!page.IsSuccess)
        {
            return page.Error!;
        }
        var errors = new FieldErrors();
        var conditions = new List<QueryFilterDto>();
        var dimensions = source.Query.Dimensions ?? [];
        foreach (var (raw, i) in point.Select((p, i) => (p, i)))
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            var name = colon <= 0 ? null : raw[..colon];
            var dimension = dimensions.FirstOrDefault(d => (d.Alias ?? (d.Bucket is null ? d.Column : $"{d.Column}_{d.Bucket}")) == name);
            if (dimension is null)
            {
                errors.Add($"point[{i}]", $"'{raw}' is not output:value for one of the widget's dimensions ({string.Join(", ", dimensions.Select(d => d.Alias ?? (d.Bucket is null ? d.Column : $"{d.Column}_{d.Bucket}")))})");
                continue;
            }
            var value = raw[(colon + 1)..];
            if (dimension.Bucket is { } bucket)
            {
                if (BucketEnd(bucket, value) is not { } end)
                {
                    errors.Add($"point[{i}]", $"'{value}' is not the start of a {bucket}");
                    continue;
                }
                conditions.Add(new QueryFilterDto(dimension.Column, "ge", value));
                conditions.Add(new QueryFilterDto(dimension.Column, "lt", end));
            }
            else
            {
                conditions.Add(value.Length == 0 ? new QueryFilterDto(dimension.Column, "is_null") : new QueryFilterDto(dimension.Column, "eq", value));
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var spec = new QuerySpecDto(Filters: [.. source.Query.Filters ?? [], .. applied.Conditions, .. conditions], Limit: page.Value.Limit, Offset: page.Value.Offset,
            Select: shape.Columns.Take(100).Select(c => c.Name).ToList());
        var result = await queries.QueryAsync(source.DatasetId, spec, ct).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return result.Error!;
        }
        var r = result.Value;
        return new WidgetDataResponse(dashboard.Id, widget.Id, r.DatasetId, r.Version, r.Columns, r.Values, r.RowCount, r.Truncated, r.Cached, applied.Ids, Offset: page.Value.Offset);
    }

    /// <summary>
    /// A model widget's data, chart-ready. Forecast: time, series, actual (history), forecast, lower and upper (90 %
    /// interval), history first. Model metrics: metric and value, the held-out metrics the model has.
    /// </summary>
    private async Task<Result<WidgetDataResponse>> ModelDataAsync(Dashboard dashboard, WidgetDto widget, WidgetModelDto model, CancellationToken ct)
    {
        static ColumnDto Column(string name, string type) => new(name, type, type == "timestamp" ? "TIMESTAMP" : type == "string" ? "VARCHAR" : "DOUBLE", true);
        if (widget.Type == "forecast")
        {
            var forecast = await models.ForecastAsync(model.Name, model.Alias, model.Horizon, model.Series, ct).ConfigureAwait(false);
            if (!forecast.IsSuccess)
            {
                return forecast.Error is NotFoundError ? new ConflictError($"The model of widget '{widget.Id}' no longer exists; edit the widget") : forecast.Error!;
            }
            var f = forecast.Value;
            var rows = f.Series.SelectMany(s => s.History.Select(p => (Key: s.Key, P: p, History: true)).Concat(s.Forecast.Select(p => (Key: s.Key, P: p, History: false)))).ToList();
            IReadOnlyList<object?> Col(Func<(string Key, Astralytiq.Contracts.ML.ForecastPointDto P, bool History), object?> pick) => rows.Select(pick).ToList();
            return new WidgetDataResponse(dashboard.Id, widget.Id, Guid.Empty, 0,
                [Column("time", "timestamp"), Column("series", "string"), Column("actual", "decimal"), Column("forecast", "decimal"), Column("lower", "decimal"), Column("upper", "decimal")],
                [
                    Col(r => r.P.Time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)), Col(r => r.Key), Col(r => r.History ? r.P.Value : null),
                    Col(r => r.History ? null : r.P.Value), Col(r => r.P.Lower), Col(r => r.P.Upper),
                ],
                rows.Count, false, false, [], ModelId: f.ModelId, ModelVersion: f.Version);
        }
        var metrics = await models.MetricsAsync(model.Name, model.Alias, ct).ConfigureAwait(false);
        if (!metrics.IsSuccess)
        {
            return metrics.Error is NotFoundError ? new ConflictError($"The model of widget '{widget.Id}' no longer exists; edit the widget") : metrics.Error!;
        }
        var m = metrics.Value.Metrics;
        var pairs = m is null ? [] : new (string Name, double? Value)[]
        {
            ("r2", m.R2), ("rmse", m.Rmse), ("mae", m.Mae), ("mape", m.Mape), ("accuracy", m.Accuracy), ("f1_macro", m.F1Macro),
            ("precision_macro", m.PrecisionMacro), ("recall_macro", m.RecallMacro), ("roc_auc", m.RocAuc), ("pr_auc", m.PrAuc), ("log_loss", m.LogLoss),
            ("mase", m.Mase), ("smape", m.Smape), ("interval_coverage", m.IntervalCoverage),
        }.Where(p => p.Value is { } v && double.IsFinite(v)).ToList();
        return new WidgetDataResponse(dashboard.Id, widget.Id, Guid.Empty, 0, [Column("metric", "string"), Column("value", "decimal")],
            [pairs.Select(p => (object?)p.Name).ToList(), pairs.Select(p => (object?)p.Value).ToList()], pairs.Count, false, false, [],
            ModelId: metrics.Value.ModelId, ModelVersion: metrics.Value.Version);
    }

    /// <summary>The start of the next bucket after the one starting at <paramref name="start"/> (ISO text), or null when it is not a date.</summary>
    internal static string? BucketEnd(string bucket, string start)
    {
        if (!DateTime.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            return null;
        }
        var end = bucket switch
        {
            "minute" => t.AddMinutes(1),
            "hour" => t.AddHours(1),
            "day" => t.AddDays(1),
            "week" => t.AddDays(7),
            "month" => t.AddMonths(1),
            "quarter" => t.AddMonths(3),
            _ => t.AddYears(1),
        };
        return bucket is "minute" or "hour" ? end.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>The period of the same length ending just before <paramref name="from"/>: whole days for dates, exact durations for timestamps.</summary>
    internal static (string From, string To)? PreviousPeriod(string from, string to)
    {
        if (DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f) &&
            DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && t >= f)
        {
            var days = t.DayNumber - f.DayNumber + 1;
            return (f.AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), f.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        if (DateTime.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var fs) &&
            DateTime.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var ts) && ts > fs)
        {
            var length = ts - fs;
            return ((fs - length).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), fs.AddSeconds(-1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }
        return null;
    }

    /// <summary>Checks a definition against the grid and the tenant's datasets; returns it as stored JSON.</summary>
    private async Task<Result<string>> ValidateAsync(string? name, string? folder, string? description, DashboardDefinitionDto? definition, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("name", name?.Trim()).MaxLength("name", name?.Trim(), 200).MaxLength("folder", folder, 200).MaxLength("description", description, 2000);
        if (definition?.Widgets is null)
        {
            errors.Add("definition.widgets", "definition.widgets is required (it may be empty)");
            return errors.ToError();
        }
        if (definition.Widgets.Count > MaxWidgets)
        {
            errors.Add("definition.widgets", $"at most {MaxWidgets} widgets");
        }
        var filters = definition.Filters ?? [];
        for (var f = 0; f < filters.Count; f++)
        {
            var filter = filters[f];
            if (string.IsNullOrWhiteSpace(filter.Id) || filter.Id.Length > 64 || filter.Id.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"definition.filters[{f}].id", "a filter id is 1 to 64 characters without ':'");
            }
            if (!FilterKinds.Contains(filter.Kind))
            {
                errors.Add($"definition.filters[{f}].kind", "kind must be date_range or values");
            }
            if (string.IsNullOrWhiteSpace(filter.Column))
            {
                errors.Add($"definition.filters[{f}].column", "column is required");
            }
        }
        if (filters.Select(f => f.Id).Distinct(StringComparer.Ordinal).Count() != filters.Count)
        {
            errors.Add("definition.filters", "filter ids must be unique");
        }
        if (definition.Widgets.Select(w => w.Id).Distinct(StringComparer.Ordinal).Count() != definition.Widgets.Count)
        {
            errors.Add("definition.widgets", "widget ids must be unique");
        }
        for (var i = 0; i < definition.Widgets.Count; i++)
        {
            var w = definition.Widgets[i];
            var at = $"definition.widgets[{i}]";
            if (string.IsNullOrWhiteSpace(w.Id) || w.Id.Length > 64)
            {
                errors.Add($"{at}.id", "a widget id is 1 to 64 characters");
            }
            var p = w.Position;
            if (p is null || p.X < 0 || p.Y < 0 || p.W < 1 || p.H < 1 || p.X + p.W > Columns || p.H > 40 || p.Y > 1000)
            {
                errors.Add($"{at}.position", $"a position is x ≥ 0, y ≥ 0, w ≥ 1 with x + w ≤ {Columns}, and h from 1 to 40");
            }
            if (w.Title is { Length: > 200 })
            {
                errors.Add($"{at}.title", "a title is at most 200 characters");
            }
            if (w.Type == "text")
            {
                if (string.IsNullOrWhiteSpace(w.Markdown) || w.Markdown.Length > 20_000)
                {
                    errors.Add($"{at}.markdown", "a text widget has markdown, at most 20,000 characters");
                }
                if (w.Source is not null)
                {
                    errors.Add($"{at}.source", "a text widget has no data source");
                }
                continue;
            }
            if (ModelWidgetTypes.Contains(w.Type))
            {
                if (w.Source is not null)
                {
                    errors.Add($"{at}.source", "a model widget reads a model, not a dataset");
                }
                if (w.Model is not { } m || string.IsNullOrWhiteSpace(m.Name))
                {
                    errors.Add($"{at}.model", $"a {w.Type} widget needs a model (its name or id)");
                    continue;
                }
                var problem = w.Type == "forecast"
                    ? (await models.ForecastAsync(m.Name, m.Alias, m.Horizon, m.Series, ct).ConfigureAwait(false)).Error
                    : (await models.MetricsAsync(m.Name, m.Alias, ct).ConfigureAwait(false)).Error;
                if (problem is NotFoundError)
                {
                    errors.Add($"{at}.model.name", "no ready model of this organisation has this name" + (m.Alias is null ? string.Empty : " and alias"));
                }
                else if (problem is not null)
                {
                    foreach (var d in problem.Details ?? [new ErrorDetail("name", problem.Message)])
                    {
                        errors.Add($"{at}.model.{d.Field}", d.Message);
                    }
                }
                continue;
            }
            if (!DataWidgetTypes.Contains(w.Type))
            {
                errors.Add($"{at}.type", "type must be one of " + string.Join(", ", DataWidgetTypes.Concat(ModelWidgetTypes).Append("text")));
                continue;
            }
            if (w.Source is not { } source)
            {
                errors.Add($"{at}.source", $"a {w.Type} widget needs a source: a dataset and a query");
                continue;
            }
            // The query is checked by the engine itself (columns, aggregations, buckets), on one row.
            var probe = await queries.QueryAsync(source.DatasetId, source.Query with { Limit = 1, Version = null }, ct).ConfigureAwait(false);
            if (!probe.IsSuccess)
            {
                if (probe.Error is NotFoundError)
                {
                    errors.Add($"{at}.source.dataset_id", "no such dataset");
                }
                else
                {
                    foreach (var d in probe.Error!.Details ?? [new ErrorDetail("query", probe.Error.Message)])
                    {
                        errors.Add($"{at}.source.query.{d.Field}", d.Message);
                    }
                }
            }
        }
        return errors.IsEmpty ? JsonSerializer.Serialize(definition with { Filters = filters }, ApiJson.Options) : errors.ToError();
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private DashboardVersion Snapshot(Dashboard d, string? note) => new()
    {
        Id = Guid.CreateVersion7(time.GetUtcNow()), TenantId = d.TenantId, DashboardId = d.Id, Version = d.Version, Name = d.Name, Folder = d.Folder,
        Description = d.Description, DefinitionJson = d.DefinitionJson, Note = note, CreatedBy = tenant.UserId, CreatedAt = time.GetUtcNow(),
    };

    private static DashboardDefinitionDto Definition(string json) => JsonSerializer.Deserialize<DashboardDefinitionDto>(json, ApiJson.Options)!;

    private static DashboardResponse ToResponse(Dashboard d, string level) =>
        new(d.Id, d.Name, d.Folder, d.Description, d.Version, Definition(d.DefinitionJson), d.CreatedBy, d.CreatedAt, d.UpdatedAt, level,
            level == DashboardAccess.Owner ? d.EmbedEnabled : null,
            level == DashboardAccess.Owner ? JsonSerializer.Deserialize<List<string>>(d.EmbedLockedFiltersJson ?? "[]", ApiJson.Options) : null);

    public async Task<Result<IReadOnlyList<DashboardShareDto>>> SharesAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var shares = await db.Shares.AsNoTracking().Where(s => s.DashboardId == id).OrderBy(s => s.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
        var result = new List<DashboardShareDto>(shares.Count);
        foreach (var s in shares)
        {
            var user = s.UserId is { } u ? await users.FindAsync(u, ct).ConfigureAwait(false) : null;
            result.Add(new DashboardShareDto(s.Id, s.UserId, user?.Email, s.Role, s.Access, s.CreatedBy, s.CreatedAt));
        }
        return result;
    }

    public async Task<Result<DashboardShareDto>> ShareAsync(Guid id, ShareDashboardRequest request, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var errors = new FieldErrors();
        if (request.Access is not (DashboardAccess.View or DashboardAccess.Edit))
        {
            errors.Add("access", "access must be view or edit");
        }
        if ((request.UserId is null) == (request.Role is null))
        {
            errors.Add("user_id", "share with one user (user_id) or one role (role), not both");
        }
        string? role = null;
        if (request.Role is { } roleText)
        {
            if (!Enum.TryParse<Role>(roleText, ignoreCase: true, out var parsed) || parsed == Role.Operator || !Enum.IsDefined(parsed))
            {
                errors.Add("role", "role must be viewer, analyst or admin");
            }
            else
            {
                role = DashboardAccess.RoleName(parsed);
            }
        }
        Identity.Contracts.DirectoryUser? user = null;
        if (request.UserId is { } userId)
        {
            user = await users.FindAsync(userId, ct).ConfigureAwait(false);
            if (user is null)
            {
                errors.Add("user_id", "no such user in this organization");
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var share = await db.Shares.SingleOrDefaultAsync(s => s.DashboardId == id && (request.UserId != null ? s.UserId == request.UserId : s.Role == role), ct).ConfigureAwait(false);
        if (share is null)
        {
            share = new DashboardShare { Id = Guid.CreateVersion7(time.GetUtcNow()), TenantId = tenant.TenantId!.Value, DashboardId = id, UserId = request.UserId, Role = role, CreatedBy = tenant.UserId, CreatedAt = time.GetUtcNow() };
            db.Shares.Add(share);
        }
        share.Access = request.Access;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("dashboard.shared", AuditOutcome.Success, "dashboard", id.ToString(), new Dictionary<string, string>
        {
            ["with"] = user?.Email ?? ("role " + role), ["access"] = request.Access,
        }), ct).ConfigureAwait(false);
        return new DashboardShareDto(share.Id, share.UserId, user?.Email, share.Role, share.Access, share.CreatedBy, share.CreatedAt);
    }

    /// <summary>Takes a share back: at once for requests, and live connections of people who no longer see the dashboard stop receiving.</summary>
    public async Task<Result<Unit>> UnshareAsync(Guid id, Guid shareId, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var removed = await db.Shares.Where(s => s.Id == shareId && s.DashboardId == id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (removed == 0)
        {
            return new NotFoundError("Share");
        }
        await audit.RecordAsync(new AuditRecord("dashboard.unshared", AuditOutcome.Success, "dashboard", id.ToString(),
            new Dictionary<string, string> { ["share"] = shareId.ToString() }), ct).ConfigureAwait(false);
        await live.RecheckAsync(db, hub, tenant.TenantId!.Value, id, ct).ConfigureAwait(false);
        return Unit.Value;
    }
}
