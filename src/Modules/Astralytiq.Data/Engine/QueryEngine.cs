namespace Astralytiq.Data.Engine;

/// <summary>
/// Compiles a <see cref="QuerySpecDto"/> into one DuckDB SELECT over a version's Parquet file: column
/// names are checked against the schema and quoted, aggregations and buckets come from fixed lists,
/// filter values are bound as parameters. Nothing the caller sends is spliced into SQL as text.
/// </summary>
internal static class QueryEngine
{
    public const int DefaultLimit = 10_000;
    public const int MaxLimit = 100_000;
    private static readonly string[] Buckets = ["minute", "hour", "day", "week", "month", "quarter", "year"];
    private static readonly string[] Aggregations = ["count", "count_distinct", "sum", "avg", "min", "max", "median", "stddev"];

    internal sealed record Compiled(string Sql, PreviewQuery Filters, int Limit, List<(string Name, string Type)> Output);

    private static bool Floating(ColumnDto column) => column.SourceType is "DOUBLE" or "FLOAT" or "REAL";

    /// <summary>The list's entries; a null entry (<c>[{...}, null]</c>) is refused by its index rather than skipped.</summary>
    private static List<T> Items<T>(IReadOnlyList<T?>? list, string field, FieldErrors errors)
        where T : class
    {
        var items = new List<T>(list?.Count ?? 0);
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            if (list![i] is { } item)
            {
                items.Add(item);
            }
            else
            {
                errors.Add($"{field}[{i}]", "must not be null");
            }
        }
        return items;
    }

    public static Result<Compiled> Compile(IReadOnlyList<ColumnDto> schema, QuerySpecDto spec, string relation)
    {
        var errors = new FieldErrors();
        var dimensions = Items(spec.Dimensions, "dimensions", errors);
        var measures = Items(spec.Measures, "measures", errors);
        var raw = Items(spec.Select, "select", errors);
        var sorts = Items(spec.Sort, "sort", errors);
        var filterList = Items(spec.Filters, "filters", errors);
        if (raw.Count > 0 && dimensions.Count + measures.Count > 0)
        {
            errors.Add("select", "select lists rows as they are: it cannot be combined with dimensions or measures");
        }
        else if (dimensions.Count + measures.Count + raw.Count == 0)
        {
            errors.Add("dimensions", "give at least one dimension or measure (or select columns for the rows themselves)");
        }
        if (raw.Count > 200 || raw.Distinct(StringComparer.Ordinal).Count() != raw.Count)
        {
            errors.Add("select", "select names at most 200 columns, each once");
        }
        var offset = spec.Offset ?? 0;
        if (offset is < 0 or > 100_000_000)
        {
            errors.Add("offset", "offset must be between 0 and 100000000");
        }
        if (dimensions.Count > 10 || measures.Count > 50)
        {
            errors.Add("measures", "at most 10 dimensions and 50 measures");
        }
        var limit = spec.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {MaxLimit}");
        }
        var select = new List<string>();
        var groupBy = new List<string>();
        var output = new List<(string Name, string Type)>();
        for (var i = 0; i < dimensions.Count; i++)
        {
            var d = dimensions[i];
            var column = schema.FirstOrDefault(c => c.Name == d.Column);
            if (column is null)
            {
                errors.Add($"dimensions[{i}].column", $"unknown column '{d.Column}'");
                continue;
            }
            var expression = DuckDb.Identifier(column.Name);
            var type = column.Type;
            if (d.Bucket is { } bucket)
            {
                if (!Buckets.Contains(bucket))
                {
                    errors.Add($"dimensions[{i}].bucket", "bucket must be one of " + string.Join(", ", Buckets));
                    continue;
                }
                if (column.Type is not ("date" or "timestamp"))
                {
                    errors.Add($"dimensions[{i}].bucket", $"only date and timestamp columns can be bucketed; '{column.Name}' is {column.Type}");
                    continue;
                }
                type = bucket is "minute" or "hour" ? "timestamp" : "date";
                expression = type == "date" ? $"CAST(date_trunc('{bucket}', {expression}) AS DATE)" : $"date_trunc('{bucket}', {expression})";
            }
            var name = d.Alias ?? (d.Bucket is null ? column.Name : $"{column.Name}_{d.Bucket}");
            select.Add($"{expression} AS {DuckDb.Identifier(name)}");
            groupBy.Add(expression);
            output.Add((name, type));
        }
        for (var i = 0; i < raw.Count; i++)
        {
            var column = schema.FirstOrDefault(c => c.Name == raw[i]);
            if (column is null)
            {
                errors.Add($"select[{i}]", $"unknown column '{raw[i]}'");
                continue;
            }
            select.Add(DuckDb.Identifier(column.Name));
            output.Add((column.Name, column.Type));
        }
        for (var i = 0; i < measures.Count; i++)
        {
            var m = measures[i];
            if (!Aggregations.Contains(m.Aggregation))
            {
                errors.Add($"measures[{i}].aggregation", "aggregation must be one of " + string.Join(", ", Aggregations));
                continue;
            }
            ColumnDto? column = null;
            if (m.Column is not null)
            {
                column = schema.FirstOrDefault(c => c.Name == m.Column);
                if (column is null)
                {
                    errors.Add($"measures[{i}].column", $"unknown column '{m.Column}'");
                    continue;
                }
            }
            else if (m.Aggregation != "count")
            {
                errors.Add($"measures[{i}].column", $"{m.Aggregation} needs a column");
                continue;
            }
            var numeric = column?.Type is "integer" or "decimal";
            if (m.Aggregation is "sum" or "avg" or "median" or "stddev" && !numeric)
            {
                errors.Add($"measures[{i}].column", $"{m.Aggregation} needs a numeric column; '{column!.Name}' is {column.Type}");
                continue;
            }
            var c = column is null ? null : DuckDb.Identifier(column.Name);
            var (sql, type) = m.Aggregation switch
            {
                "count" => (c is null ? "count(*)" : $"count({c})", "integer"),
                "count_distinct" => ($"count(DISTINCT {c})", "integer"),
                // Binary floating point summed naively drifts (cents adding up to 9149994.609999876): DOUBLE and FLOAT
                // columns are summed with compensation (fsum), which gives the correctly rounded total; DECIMAL sums are exact.
                "sum" => (Floating(column!) ? $"fsum({c})" : $"sum({c})", column!.Type == "integer" ? "integer" : "decimal"),
                "avg" => (Floating(column!) ? $"(fsum({c}) / NULLIF(count({c}), 0))" : $"avg({c})", "decimal"),
                "median" => ($"median({c}::DOUBLE)", "decimal"),
                "stddev" => ($"stddev_samp({c})", "decimal"),
                _ => ($"{m.Aggregation}({c})", column!.Type),
            };
            if (sql.StartsWith("sum(", StringComparison.Ordinal) && column!.Type == "integer")
            {
                sql = $"CAST({sql} AS BIGINT)"; // HUGEINT sums do not fit JSON numbers
            }
            var name = m.Alias ?? (column is null ? m.Aggregation : $"{m.Aggregation}_{column.Name}");
            select.Add($"{sql} AS {DuckDb.Identifier(name)}");
            output.Add((name, type));
        }
        if (output.Select(o => o.Name).Distinct(StringComparer.Ordinal).Count() != output.Count)
        {
            errors.Add("measures", "output names must be unique; give an alias");
        }
        if (output.Any(o => o.Name.Length is 0 or > 128))
        {
            errors.Add("measures", "aliases must be 1 to 128 characters");
        }
        var order = new List<string>();
        foreach (var (sort, i) in sorts.Select((s, i) => (s, i)))
        {
            if (output.All(o => o.Name != sort.By))
            {
                errors.Add($"sort[{i}].by", $"sort by an output column; '{sort.By}' is not one");
                continue;
            }
            order.Add($"{DuckDb.Identifier(sort.By)} {(sort.Descending ? "DESC" : "ASC")} NULLS LAST");
        }
        var filters = PreviewQuery.Parse(schema, null, filterList.Select(f => (f.Column, f.Op, f.Value)).ToList());
        if (!filters.IsSuccess)
        {
            foreach (var detail in filters.Error!.Details ?? [])
            {
                errors.Add(detail.Field, detail.Message);
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        // Without an explicit order, rows come sorted by the dimensions: the same spec gives the same rows (selected rows
        // keep their stored order: DuckDB preserves insertion order when nothing is sorted).
        if (order.Count == 0 && raw.Count == 0)
        {
            order.AddRange(output.Take(dimensions.Count).Select(o => $"{DuckDb.Identifier(o.Name)} ASC NULLS LAST"));
        }
        var sqlText = $"SELECT {(measures.Count == 0 && raw.Count == 0 ? "DISTINCT " : string.Empty)}{string.Join(", ", select)} FROM {relation}{filters.Value.Where}"
            + (groupBy.Count > 0 && measures.Count > 0 ? " GROUP BY " + string.Join(", ", groupBy) : string.Empty)
            + (order.Count > 0 ? " ORDER BY " + string.Join(", ", order) : string.Empty)
            + $" LIMIT {limit + 1}" + (offset > 0 ? $" OFFSET {offset}" : string.Empty);
        return new Compiled(sqlText, filters.Value, limit, output);
    }

    public static async Task<(List<List<object?>> Columns, int Rows, bool Truncated)> RunAsync(DuckDBConnection duck, Compiled compiled, CancellationToken ct)
    {
        using var command = duck.CreateCommand();
        command.CommandText = compiled.Sql;
        compiled.Filters.Bind(command);
        using var interrupt = DuckDb.InterruptOn(command, ct);
        using var statement = DataTelemetry.Query("query", compiled.Sql);
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var columns = compiled.Output.Select(_ => new List<object?>()).ToList();
        var rows = 0;
        var truncated = false;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (rows == compiled.Limit)
            {
                truncated = true;
                break;
            }
            for (var i = 0; i < columns.Count; i++)
            {
                columns[i].Add(DuckDb.ReadJsonValue(reader, i));
            }
            rows++;
        }
        statement.Rows(rows);
        return (columns, rows, truncated);
    }
}
