namespace Astralytiq.Data.Engine;

/// <summary>
/// Checks a version against a declared schema (errors) and for common quality problems (warnings, info):
/// high null share, duplicate rows, constant columns, numbers hiding in text (mixed types) and outliers
/// (beyond three interquartile ranges). Row numbers are 1-based, in file order.
/// Score = 100 × (1 − Σ failing rows × weight ÷ (rows × columns)), weight 1 for errors, 0.5 for warnings,
/// 0.1 for info, never below 0.
/// </summary>
internal static class Validator
{
    public static readonly string[] Types = ["integer", "decimal", "boolean", "date", "timestamp", "string"];
    private const int Samples = 5;

    public static FieldErrors Check(ValidateDatasetRequest request)
    {
        var errors = new FieldErrors();
        var rules = request.Columns ?? [];
        if (rules.Count > 500)
        {
            errors.Add("columns", "at most 500 column rules");
        }
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"columns[{i}]";
            if (rule is null)
            {
                errors.Add(at, "a column rule is an object with at least a name");
                continue;
            }
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                errors.Add(at + ".name", "name is required");
            }
            if (rule.Type is not null && !Types.Contains(rule.Type))
            {
                errors.Add(at + ".type", "type must be one of " + string.Join(", ", Types));
            }
            if (rule is { Min: { } min, Max: { } max } && min > max)
            {
                errors.Add(at + ".min", "min must not exceed max");
            }
            if (rule.Pattern is { Length: > 500 })
            {
                errors.Add(at + ".pattern", "pattern must be at most 500 characters");
            }
            if (rule.AllowedValues is { Count: > 1000 })
            {
                errors.Add(at + ".allowed_values", "at most 1000 allowed values");
            }
        }
        return errors;
    }

    public static async Task<Result<(List<ValidationIssueDto> Issues, double Score, long Rows)>> RunAsync(
        DuckDBConnection duck, ParquetSource source, IReadOnlyList<ColumnDto> schema, ValidateDatasetRequest request, CancellationToken ct)
    {
        // Row numbers are the rows' positions in the version (1-based), as the user counts them.
        await DuckDb.ExecuteAsync(duck, $"CREATE TEMP TABLE r AS SELECT * EXCLUDE (__position), __position + 1 AS __rn FROM ({source.Ordered("__position", schema.Select(c => c.Name).ToList())})", ct).ConfigureAwait(false);
        var rows = await DuckDb.ScalarLongAsync(duck, "SELECT count(*) FROM r", ct).ConfigureAwait(false);
        var issues = new List<ValidationIssueDto>();

        async Task AddAsync(string severity, string? column, string rule, string predicate, Func<long, string> message)
        {
            var failing = await DuckDb.ScalarLongAsync(duck, $"SELECT count(*) FROM r WHERE {predicate}", ct).ConfigureAwait(false);
            if (failing == 0)
            {
                return;
            }
            var sample = new List<long>();
            using var command = duck.CreateCommand();
            command.CommandText = $"SELECT __rn FROM r WHERE {predicate} ORDER BY __rn LIMIT {Samples}";
            using var traced = DataTelemetry.Query("validate", command.CommandText);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                sample.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
            }
            issues.Add(new ValidationIssueDto(severity, column, rule, message(failing), failing, sample));
        }

        // Declared rules.
        foreach (var rule in request.Columns ?? [])
        {
            var column = schema.FirstOrDefault(c => c.Name == rule.Name);
            if (column is null)
            {
                issues.Add(new ValidationIssueDto("error", rule.Name, "missing_column", $"The dataset has no column '{rule.Name}'", rows, []));
                continue;
            }
            var c = DuckDb.Identifier(column.Name);
            if (rule.Type is { } type && type != "string" && column.Type != type)
            {
                var target = type switch { "integer" => "BIGINT", "decimal" => "DOUBLE", "boolean" => "BOOLEAN", "date" => "DATE", _ => "TIMESTAMP" };
                await AddAsync("error", column.Name, "type", $"{c} IS NOT NULL AND TRY_CAST({c} AS {target}) IS NULL",
                    n => $"{n} value(s) of {column.Name} are not {type}").ConfigureAwait(false);
            }
            if (rule.Required == true)
            {
                await AddAsync("error", column.Name, "required", $"{c} IS NULL", n => $"{column.Name} is empty in {n} row(s)").ConfigureAwait(false);
            }
            if (rule.Unique == true)
            {
                await AddAsync("error", column.Name, "unique", $"{c} IN (SELECT {c} FROM r WHERE {c} IS NOT NULL GROUP BY {c} HAVING count(*) > 1)",
                    n => $"{n} row(s) share a {column.Name} value with another row").ConfigureAwait(false);
            }
            if (rule.Min is { } min)
            {
                await AddAsync("error", column.Name, "min", $"TRY_CAST({c} AS DOUBLE) < {min.ToString("R", CultureInfo.InvariantCulture)}",
                    n => $"{n} value(s) of {column.Name} are below {min.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            }
            if (rule.Max is { } max)
            {
                await AddAsync("error", column.Name, "max", $"TRY_CAST({c} AS DOUBLE) > {max.ToString("R", CultureInfo.InvariantCulture)}",
                    n => $"{n} value(s) of {column.Name} are above {max.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            }
            if (rule.Pattern is { Length: > 0 } pattern)
            {
                try
                {
                    await AddAsync("error", column.Name, "pattern", $"{c} IS NOT NULL AND NOT regexp_full_match(CAST({c} AS VARCHAR), {DuckDb.Literal(pattern)})",
                        n => $"{n} value(s) of {column.Name} do not match {pattern}").ConfigureAwait(false);
                }
                catch (DuckDBException)
                {
                    return ValidationError.For("pattern", $"'{pattern}' is not a valid regular expression (RE2 syntax)");
                }
            }
            if (rule.AllowedValues is { Count: > 0 } allowed)
            {
                await AddAsync("error", column.Name, "allowed_values",
                    $"{c} IS NOT NULL AND CAST({c} AS VARCHAR) NOT IN ({string.Join(", ", allowed.Select(DuckDb.Literal))})",
                    n => $"{n} value(s) of {column.Name} are not among the allowed values").ConfigureAwait(false);
            }
        }

        // Quality checks.
        var duplicateGroupColumns = string.Join(", ", schema.Select(c => DuckDb.Identifier(c.Name)));
        await AddAsync("warning", null, "duplicate_rows",
            $"__rn NOT IN (SELECT min(__rn) FROM r GROUP BY {duplicateGroupColumns})", n => $"{n} row(s) repeat an earlier row").ConfigureAwait(false);
        foreach (var column in schema)
        {
            var c = DuckDb.Identifier(column.Name);
            var nulls = await DuckDb.ScalarLongAsync(duck, $"SELECT count(*) FROM r WHERE {c} IS NULL", ct).ConfigureAwait(false);
            if (rows > 0 && nulls > 0)
            {
                // Every blank is a finding (2 % blanks once scored 100/100); more than half blank is a warning.
                var share = nulls / (double)rows;
                await AddAsync(nulls * 2 > rows ? "warning" : "info", column.Name, "missing_values", $"{c} IS NULL",
                    n => $"{column.Name} is empty in {n.ToString("N0", CultureInfo.InvariantCulture)} of {rows.ToString("N0", CultureInfo.InvariantCulture)} rows ({share.ToString("0.#%", CultureInfo.InvariantCulture)})").ConfigureAwait(false);
            }
            var distinct = await DuckDb.ScalarLongAsync(duck, $"SELECT count(DISTINCT {c}) FROM r", ct).ConfigureAwait(false);
            if (rows > 1 && distinct == 1 && nulls == 0)
            {
                issues.Add(new ValidationIssueDto("warning", column.Name, "constant", $"{column.Name} has the same value in every row", 0, []));
            }
            if (column.Type == "string")
            {
                // Numbers hiding in text: most values parse as numbers, some do not.
                var numeric = await DuckDb.ScalarLongAsync(duck, $"SELECT count(*) FROM r WHERE TRY_CAST({c} AS DOUBLE) IS NOT NULL", ct).ConfigureAwait(false);
                var present = rows - nulls;
                if (present > 0 && numeric * 10 >= present * 8 && numeric < present)
                {
                    await AddAsync("warning", column.Name, "mixed_types", $"{c} IS NOT NULL AND TRY_CAST({c} AS DOUBLE) IS NULL",
                        n => $"{column.Name} is mostly numeric but {n} value(s) are not numbers").ConfigureAwait(false);
                }
            }
            if (column.Type is "integer" or "decimal")
            {
                await AddAsync("info", column.Name, "outliers",
                    $"{c} IS NOT NULL AND (SELECT q3 - q1 FROM (SELECT quantile_cont({c}::DOUBLE, 0.25) AS q1, quantile_cont({c}::DOUBLE, 0.75) AS q3 FROM r)) > 0 " +
                    $"AND ({c}::DOUBLE < (SELECT q1 - 3 * (q3 - q1) FROM (SELECT quantile_cont({c}::DOUBLE, 0.25) AS q1, quantile_cont({c}::DOUBLE, 0.75) AS q3 FROM r)) " +
                    $"OR {c}::DOUBLE > (SELECT q3 + 3 * (q3 - q1) FROM (SELECT quantile_cont({c}::DOUBLE, 0.25) AS q1, quantile_cont({c}::DOUBLE, 0.75) AS q3 FROM r)))",
                    n => $"{n} value(s) of {column.Name} lie beyond three interquartile ranges").ConfigureAwait(false);
            }
        }

        var cells = (double)Math.Max(1, rows) * Math.Max(1, schema.Count);
        // The share of cells without a problem: an empty cell counts fully (the score is also the table's completeness),
        // a cell breaking a declared rule fully, a warning half, a note a tenth.
        var penalty = issues.Sum(i => i.FailingRowCount * (i.Rule == "missing_values" ? 1.0 : i.Severity switch { "error" => 1.0, "warning" => 0.5, _ => 0.1 }));
        var score = Math.Round(Math.Max(0, 100 * (1 - (penalty / cells))), 1);
        return (issues, score, rows);
    }
}
