namespace Astralytiq.Dashboards.Boards;

/// <summary>Ready-made dashboards laid out against a chosen dataset's columns.</summary>
internal sealed class Templates(IDatasetReader datasets, DashboardHandlers dashboards)
{
    public static readonly string[] Names = ["sales_overview"];

    public async Task<Result<DashboardResponse>> CreateAsync(DashboardFromTemplateRequest request, CancellationToken ct)
    {
        if (!Names.Contains(request.Template))
        {
            return ValidationError.For("template", "template must be one of " + string.Join(", ", Names));
        }
        var shape = await datasets.DescribeAsync(request.DatasetId, null, ct).ConfigureAwait(false);
        if (!shape.IsSuccess)
        {
            return shape.Error is NotFoundError ? new NotFoundError("Dataset") : shape.Error!;
        }
        var columns = shape.Value.Columns;
        var errors = new FieldErrors();
        string? Pick(string field, string? given, Func<ColumnDto, bool> fits, string kind, bool last = false)
        {
            if (given is not null)
            {
                var column = columns.FirstOrDefault(c => c.Name == given);
                if (column is null || !fits(column))
                {
                    errors.Add(field, $"'{given}' is not a {kind} column of '{shape.Value.DatasetName}'");
                    return null;
                }
                return given;
            }
            var candidates = columns.Where(fits).ToList();
            var found = last ? candidates.LastOrDefault()?.Name : candidates.FirstOrDefault()?.Name;
            if (found is null)
            {
                errors.Add(field, $"'{shape.Value.DatasetName}' has no {kind} column for this template");
            }
            return found;
        }
        var date = Pick("date_column", request.DateColumn, c => c.Type is "date" or "timestamp", "date or timestamp");
        var measure = Pick("measure_column", request.MeasureColumn, c => c.Type is "integer" or "decimal", "numeric", last: true);
        var category = Pick("category_column", request.CategoryColumn, c => c.Type is "string" or "boolean", "text");
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var id = request.DatasetId;
        var sum = new QueryMeasureDto("sum", measure, "total");
        WidgetDto Data(string wid, string type, string title, GridPositionDto at, QuerySpecDto query) => new(wid, type, at, title, new WidgetSourceDto(id, query));
        var definition = new DashboardDefinitionDto(
        [
            Data("total", "kpi", $"Total {measure}", new GridPositionDto(0, 0, 3, 2), new QuerySpecDto(Measures: [sum])),
            Data("rows", "kpi", "Rows", new GridPositionDto(3, 0, 3, 2), new QuerySpecDto(Measures: [new QueryMeasureDto("count", null, "rows")])),
            Data("monthly", "line", $"{measure} by month", new GridPositionDto(0, 2, 8, 4),
                new QuerySpecDto([new QueryDimensionDto(date!, "month")], [sum], Sort: [new QuerySortDto($"{date}_month")])),
            Data("by-category", "bar", $"{measure} by {category}", new GridPositionDto(8, 2, 4, 4),
                new QuerySpecDto([new QueryDimensionDto(category!)], [sum], Sort: [new QuerySortDto("total", Descending: true)], Limit: 20)),
            Data("top", "table", $"Top {category}", new GridPositionDto(6, 0, 6, 2),
                new QuerySpecDto([new QueryDimensionDto(category!)], [sum, new QueryMeasureDto("count", null, "rows")], Sort: [new QuerySortDto("total", Descending: true)], Limit: 10)),
        ],
        [new DashboardFilterDto("period", date!, "date_range", "Period"), new DashboardFilterDto("category", category!, "values", category)]);
        return await dashboards.CreateAsync(new CreateDashboardRequest(request.Name ?? $"{shape.Value.DatasetName} overview", definition, request.Folder), ct).ConfigureAwait(false);
    }
}
