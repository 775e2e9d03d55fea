namespace Astralytiq.Data.Transforms;

/// <summary>Another dataset version a join reads: resolved (and tenant-checked) by the caller.</summary>
internal sealed record JoinSource(Guid DatasetId, string Name, int Version, ParquetSource Source, IReadOnlyList<TransformColumn> Columns);

internal static class JoinSources
{
    /// <summary>A version of the current tenant's dataset, with its plaintext path and columns, ready to be read by a step.</summary>
    public static async Task<Result<JoinSource>> ResolveAsync(Persistence.DataDbContext db, Datasets.DatasetFiles files, Guid tenantId, Guid datasetId, int? version, CancellationToken ct)
    {
        var found = await Persistence.DataQueries.FindVersionAsync(db, datasetId, version, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        return new JoinSource(dataset.Id, dataset.Name, v.Version, await files.SourceAsync(tenantId, v, ct).ConfigureAwait(false),
            v.Schema.Select(c => new TransformColumn(c.Name, c.Type)).ToList());
    }
}

/// <summary>
/// Compiles ordered transformation steps into one DuckDB statement: a chain of common table expressions,
/// one per step, each carrying a hidden row-order column so that every step, and the file written at the
/// end, has one defined order. Identifiers are checked against the schema as it is after each step and
/// quoted; every value the user gave is a bound parameter. Floating-point aggregates are computed in row
/// order, so the same input and steps give byte-identical output (P17).
/// </summary>
internal static class TransformCompiler
{
    public const int MaxSteps = 100;
    public const string Order = "__astralytiq_row";
    private const int MaxPredicateDepth = 32;
    private static readonly string[] Types = ["integer", "decimal", "boolean", "date", "timestamp", "string"];
    private static readonly string[] Functions = ["count", "count_distinct", "sum", "avg", "min", "max", "median", "stddev", "first", "last"];
    private static readonly string[] PartNames = ["year", "quarter", "month", "week", "day", "weekday", "hour", "minute"];

    internal sealed record Compiled(string With, string Last, SqlParameters Parameters, IReadOnlyList<TransformColumn> Output,
        IReadOnlyList<IReadOnlyList<string>> ColumnsAfterStep, IReadOnlyList<JoinSource> Joined)
    {
        private string Columns => string.Join(", ", Output.Select(c => Sql.Id(c.Name)));

        /// <summary>The whole result, in its order.</summary>
        public string Select => $"{With} SELECT {Columns} FROM {Last} ORDER BY {Sql.Id(Order)}";

        public string Preview(int limit) => $"{With} SELECT {Columns} FROM {Last} ORDER BY {Sql.Id(Order)} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";

        public string Count => $"{With} SELECT count(*) FROM {Last}";

        public string CopyTo(string path) => $"COPY ({Select}) TO {DuckDb.Literal(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)";
    }

    private sealed class StepError(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }

    public static async Task<Result<Compiled>> CompileAsync(
        DuckDBConnection duck, ParquetSource input, IReadOnlyList<ColumnDto> schema, IReadOnlyList<TransformStepDto>? steps,
        Func<Guid, int?, Task<Result<JoinSource>>> resolveJoin, CancellationToken ct)
    {
        if (steps is null || steps.Count == 0)
        {
            return ValidationError.For("steps", "give at least one step");
        }
        if (steps.Count > MaxSteps)
        {
            return ValidationError.For("steps", $"at most {MaxSteps} steps");
        }
        if (schema.Any(c => c.Name == Order))
        {
            return ValidationError.For("steps", $"the column name '{Order}' is reserved; rename that column first");
        }
        var parameters = new SqlParameters();
        var ctes = new List<string>();
        ctes.Add($"s0 AS ({input.Ordered(Order, schema.Select(c => c.Name).ToList())})");
        var columns = schema.Select(c => new TransformColumn(c.Name, c.Type)).ToList();
        var after = new List<IReadOnlyList<string>>();
        var joined = new List<JoinSource>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var prefix = $"steps[{i}]";
            var previous = $"s{i}";
            try
            {
                if (step is null || string.IsNullOrWhiteSpace(step.Op))
                {
                    throw new StepError(prefix + ".op", "op is required");
                }
                string body;
                (body, columns) = step.Op switch
                {
                    "select" => Select(step, columns, previous, prefix),
                    "drop" => Drop(step, columns, previous, prefix),
                    "rename" => Rename(step, columns, previous, prefix),
                    "cast" => Cast(step, columns, previous, prefix),
                    "filter" => Filter(step, columns, previous, prefix, parameters),
                    "fill_missing" => Fill(step, columns, previous, prefix, parameters),
                    "drop_duplicates" => DropDuplicates(step, columns, previous, prefix),
                    "derive" => Derive(step, columns, previous, prefix, parameters),
                    "group" => Group(step, columns, previous, prefix),
                    "join" => await JoinAsync(step, columns, previous, prefix, resolveJoin, joined).ConfigureAwait(false),
                    "sort" => Sort(step, columns, previous, prefix),
                    "normalize" => Normalize(step, columns, previous, prefix),
                    "one_hot" => await OneHotAsync(duck, ctes, step, columns, previous, prefix, parameters, ct).ConfigureAwait(false),
                    "sample" => Sample(step, columns, previous, prefix, parameters),
                    "limit" => Limit(step, columns, previous, prefix, parameters),
                    "date_parts" => DateParts(step, columns, previous, prefix),
                    _ => throw new StepError(prefix + ".op",
                        $"unknown op '{step.Op}'; the ops are select, drop, rename, cast, filter, fill_missing, drop_duplicates, derive, group, join, sort, normalize, one_hot, sample, limit, date_parts"),
                };
                ctes.Add($"s{i + 1} AS ({body})");
                after.Add(columns.Select(c => c.Name).ToList());
            }
            catch (StepError error)
            {
                return ValidationError.For(error.Field, error.Message);
            }
            catch (Expressions.ExpressionException error)
            {
                return ValidationError.For(prefix + ".expression", $"{error.Message} (at character {error.Position + 1})");
            }
        }
        return new Compiled("WITH " + string.Join(", ", ctes), $"s{steps.Count}", parameters, columns, after, joined);
    }

    // ---------------------------------------------------------------- steps

    private static string All(IEnumerable<TransformColumn> columns) => string.Join(", ", columns.Select(c => Sql.Id(c.Name)).Append(Sql.Id(Order)));

    private static (string, List<TransformColumn>) Select(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var chosen = Existing(step.Columns, columns, prefix + ".columns", allowEmpty: false);
        if (chosen.Distinct().Count() != chosen.Count)
        {
            throw new StepError(prefix + ".columns", "a column is named twice");
        }
        var kept = chosen.Select(n => columns.First(c => c.Name == n)).ToList();
        return ($"SELECT {All(kept)} FROM {previous}", kept);
    }

    private static (string, List<TransformColumn>) Drop(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var dropped = Existing(step.Columns, columns, prefix + ".columns", allowEmpty: false);
        var kept = columns.Where(c => !dropped.Contains(c.Name)).ToList();
        if (kept.Count == 0)
        {
            throw new StepError(prefix + ".columns", "a dataset needs at least one column; this drops them all");
        }
        return ($"SELECT {All(kept)} FROM {previous}", kept);
    }

    private static (string, List<TransformColumn>) Rename(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        if (step.Mapping is not { Count: > 0 } mapping)
        {
            throw new StepError(prefix + ".mapping", "mapping (old name → new name) is required");
        }
        Existing(mapping.Keys.ToList(), columns, prefix + ".mapping", allowEmpty: false);
        var renamed = columns.Select(c => mapping.TryGetValue(c.Name, out var to) ? c with { Name = CheckName(to, prefix + ".mapping") } : c).ToList();
        Unique(renamed, prefix + ".mapping");
        var list = string.Join(", ", columns.Select((c, i) => $"{Sql.Id(c.Name)} AS {Sql.Id(renamed[i].Name)}").Append(Sql.Id(Order)));
        return ($"SELECT {list} FROM {previous}", renamed);
    }

    private static (string, List<TransformColumn>) Cast(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var name = Existing(step.Column, columns, prefix + ".column");
        if (step.To is null || !Types.Contains(step.To))
        {
            throw new StepError(prefix + ".to", "to must be one of " + string.Join(", ", Types));
        }
        if (step.OnError is not (null or "null" or "fail"))
        {
            throw new StepError(prefix + ".on_error", "on_error must be null (unconvertible values become empty) or fail");
        }
        var source = columns.First(c => c.Name == name);
        var function = step.OnError == "fail" ? "CAST" : "TRY_CAST";
        // Decimals become whole numbers by rounding half away from zero, whichever cast is used.
        var value = source.Type == "decimal" && step.To == "integer" ? $"round({Sql.Id(name)})" : Sql.Id(name);
        var output = columns.Select(c => c.Name == name ? c with { Type = step.To } : c).ToList();
        var list = string.Join(", ", columns.Select(c => c.Name == name ? $"{function}({value} AS {Expressions.SqlType(step.To)}) AS {Sql.Id(name)}" : Sql.Id(c.Name)).Append(Sql.Id(Order)));
        return ($"SELECT {list} FROM {previous}", output);
    }

    private static (string, List<TransformColumn>) Filter(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix, SqlParameters parameters)
    {
        if ((step.Where is null) == string.IsNullOrWhiteSpace(step.Expression))
        {
            throw new StepError(prefix + ".where", "give either where (a predicate tree) or expression (a condition such as price > 10 and city = 'Oslo')");
        }
        string condition;
        if (step.Where is { } where)
        {
            var leaves = 0;
            condition = Predicate(where, columns, prefix + ".where", parameters, 0, ref leaves);
        }
        else
        {
            var (sql, type) = Expressions.Compile(Expressions.Parse(step.Expression!), columns, parameters);
            if (type is not ("boolean" or "null"))
            {
                throw new StepError(prefix + ".expression", $"a filter expression must be a condition (true or false), not {type}");
            }
            condition = $"coalesce({sql}, false)";
        }
        return ($"SELECT * FROM {previous} WHERE {condition}", columns);
    }

    private static string Predicate(PredicateDto predicate, List<TransformColumn> columns, string field, SqlParameters parameters, int depth, ref int leaves)
    {
        if (depth > MaxPredicateDepth)
        {
            throw new StepError(field, $"predicates may nest at most {MaxPredicateDepth} deep");
        }
        var kinds = (predicate.All is null ? 0 : 1) + (predicate.Any is null ? 0 : 1) + (predicate.Not is null ? 0 : 1) + (predicate.Column is null ? 0 : 1);
        if (kinds != 1)
        {
            throw new StepError(field, "a predicate is exactly one of: all [...], any [...], not {...}, or column with op and value");
        }
        if (predicate.All is not null || predicate.Any is not null)
        {
            var parts = predicate.All ?? predicate.Any!;
            var name = predicate.All is null ? "any" : "all";
            if (parts.Count == 0)
            {
                throw new StepError(field + "." + name, $"{name} needs at least one predicate");
            }
            var compiled = new List<string>();
            for (var i = 0; i < parts.Count; i++)
            {
                compiled.Add(Predicate(parts[i], columns, $"{field}.{name}[{i}]", parameters, depth + 1, ref leaves));
            }
            return "(" + string.Join(name == "all" ? " AND " : " OR ", compiled) + ")";
        }
        if (predicate.Not is { } not)
        {
            return $"(NOT {Predicate(not, columns, field + ".not", parameters, depth + 1, ref leaves)})";
        }
        if (++leaves > 200)
        {
            throw new StepError(field, "at most 200 conditions in one filter");
        }
        var column = Existing(predicate.Column, columns, field + ".column");
        var type = columns.First(c => c.Name == column).Type;
        var c = Sql.Id(column);
        var op = predicate.Op ?? string.Empty;
        // Every condition is true or false, never unknown: an empty value equals nothing, so it passes ne and not_in.
        switch (op)
        {
            case "is_null":
                return $"({c} IS NULL)";
            case "not_null":
                return $"({c} IS NOT NULL)";
            case "eq" or "ne" or "lt" or "le" or "gt" or "ge":
                var value = Typed(predicate.Value, type, field + ".value", parameters);
                var sqlOp = op switch { "eq" or "ne" => "=", "lt" => "<", "le" => "<=", "gt" => ">", _ => ">=" };
                var test = $"coalesce({c} {sqlOp} {value}, false)";
                return op == "ne" ? $"(NOT {test})" : $"({test})";
            case "in" or "not_in":
                if (predicate.Value is not { ValueKind: JsonValueKind.Array } array || array.GetArrayLength() is 0 or > 1000)
                {
                    throw new StepError(field + ".value", $"{op} needs value: an array of 1 to 1000 values");
                }
                var items = array.EnumerateArray().Select((v, i) => Typed(v, type, $"{field}.value[{i}]", parameters)).ToList();
                var member = $"coalesce({c} IN ({string.Join(", ", items)}), false)";
                return op == "not_in" ? $"(NOT {member})" : $"({member})";
            case "contains" or "starts_with" or "ends_with":
                if (predicate.Value is not { ValueKind: JsonValueKind.String } text)
                {
                    throw new StepError(field + ".value", $"{op} needs a text value");
                }
                var needle = $"CAST({parameters.Add(text.GetString())} AS VARCHAR)";
                var haystack = type == "string" ? c : $"CAST({c} AS VARCHAR)";
                return $"coalesce({op}({haystack}, {needle}), false)";
            default:
                throw new StepError(field + ".op", "op must be one of eq, ne, lt, le, gt, ge, in, not_in, contains, starts_with, ends_with, is_null, not_null");
        }
    }

    private static (string, List<TransformColumn>) Fill(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix, SqlParameters parameters)
    {
        var chosen = Existing(step.Columns, columns, prefix + ".columns", allowEmpty: false);
        var strategy = step.Strategy ?? string.Empty;
        var filled = new Dictionary<string, (string Sql, string Type)>();
        foreach (var name in chosen)
        {
            var type = columns.First(c => c.Name == name).Type;
            var c = Sql.Id(name);
            var o = Sql.Id(Order);
            var numeric = type is "integer" or "decimal";
            string replacement;
            switch (strategy)
            {
                case "constant":
                    replacement = Typed(step.Value, type, prefix + ".value", parameters);
                    break;
                case "mean" or "median":
                    if (!numeric && !(strategy == "median" && type is "date" or "timestamp"))
                    {
                        throw new StepError(prefix + ".strategy", $"{strategy} needs numeric columns; '{name}' is {type}");
                    }
                    var statistic = strategy == "mean" ? $"avg({c} ORDER BY {o})" : numeric ? $"median({c})" : $"quantile_disc({c}, 0.5)";
                    // Integer columns stay integers: the mean or median is rounded half away from zero.
                    replacement = type == "integer" ? $"CAST(round((SELECT {statistic} FROM {previous})) AS BIGINT)"
                        : type == "decimal" ? $"CAST((SELECT {statistic} FROM {previous}) AS DOUBLE)"
                        : $"(SELECT {statistic} FROM {previous})";
                    break;
                case "mode":
                    // The most frequent value; ties go to the smallest, so the answer is always the same.
                    replacement = $"(SELECT {c} FROM {previous} WHERE {c} IS NOT NULL GROUP BY {c} ORDER BY count(*) DESC, {c} ASC LIMIT 1)";
                    break;
                case "forward_fill":
                    filled[name] = ($"last_value({c} IGNORE NULLS) OVER (ORDER BY {o} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)", type);
                    continue;
                case "backward_fill":
                    filled[name] = ($"first_value({c} IGNORE NULLS) OVER (ORDER BY {o} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)", type);
                    continue;
                default:
                    throw new StepError(prefix + ".strategy", "strategy must be one of constant, mean, median, mode, forward_fill, backward_fill");
            }
            filled[name] = ($"coalesce({c}, {replacement})", type);
        }
        var list = string.Join(", ", columns.Select(c => filled.TryGetValue(c.Name, out var f) ? $"{f.Sql} AS {Sql.Id(c.Name)}" : Sql.Id(c.Name)).Append(Sql.Id(Order)));
        return ($"SELECT {list} FROM {previous}", columns);
    }

    private static (string, List<TransformColumn>) DropDuplicates(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var keys = step.Columns is null ? columns.Select(c => c.Name).ToList() : Existing(step.Columns, columns, prefix + ".columns", allowEmpty: false);
        // The first row of each set of duplicates (in row order) is kept.
        var partition = string.Join(", ", keys.Select(Sql.Id));
        return ($"SELECT * FROM {previous} QUALIFY row_number() OVER (PARTITION BY {partition} ORDER BY {Sql.Id(Order)}) = 1", columns);
    }

    private static (string, List<TransformColumn>) Derive(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix, SqlParameters parameters)
    {
        var name = CheckName(step.Name, prefix + ".name");
        if (string.IsNullOrWhiteSpace(step.Expression))
        {
            throw new StepError(prefix + ".expression", "expression is required, e.g. price * quantity");
        }
        var (sql, type) = Expressions.Compile(Expressions.Parse(step.Expression), columns, parameters);
        if (type == "null")
        {
            (sql, type) = ("CAST(NULL AS VARCHAR)", "string");
        }
        var value = $"CAST({sql} AS {Expressions.SqlType(type)}) AS {Sql.Id(name)}";
        // DuckDB matches names ignoring case: a name that differs only in case replaces that column.
        var existing = columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        var replaces = existing is not null;
        var output = replaces ? columns.Select(c => c == existing ? new TransformColumn(name, type) : c).ToList() : [.. columns, new TransformColumn(name, type)];
        var list = replaces
            ? string.Join(", ", columns.Select(c => c == existing ? value : Sql.Id(c.Name)).Append(Sql.Id(Order)))
            : string.Join(", ", columns.Select(c => Sql.Id(c.Name)).Append(value).Append(Sql.Id(Order)));
        return ($"SELECT {list} FROM {previous}", output);
    }

    private static (string, List<TransformColumn>) Group(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var keys = step.GroupBy is null ? [] : Existing(step.GroupBy, columns, prefix + ".group_by", allowEmpty: true);
        if (step.Aggregations is not { Count: > 0 } aggregations)
        {
            throw new StepError(prefix + ".aggregations", "give at least one aggregation ({function, column, as})");
        }
        var output = keys.Select(k => columns.First(c => c.Name == k)).ToList();
        var select = keys.Select(Sql.Id).ToList();
        var o = Sql.Id(Order);
        for (var i = 0; i < aggregations.Count; i++)
        {
            var a = aggregations[i];
            var field = $"{prefix}.aggregations[{i}]";
            if (a is null || !Functions.Contains(a.Function))
            {
                throw new StepError(field + ".function", "function must be one of " + string.Join(", ", Functions));
            }
            TransformColumn? column = null;
            if (a.Column is not null)
            {
                column = columns.First(c => c.Name == Existing(a.Column, columns, field + ".column"));
            }
            else if (a.Function != "count")
            {
                throw new StepError(field + ".column", $"{a.Function} needs a column");
            }
            var numeric = column?.Type is "integer" or "decimal";
            if (a.Function is "sum" or "avg" or "median" or "stddev" && !numeric)
            {
                throw new StepError(field + ".column", $"{a.Function} needs a numeric column; '{column!.Name}' is {column.Type}");
            }
            var c = column is null ? null : Sql.Id(column.Name);
            var (sql, type) = a.Function switch
            {
                "count" => (c is null ? "count(*)" : $"count({c})", "integer"),
                "count_distinct" => ($"count(DISTINCT {c})", "integer"),
                "sum" when column!.Type == "integer" => ($"CAST(sum({c}) AS BIGINT)", "integer"),
                "sum" => ($"sum({c} ORDER BY {o})", "decimal"),
                "avg" => ($"avg({c} ORDER BY {o})", "decimal"),
                "median" => ($"median(CAST({c} AS DOUBLE))", "decimal"),
                "stddev" => ($"stddev_samp({c} ORDER BY {o})", "decimal"),
                "first" => ($"arg_min({c}, {o})", column!.Type),
                "last" => ($"arg_max({c}, {o})", column!.Type),
                _ => ($"{a.Function}({c})", column!.Type),
            };
            var alias = CheckName(a.As ?? (column is null ? a.Function : $"{a.Function}_{column.Name}"), field + ".as");
            select.Add($"CAST({sql} AS {Expressions.SqlType(type)}) AS {Sql.Id(alias)}");
            output.Add(new TransformColumn(alias, type));
        }
        Unique(output, prefix + ".aggregations");
        // Groups come out ordered by their keys: one defined order for the steps after.
        var order = keys.Count == 0 ? "1" : string.Join(", ", keys.Select(k => Sql.Id(k) + " ASC NULLS LAST"));
        var groupBy = keys.Count == 0 ? string.Empty : " GROUP BY " + string.Join(", ", keys.Select(Sql.Id));
        return ($"SELECT {string.Join(", ", select)}, row_number() OVER (ORDER BY {order}) AS {o} FROM {previous}{groupBy}", output);
    }

    private static async Task<(string, List<TransformColumn>)> JoinAsync(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix,
        Func<Guid, int?, Task<Result<JoinSource>>> resolveJoin, List<JoinSource> joined)
    {
        if (step.DatasetId is not { } datasetId)
        {
            throw new StepError(prefix + ".dataset_id", "dataset_id (the dataset to join with) is required");
        }
        var how = step.How ?? "inner";
        if (how is not ("inner" or "left" or "right" or "full"))
        {
            throw new StepError(prefix + ".how", "how must be inner, left, right or full");
        }
        if (step.On is not { Count: > 0 } keys)
        {
            throw new StepError(prefix + ".on", "on needs at least one {left, right} pair of columns");
        }
        var resolved = await resolveJoin(datasetId, step.DatasetVersion).ConfigureAwait(false);
        if (!resolved.IsSuccess)
        {
            throw new StepError(prefix + ".dataset_id", resolved.Error!.Message);
        }
        var right = resolved.Value;
        if (right.Columns.Any(c => c.Name == Order))
        {
            throw new StepError(prefix + ".dataset_id", $"the other dataset has a column named '{Order}', which is reserved");
        }
        var conditions = new List<string>();
        for (var i = 0; i < keys.Count; i++)
        {
            var l = columns.FirstOrDefault(c => c.Name == keys[i]?.Left) ?? throw new StepError($"{prefix}.on[{i}].left", $"unknown column '{keys[i]?.Left}'");
            var r = right.Columns.FirstOrDefault(c => c.Name == keys[i]?.Right) ?? throw new StepError($"{prefix}.on[{i}].right", $"'{right.Name}' has no column '{keys[i]?.Right}'");
            if (l.Type != r.Type && !(l.Type is "integer" or "decimal" && r.Type is "integer" or "decimal"))
            {
                throw new StepError($"{prefix}.on[{i}]", $"cannot join {l.Type} '{l.Name}' with {r.Type} '{r.Name}'");
            }
            conditions.Add($"l.{Sql.Id(l.Name)} = r.{Sql.Id(r.Name)}");
        }
        var suffix = step.Suffix ?? "_right";
        if (suffix.Length is 0 or > 40)
        {
            throw new StepError(prefix + ".suffix", "suffix must be 1 to 40 characters");
        }
        // The right keys fold into the left keys (equal where rows match; for right and full joins the
        // left key takes the right one's value where the left row is missing).
        var leftKeys = keys.Select(k => k.Left).ToHashSet();
        var rightKeys = keys.Select(k => k.Right).ToHashSet();
        var select = new List<string>();
        var output = new List<TransformColumn>();
        foreach (var c in columns)
        {
            var partner = keys.FirstOrDefault(k => k.Left == c.Name);
            select.Add(partner is not null && how is "right" or "full"
                ? $"coalesce(l.{Sql.Id(c.Name)}, r.{Sql.Id(partner.Right)}) AS {Sql.Id(c.Name)}"
                : $"l.{Sql.Id(c.Name)}");
            output.Add(c);
        }
        foreach (var c in right.Columns.Where(c => !rightKeys.Contains(c.Name)))
        {
            var name = output.Any(o => string.Equals(o.Name, c.Name, StringComparison.OrdinalIgnoreCase)) ? c.Name + suffix : c.Name;
            if (output.Any(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new StepError(prefix + ".suffix", $"'{name}' would be there twice; choose another suffix");
            }
            select.Add($"r.{Sql.Id(c.Name)} AS {Sql.Id(CheckName(name, prefix + ".suffix"))}");
            output.Add(c with { Name = name });
        }
        joined.Add(right);
        var o = Sql.Id(Order);
        var source = $"({right.Source.Ordered(Order, right.Columns.Select(c => c.Name).ToList())})";
        return ($"SELECT {string.Join(", ", select)}, row_number() OVER (ORDER BY l.{o} ASC NULLS LAST, r.{o} ASC NULLS LAST) AS {o} " +
            $"FROM {previous} l {how.ToUpperInvariant()} JOIN {source} r ON {string.Join(" AND ", conditions)}", output);
    }

    private static (string, List<TransformColumn>) Sort(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        if (step.By is not { Count: > 0 } by)
        {
            throw new StepError(prefix + ".by", "by needs at least one {column, descending}");
        }
        var keys = new List<string>();
        for (var i = 0; i < by.Count; i++)
        {
            var name = Existing(by[i]?.Column, columns, $"{prefix}.by[{i}].column");
            keys.Add($"{Sql.Id(name)} {(by[i].Descending ? "DESC" : "ASC")} NULLS LAST");
        }
        // Stable: rows with equal keys keep their order.
        var o = Sql.Id(Order);
        return ($"SELECT {string.Join(", ", columns.Select(c => Sql.Id(c.Name)))}, row_number() OVER (ORDER BY {string.Join(", ", keys)}, {o}) AS {o} FROM {previous}", columns);
    }

    private static (string, List<TransformColumn>) Normalize(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var chosen = Existing(step.Columns, columns, prefix + ".columns", allowEmpty: false);
        var method = step.Method ?? "min_max";
        if (method is not ("min_max" or "z_score"))
        {
            throw new StepError(prefix + ".method", "method must be min_max (0 to 1) or z_score (mean 0, standard deviation 1)");
        }
        var o = Sql.Id(Order);
        var replaced = new Dictionary<string, string>();
        foreach (var name in chosen)
        {
            var type = columns.First(c => c.Name == name).Type;
            if (type is not ("integer" or "decimal"))
            {
                throw new StepError(prefix + ".columns", $"normalize needs numeric columns; '{name}' is {type}");
            }
            var c = Sql.Id(name);
            var x = $"CAST({c} AS DOUBLE)";
            // A constant column has no spread: its values become empty rather than infinite.
            replaced[name] = method == "min_max"
                ? $"({x} - (SELECT min({x}) FROM {previous})) / NULLIF((SELECT max({x}) - min({x}) FROM {previous}), 0)"
                : $"({x} - (SELECT avg({x} ORDER BY {o}) FROM {previous})) / NULLIF((SELECT stddev_pop({x} ORDER BY {o}) FROM {previous}), 0)";
        }
        var output = columns.Select(c => replaced.ContainsKey(c.Name) ? c with { Type = "decimal" } : c).ToList();
        var list = string.Join(", ", columns.Select(c => replaced.TryGetValue(c.Name, out var r) ? $"CAST({r} AS DOUBLE) AS {Sql.Id(c.Name)}" : Sql.Id(c.Name)).Append(o));
        return ($"SELECT {list} FROM {previous}", output);
    }

    private static async Task<(string, List<TransformColumn>)> OneHotAsync(DuckDBConnection duck, List<string> ctes, TransformStepDto step, List<TransformColumn> columns,
        string previous, string prefix, SqlParameters parameters, CancellationToken ct)
    {
        var name = Existing(step.Column, columns, prefix + ".column");
        var type = columns.First(c => c.Name == name).Type;
        var maxLevels = step.MaxLevels ?? 50;
        if (maxLevels is < 1 or > 1000)
        {
            throw new StepError(prefix + ".max_levels", "max_levels must be 1 to 1000");
        }
        // The levels are read from the data as it is at this step, sorted, so the columns are always the same.
        var levels = new List<object>();
        using (var command = duck.CreateCommand())
        {
            command.CommandText = $"WITH {string.Join(", ", ctes)} SELECT DISTINCT {Sql.Id(name)} FROM {previous} WHERE {Sql.Id(name)} IS NOT NULL ORDER BY 1 LIMIT {maxLevels + 1}";
            using var traced = Engine.DataTelemetry.Query("transform", command.CommandText);
            parameters.Bind(command);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                levels.Add(reader.GetValue(0));
            }
        }
        if (levels.Count > maxLevels)
        {
            throw new StepError(prefix + ".max_levels", $"'{name}' has more than {maxLevels} distinct values; raise max_levels (up to 1000) or group the values first");
        }
        var stem = step.Prefix ?? name + "_";
        var output = step.KeepOriginal == true ? columns.ToList() : columns.Where(c => c.Name != name).ToList();
        var select = output.Select(c => Sql.Id(c.Name)).ToList();
        foreach (var level in levels)
        {
            var text = DuckDb.ToJsonValue(level) is { } json ? Convert.ToString(json, CultureInfo.InvariantCulture) ?? string.Empty : string.Empty;
            var column = CheckName(stem + text, prefix + ".prefix");
            if (output.Any(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase)))
            {
                throw new StepError(prefix + ".prefix", $"'{column}' is already a column; choose another prefix");
            }
            select.Add($"CAST(coalesce({Sql.Id(name)} = CAST({parameters.Add(level)} AS {Expressions.SqlType(type)}), false) AS BIGINT) AS {Sql.Id(column)}");
            output.Add(new TransformColumn(column, "integer"));
        }
        return ($"SELECT {string.Join(", ", select.Append(Sql.Id(Order)))} FROM {previous}", output);
    }

    private static (string, List<TransformColumn>) Sample(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix, SqlParameters parameters)
    {
        if ((step.Rows is null) == (step.Fraction is null))
        {
            throw new StepError(prefix + ".rows", "give either rows (how many) or fraction (between 0 and 1)");
        }
        var seed = parameters.Add(step.Seed ?? 0L);
        var o = Sql.Id(Order);
        // A row is in the sample by a hash of its position and the seed: the same seed gives the same rows.
        if (step.Fraction is { } fraction)
        {
            if (!(fraction > 0 && fraction <= 1))
            {
                throw new StepError(prefix + ".fraction", "fraction must be more than 0 and at most 1");
            }
            var threshold = parameters.Add((long)Math.Round(fraction * 1_000_000));
            return ($"SELECT * FROM {previous} WHERE hash({o}, CAST({seed} AS BIGINT)) % 1000000 < CAST({threshold} AS BIGINT)", columns);
        }
        if (step.Rows is not (>= 1 and <= 1_000_000_000))
        {
            throw new StepError(prefix + ".rows", "rows must be 1 to 1,000,000,000");
        }
        var rows = parameters.Add(step.Rows.Value);
        return ($"SELECT * FROM {previous} QUALIFY row_number() OVER (ORDER BY hash({o}, CAST({seed} AS BIGINT)), {o}) <= CAST({rows} AS BIGINT)", columns);
    }

    private static (string, List<TransformColumn>) Limit(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix, SqlParameters parameters)
    {
        if (step.Rows is not (>= 1 and <= 1_000_000_000))
        {
            throw new StepError(prefix + ".rows", "rows must be 1 to 1,000,000,000");
        }
        if (step.Offset is < 0)
        {
            throw new StepError(prefix + ".offset", "offset must not be negative");
        }
        return ($"SELECT * FROM {previous} ORDER BY {Sql.Id(Order)} LIMIT {parameters.Add(step.Rows.Value)} OFFSET {parameters.Add(step.Offset ?? 0L)}", columns);
    }

    private static (string, List<TransformColumn>) DateParts(TransformStepDto step, List<TransformColumn> columns, string previous, string prefix)
    {
        var name = Existing(step.Column, columns, prefix + ".column");
        var type = columns.First(c => c.Name == name).Type;
        if (type is not ("date" or "timestamp"))
        {
            throw new StepError(prefix + ".column", $"date_parts needs a date or timestamp column; '{name}' is {type}");
        }
        var parts = step.Parts is { Count: > 0 } given ? given : ["year", "month", "day"];
        var output = columns.ToList();
        var select = columns.Select(c => Sql.Id(c.Name)).ToList();
        foreach (var part in parts)
        {
            if (!PartNames.Contains(part))
            {
                throw new StepError(prefix + ".parts", "parts are " + string.Join(", ", PartNames));
            }
            var column = CheckName($"{name}_{part}", prefix + ".parts");
            if (output.Any(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase)))
            {
                throw new StepError(prefix + ".parts", $"'{column}' is already a column");
            }
            select.Add($"CAST({(part == "weekday" ? "isodow" : part)}({Sql.Id(name)}) AS BIGINT) AS {Sql.Id(column)}");
            output.Add(new TransformColumn(column, "integer"));
        }
        return ($"SELECT {string.Join(", ", select.Append(Sql.Id(Order)))} FROM {previous}", output);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A JSON value as a bound parameter of the column's type; a value that does not fit is refused here, not by the engine.</summary>
    private static string Typed(JsonElement? value, string type, string field, SqlParameters parameters)
    {
        if (value is not { } v || v.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw new StepError(field, "a value is required (use is_null / not_null to test for empty values)");
        }
        object? typed = type switch
        {
            "integer" when v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) => l,
            "decimal" when v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) => d,
            "boolean" when v.ValueKind is JsonValueKind.True or JsonValueKind.False => v.GetBoolean(),
            "date" when v.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => v.GetString(),
            "timestamp" when v.ValueKind == JsonValueKind.String && DateTime.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _) => v.GetString(),
            "string" when v.ValueKind == JsonValueKind.String => v.GetString(),
            "string" when v.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => null,
        };
        if (typed is null)
        {
            var expected = type switch
            {
                "integer" => "a whole number",
                "decimal" => "a number",
                "boolean" => "true or false",
                "date" => "a date as \"yyyy-mm-dd\"",
                "timestamp" => "a timestamp as ISO 8601 text",
                _ => "text",
            };
            throw new StepError(field, $"{v.GetRawText()} is not {expected}, as the column's type ({type}) needs");
        }
        return $"CAST({parameters.Add(typed)} AS {Expressions.SqlType(type)})";
    }

    private static string Existing(string? name, List<TransformColumn> columns, string field)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new StepError(field, "a column is required");
        }
        if (columns.All(c => c.Name != name))
        {
            throw new StepError(field, $"unknown column '{name}'; the columns are {string.Join(", ", columns.Select(c => c.Name))}");
        }
        return name;
    }

    private static List<string> Existing(IReadOnlyList<string>? names, List<TransformColumn> columns, string field, bool allowEmpty)
    {
        if (names is null || (names.Count == 0 && !allowEmpty))
        {
            throw new StepError(field, "list at least one column");
        }
        return names.Select(n => Existing(n, columns, field)).ToList();
    }

    private static string CheckName(string? name, string field)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || name != name.Trim())
        {
            throw new StepError(field, "column names are 1 to 128 characters, without leading or trailing spaces");
        }
        if (name.Any(char.IsControl))
        {
            throw new StepError(field, "column names must not contain control characters (such as NUL, tab or a line break)");
        }
        if (name == Order)
        {
            throw new StepError(field, $"'{Order}' is reserved");
        }
        return name;
    }

    private static void Unique(List<TransformColumn> columns, string field)
    {
        var twice = columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new StepError(field, $"'{twice.Key}' would be a column twice (names are compared ignoring case)");
        }
    }
}
