namespace Astralytiq.Dashboards.Boards.Widgets;

/// <summary>A widget's data: its query with the dashboard's filters, through the Data contract (or its model's forecast or metrics).</summary>
internal sealed class WidgetData(
    DashboardsDbContext db, DashboardFinder finder, IDatasetQueries queries, ISqlQueries sql, IDatasetReader datasets, ML.Contracts.IModelReader models)
{
    /// <summary>The most rows one page of widget data or drill-down holds.</summary>
    public const int MaxPageSize = 1000;

    public sealed record Applied(List<QueryFilterDto> Conditions, List<string> Ids, (string Column, string From, string To)? Range);

    public sealed record Target(Dashboard Dashboard, WidgetDto Widget, WidgetSourceDto? Source, DatasetShape? Shape, Applied Filters);

    /// <summary>The dashboard, the widget, its dataset's shape and the dashboard filters as conditions on that dataset.</summary>
    /// <param name="loaded">The dashboard when the caller has read it already (and checked who may see it): one read for all its widgets.</param>
    public async Task<Result<Target>> TargetAsync(Guid id, string widgetId, IReadOnlyList<string> filters, bool checkAccess, CancellationToken ct, Dashboard? loaded = null)
    {
        var query = checkAccess ? finder.Visible().AsNoTracking() : db.Dashboards.AsNoTracking().Where(d => d.DeletedAt == null);
        var dashboard = loaded is not null && loaded.Id == id && !checkAccess ? loaded : await query.SingleOrDefaultAsync(d => d.Id == id, ct).ConfigureAwait(false);
        if (dashboard is null)
        {
            return new NotFoundError("Dashboard");
        }
        var definition = DashboardFinder.Definition(dashboard.DefinitionJson);
        var widget = definition.Widgets.FirstOrDefault(w => w.Id == widgetId);
        if (widget is null)
        {
            return new NotFoundError("Widget");
        }
        if (widget.Sql is not null)
        {
            // A SQL widget: its query names its datasets; dashboard filters do not apply to it.
            return new Target(dashboard, widget, null, null, new Applied([], [], null));
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
        if (FilterForm(definition, filters) is { IsEmpty: false } wrong)
        {
            return wrong.ToError();
        }
        var conditions = new List<QueryFilterDto>();
        var applied = new List<string>();
        (string Column, string From, string To)? range = null;
        foreach (var raw in filters)
        {
            // Well formed (checked just above): one of the dashboard's filters, a date range as from..to.
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            var filter = definition.Filters!.First(f => f.Id == raw[..colon]);
            var value = raw[(colon + 1)..];
            if (shape.Value.Columns.All(c => c.Name != filter.Column))
            {
                continue;
            }
            if (filter.Kind == "date_range")
            {
                var parts = value.Split("..");
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
        return new Target(dashboard, widget, source, shape.Value, new Applied(conditions, applied, range));
    }

    private static string UnknownFilter(string raw, DashboardDefinitionDto definition) =>
        $"'{raw}' is not filterId:value for one of this dashboard's filters ({string.Join(", ", (definition.Filters ?? []).Select(f => f.Id))})";

    private static string NotARange(string id) => $"'{id}' is a date range: send from..to (either side may be empty)";

    /// <summary>The filters' own form, whatever dataset they meet: each one of the dashboard's filters, a date range as from..to.</summary>
    public static FieldErrors FilterForm(DashboardDefinitionDto definition, IReadOnlyList<string> filters)
    {
        var errors = new FieldErrors();
        foreach (var raw in filters)
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            var filter = colon <= 0 ? null : (definition.Filters ?? []).FirstOrDefault(f => f.Id == raw[..colon]);
            if (filter is null)
            {
                errors.Add("filter", UnknownFilter(raw, definition));
            }
            else if (filter.Kind == "date_range" && raw[(colon + 1)..].Split("..").Length != 2)
            {
                errors.Add("filter", NotARange(filter.Id));
            }
        }
        return errors;
    }

    /// <summary>Checks a page (offset, limit) and gives the limit to ask for, within the widget's own limit (its "top N").</summary>
    public static Result<(int Offset, int? Limit, bool Empty)> Page(int? offset, int? limit, int? widgetLimit)
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
    public async Task<Result<WidgetDataResponse>> WidgetDataAsync(Guid id, string widgetId, IReadOnlyList<string> filters, CancellationToken ct, bool checkAccess = true, int? offset = null, int? limit = null,
        Dashboard? loaded = null)
    {
        var target = await TargetAsync(id, widgetId, filters, checkAccess, ct, loaded).ConfigureAwait(false);
        if (!target.IsSuccess)
        {
            return target.Error!;
        }
        var (dashboard, widget, maybeSource, _, applied) = target.Value;
        if (maybeSource is not { } source)
        {
            return widget.Sql is { } text
                ? await SqlDataAsync(dashboard, widget, text, offset, limit, ct).ConfigureAwait(false)
                : await ModelDataAsync(dashboard, widget, widget.Model!, ct).ConfigureAwait(false);
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
    /// A SQL widget's data: its query's first <see cref="MaxPageSize"/> rows, run as the SQL workspace runs it (over the
    /// datasets' current versions), paged like any table.
    /// </summary>
    private async Task<Result<WidgetDataResponse>> SqlDataAsync(Dashboard dashboard, WidgetDto widget, string text, int? offset, int? limit, CancellationToken ct)
    {
        var page = Page(offset, limit, null);
        if (!page.IsSuccess)
        {
            return page.Error!;
        }
        var result = await sql.RunAsync(text, MaxPageSize, ct).ConfigureAwait(false);
        if (result.Error?.Code == Astralytiq.Contracts.Errors.ErrorCodes.FeatureNotInPlan)
        {
            // The query is fine; the organisation's plan no longer includes SQL: say so, not "edit the widget".
            return result.Error;
        }
        if (!result.IsSuccess)
        {
            return new ConflictError($"The query of widget '{widget.Title ?? widget.Id}' no longer runs: {(result.Error!.Details is [var first, ..] ? first.Message : result.Error.Message)}; edit the widget");
        }
        var r = result.Value;
        var (from, count) = (Math.Min(page.Value.Offset, r.RowCount), page.Value.Limit ?? r.RowCount);
        var take = Math.Min(count, r.RowCount - from);
        var values = r.Values.Select(column => (IReadOnlyList<object?>)column.Skip(from).Take(take).ToList()).ToList();
        var truncated = r.Truncated || from + take < r.RowCount;
        return new WidgetDataResponse(dashboard.Id, widget.Id, Guid.Empty, 0, r.Columns, values, take, offset is null && limit is null ? r.Truncated : truncated, false, [],
            Offset: offset is null && limit is null ? null : page.Value.Offset);
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
}
