namespace Astralytiq.Data.Engine;

/// <summary>
/// Sort and filter of a preview, from query-string terms. <c>sort=price,-day</c> (a leading minus sorts
/// descending); <c>filter=column:op:value</c>, repeatable, all must hold, with op one of eq, ne, lt, le,
/// gt, ge, contains, starts_with, is_null, not_null. Columns must exist; values are bound as parameters,
/// never spliced into the SQL.
/// </summary>
internal sealed record PreviewQuery(string Where, string OrderBy, IReadOnlyList<object> Parameters)
{
    private static readonly string[] Operators = ["eq", "ne", "lt", "le", "gt", "ge", "contains", "starts_with", "is_null", "not_null"];

    public static Result<PreviewQuery> Parse(IReadOnlyList<ColumnDto> schema, string? sort, IReadOnlyList<string> filters) =>
        Parse(schema, sort, filters.Select(f => f.Split(':', 3)).Select(p => (p[0], p.Length > 1 ? p[1] : string.Empty, p.Length > 2 ? p[2] : null)).ToList());

    public static Result<PreviewQuery> Parse(IReadOnlyList<ColumnDto> schema, string? sort, IReadOnlyList<(string Column, string Op, string? Value)> filters)
    {
        var errors = new FieldErrors();
        var order = new List<string>();
        foreach (var term in (sort ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var descending = term.StartsWith('-');
            var name = descending ? term[1..] : term;
            if (schema.All(c => c.Name != name))
            {
                errors.Add("sort", $"sort names an unknown column '{name}'");
                continue;
            }
            order.Add($"{DuckDb.Identifier(name)} {(descending ? "DESC" : "ASC")} NULLS LAST");
        }
        var conditions = new List<string>();
        var parameters = new List<object>();
        if (filters.Count > 20)
        {
            errors.Add("filter", "at most 20 filters");
        }
        foreach (var (name, op, value) in filters.Take(20))
        {
            var filter = $"{name}:{op}" + (value is null ? string.Empty : ":" + value);
            var column = schema.FirstOrDefault(c => c.Name == name);
            if (!Operators.Contains(op))
            {
                errors.Add("filter", $"'{filter}' must be column:op:value with op one of {string.Join(", ", Operators)}");
                continue;
            }
            if (column is null)
            {
                errors.Add("filter", $"filter names an unknown column '{name}'");
                continue;
            }
            var c = DuckDb.Identifier(column.Name);
            if (op is "is_null" or "not_null")
            {
                conditions.Add(op == "is_null" ? $"{c} IS NULL" : $"{c} IS NOT NULL");
                continue;
            }
            if (value is null)
            {
                errors.Add("filter", $"'{filter}' needs a value");
                continue;
            }
            if (op is "contains" or "starts_with")
            {
                conditions.Add(op == "contains" ? $"contains(CAST({c} AS VARCHAR), ?)" : $"starts_with(CAST({c} AS VARCHAR), ?)");
                parameters.Add(value);
                continue;
            }
            object typed;
            switch (column.Type)
            {
                case "integer" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l):
                    typed = l;
                    break;
                case "decimal" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                    typed = d;
                    break;
                case "boolean" when bool.TryParse(value, out var b):
                    typed = b;
                    break;
                case "integer" or "decimal" or "boolean":
                    errors.Add("filter", $"'{value}' is not a {column.Type} for column '{column.Name}'");
                    continue;
                default:
                    typed = value; // dates, timestamps and text compare as DuckDB casts the literal
                    break;
            }
            var sqlOp = op switch { "eq" => "=", "ne" => "<>", "lt" => "<", "le" => "<=", "gt" => ">", _ => ">=" };
            conditions.Add(column.Type is "date" or "timestamp" ? $"{c} {sqlOp} TRY_CAST(? AS {(column.Type == "date" ? "DATE" : "TIMESTAMP")})" : $"{c} {sqlOp} ?");
            parameters.Add(typed);
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        return new PreviewQuery(
            conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions),
            order.Count == 0 ? string.Empty : " ORDER BY " + string.Join(", ", order),
            parameters);
    }

    public void Bind(DuckDBCommand command)
    {
        foreach (var value in Parameters)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }
    }
}
