using Astralytiq.Dashboards.Boards.Widgets;

namespace Astralytiq.Dashboards.Boards.Drill;

/// <summary>Drill-down: the rows behind one point of a widget.</summary>
internal sealed class DrillHandler(WidgetData widgets, IDatasetQueries queries)
{
    /// <summary>
    /// Drill-down: the rows behind a widget's number — its dataset's rows under the widget's own conditions, the dashboard
    /// filters and, for one point of the widget, that point's dimension values (<c>column:value</c>, by the widget's output
    /// names; a bucketed date stands for its whole bucket). Paged with offset and limit (at most 1000 rows a page).
    /// </summary>
    public async Task<Result<WidgetDataResponse>> RowsAsync(Guid id, string widgetId, IReadOnlyList<string> filters, IReadOnlyList<string> point, int? offset, int? limit, CancellationToken ct, bool checkAccess = true)
    {
        var target = await widgets.TargetAsync(id, widgetId, filters, checkAccess, ct).ConfigureAwait(false);
        if (!target.IsSuccess)
        {
            return target.Error!;
        }
        var (dashboard, widget, maybeSource, maybeShape, applied) = target.Value;
        if (maybeSource is not { } source || maybeShape is not { } shape)
        {
            return ValidationError.For("widget_id", $"widget '{widgetId}' shows a model: it has no rows to drill into");
        }
        var page = WidgetData.Page(offset, limit ?? 100, null);
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
                if (WidgetData.BucketEnd(bucket, value) is not { } end)
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
}
