namespace Astralytiq.Data.Engine;

/// <summary>
/// Checks tenant SQL before it runs: DuckDB's own parser (<c>json_serialize_sql</c>) must see exactly one
/// SELECT statement (COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET and every other statement fail there);
/// table functions (read_csv, glob, duckdb_settings, query, …), qualified names (other catalogs and
/// schemas) and functions that read configuration or the environment are refused; every other table
/// name must be one of the tenant's datasets (or a CTE of the query). The query then runs in a database
/// that can read only those datasets' files, with external access off and its configuration locked.
/// </summary>
internal static class SqlSandbox
{
    private static readonly HashSet<string> DeniedFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "current_setting", "getenv", "read_text", "read_blob", "glob", "sniff_csv", "parquet_metadata", "parquet_schema",
        "pragma_version", "current_database", "current_schema", "current_schemas",
    };

    public sealed record Checked(IReadOnlySet<string> Tables);

    public static async Task<Result<Checked>> CheckAsync(DuckDBConnection duck, string sql, CancellationToken ct)
    {
        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            return ValidationError.For("sql", "the statement contains a NUL character");
        }
        string json;
        try
        {
            using var command = duck.CreateCommand();
            // The function parses at bind time and takes only a constant: the text goes in as a quoted literal
            // (single quotes doubled), which DuckDB reads back verbatim; it is parsed here, never executed.
            command.CommandText = "SELECT json_serialize_sql(" + DuckDb.Literal(sql) + ")";
            using var traced = DataTelemetry.Query("sql_check", command.CommandText);
            json = (string)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
        catch (DuckDBException ex)
        {
            return ValidationError.For("sql", "the statement could not be parsed: " + Ingest.Explain(ex.Message, "\0", "the query"));
        }
        // The syntax tree of a legal query nests deeper than JSON's usual 64 levels (each expression level is a few);
        // DuckDB bounds it (max_expression_depth, the parser's own stack), and it is walked below without recursion.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1_000_000 });
        var root = document.RootElement;
        if (root.GetProperty("error").GetBoolean())
        {
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() : "the statement could not be parsed";
            return ValidationError.For("sql", message is not null && message.Contains("Only SELECT", StringComparison.Ordinal)
                ? "only a read-only SELECT (or WITH … SELECT) statement is allowed"
                : "the statement could not be parsed: " + Ingest.Explain(message ?? string.Empty, "\0", "the query"));
        }
        var statements = root.GetProperty("statements");
        if (statements.GetArrayLength() != 1)
        {
            return ValidationError.For("sql", "send exactly one statement");
        }
        var tables = new HashSet<string>(StringComparer.Ordinal);
        var ctes = new HashSet<string>(StringComparer.Ordinal);
        string? refusal = null;
        var pending = new Stack<JsonElement>();
        pending.Push(statements[0]);
        while (pending.TryPop(out var element))
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var type = element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (type == "TABLE_FUNCTION")
                    {
                        refusal ??= "table functions (read_csv, glob, …) are not allowed; query datasets by name";
                    }
                    else if (type == "BASE_TABLE")
                    {
                        if (element.GetProperty("schema_name").GetString() is { Length: > 0 } || element.GetProperty("catalog_name").GetString() is { Length: > 0 })
                        {
                            refusal ??= "qualified names (catalog or schema) are not allowed; query datasets by name";
                        }
                        tables.Add(element.GetProperty("table_name").GetString()!);
                    }
                    if (element.TryGetProperty("function_name", out var f) && f.GetString() is { } function
                        && (DeniedFunctions.Contains(function) || function.StartsWith("duckdb_", StringComparison.OrdinalIgnoreCase)))
                    {
                        refusal ??= $"the function {function} is not allowed";
                    }
                    if (element.TryGetProperty("cte_map", out var cteMap) && cteMap.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var entry in map.EnumerateArray())
                        {
                            if (entry.TryGetProperty("key", out var key) && key.GetString() is { } name)
                            {
                                ctes.Add(name);
                            }
                        }
                    }
                    foreach (var property in element.EnumerateObject())
                    {
                        pending.Push(property.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        pending.Push(item);
                    }
                    break;
            }
        }
        if (refusal is not null)
        {
            return ValidationError.For("sql", refusal);
        }
        tables.ExceptWith(ctes);
        return new Checked(tables);
    }
}
