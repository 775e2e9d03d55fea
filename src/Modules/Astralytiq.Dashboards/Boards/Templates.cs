namespace Astralytiq.Dashboards.Boards;

/// <summary>Ready-made dashboards laid out against a chosen dataset's columns.</summary>
internal sealed class Templates(IDatasetReader datasets, IDatasetQueries queries, DashboardHandlers dashboards)
{
    public static readonly string[] Names = ["sales_overview"];

    /// <summary>Words that name money or amounts: a sales overview sums these first.</summary>
    private static readonly string[] MeasureWords = ["revenue", "sales", "amount", "total", "price", "value", "profit", "cost", "income", "spend", "quantity", "qty", "units"];

    /// <summary>Words that name groupings a sales overview splits by.</summary>
    private static readonly string[] CategoryWords = ["region", "category", "segment", "product", "country", "channel", "city", "state", "store", "department", "type", "group"];

    private static readonly string[] DescriptiveWords = ["age", "year", "month", "day", "zip", "postal", "rating", "score", "lat", "lon", "lng", "rank", "index", "number"];

    /// <summary>Names of columns that identify or describe a row rather than measure it (never summed, never a category).</summary>
    private static bool IdentifierLike(string name)
    {
        var n = name.ToLowerInvariant();
        return n is "id" or "key" or "code" || n.EndsWith("_id", StringComparison.Ordinal) || n.EndsWith("id", StringComparison.Ordinal) && n.Length > 2 && char.IsUpper(name[^2])
            || n.EndsWith("_key", StringComparison.Ordinal) || n.EndsWith("_code", StringComparison.Ordinal) || n.EndsWith("_number", StringComparison.Ordinal) || n.EndsWith("_no", StringComparison.Ordinal)
            || n.Contains("uuid", StringComparison.Ordinal) || n.Contains("email", StringComparison.Ordinal) || n.Contains("phone", StringComparison.Ordinal);
    }

    /// <summary>Numbers that describe a row (an age, a year, a zip, a rating) rather than an amount to total.</summary>
    private static bool DescriptiveNumber(string name)
    {
        var n = name.ToLowerInvariant();
        return DescriptiveWords.Any(w => n == w || n.EndsWith("_" + w, StringComparison.Ordinal) || n.StartsWith(w + "_", StringComparison.Ordinal));
    }

    private static int Word(string name, string[] words)
    {
        var n = name.ToLowerInvariant();
        var i = Array.FindIndex(words, w => n.Contains(w, StringComparison.Ordinal));
        return i < 0 ? words.Length : i;
    }

    /// <summary>
    /// The columns a sales overview is laid out on when the request leaves them open: a date; an amount (by its name, else
    /// a decimal column, never an identifier or a number that describes the row like an age); a category with between 2
    /// and 50 values (by its name, else the one with fewest values), never a column with a different value in most rows.
    /// </summary>
    private async Task<(string? Measure, string? Category)> ChooseAsync(Guid datasetId, DatasetShape shape, CancellationToken ct)
    {
        var texts = shape.Columns.Where(c => c.Type is "string" or "boolean" && !IdentifierLike(c.Name)).Take(30).ToList();
        var distinct = new Dictionary<string, long>(StringComparer.Ordinal);
        if (texts.Count > 0)
        {
            var counted = await queries.QueryAsync(datasetId,
                new QuerySpecDto(Measures: texts.Select((c, i) => new QueryMeasureDto("count_distinct", c.Name, $"d{i}")).ToList()), ct).ConfigureAwait(false);
            if (counted.IsSuccess && counted.Value.RowCount > 0)
            {
                for (var i = 0; i < texts.Count; i++)
                {
                    distinct[texts[i].Name] = Convert.ToInt64(counted.Value.Values[i][0]?.ToString(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        var category = texts
            .Where(c => distinct.GetValueOrDefault(c.Name) is >= 2 and <= 50 && distinct[c.Name] < Math.Max(3, shape.RowCount / 2))
            .OrderBy(c => Word(c.Name, CategoryWords)).ThenBy(c => distinct[c.Name]).FirstOrDefault()?.Name
            ?? texts.FirstOrDefault(c => distinct.GetValueOrDefault(c.Name) >= 2)?.Name;
        var numbers = shape.Columns.Where(c => c.Type is "integer" or "decimal" && !IdentifierLike(c.Name)).ToList();
        var measure = numbers
            .OrderBy(c => Word(c.Name, MeasureWords))
            .ThenBy(c => DescriptiveNumber(c.Name) ? 1 : 0)
            .ThenBy(c => c.Type == "decimal" ? 0 : 1)
            .FirstOrDefault()?.Name;
        return (measure, category);
    }

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
        var (measureGuess, categoryGuess) = request.MeasureColumn is null || request.CategoryColumn is null
            ? await ChooseAsync(request.DatasetId, shape.Value, ct).ConfigureAwait(false)
            : (null, null);
        var date = Pick("date_column", request.DateColumn, c => c.Type is "date" or "timestamp", "date or timestamp");
        var measure = Pick("measure_column", request.MeasureColumn ?? measureGuess, c => c.Type is "integer" or "decimal", "numeric", last: true);
        var category = Pick("category_column", request.CategoryColumn ?? categoryGuess, c => c.Type is "string" or "boolean", "text");
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
            Data("monthly", "line", $"{measure} by month", new GridPositionDto(0, 2, 7, 4),
                new QuerySpecDto([new QueryDimensionDto(date!, "month")], [sum], Sort: [new QuerySortDto($"{date}_month")])),
            Data("by-category", "bar", $"{measure} by {category}", new GridPositionDto(7, 2, 5, 4),
                new QuerySpecDto([new QueryDimensionDto(category!)], [sum], Sort: [new QuerySortDto("total", Descending: true)], Limit: 20)),
            Data("top", "table", $"Top {category}", new GridPositionDto(6, 0, 6, 2),
                new QuerySpecDto([new QueryDimensionDto(category!)], [sum, new QueryMeasureDto("count", null, "rows")], Sort: [new QuerySortDto("total", Descending: true)], Limit: 10)),
        ],
        [new DashboardFilterDto("period", date!, "date_range", "Period"), new DashboardFilterDto("category", category!, "values", category)]);
        return await dashboards.CreateAsync(new CreateDashboardRequest(request.Name ?? $"{shape.Value.DatasetName} overview", definition, request.Folder), ct).ConfigureAwait(false);
    }
}
