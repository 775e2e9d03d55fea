using Microsoft.Data.Sqlite;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Reads an uploaded SQLite database: one table, or one read-only SELECT. The file is opened read-only with
/// writes refused (<c>query_only</c>) and ATTACH made impossible (no other file on the server can be
/// reached); one statement only; time- and row-limited. Rows go through the DuckDB appender like a
/// PostgreSQL import.
/// </summary>
internal static class SqliteSource
{
    private const int SqliteLimitLength = 0;
    private const int SqliteLimitAttached = 7;
    private const int SqliteInterrupt = 9;

    /// <summary>Largest single value (text or blob) a query may build: zeroblob(2e9) must not take the memory.</summary>
    private const int MaxValueBytes = 64 << 20;

    public static async Task<Result<long>> ReadIntoAsync(DuckDBConnection duck, string path, string? table, string? query, string displayName, CancellationToken ct)
    {
        if (!await LooksLikeSqliteAsync(path, ct).ConfigureAwait(false))
        {
            return ValidationError.For("file", $"{displayName} is not a SQLite database");
        }
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        try
        {
            await using var sqlite = new SqliteConnection(builder.ConnectionString);
            await sqlite.OpenAsync(ct).ConfigureAwait(false);
            SQLitePCL.raw.sqlite3_limit(sqlite.Handle, SqliteLimitAttached, 0);
            SQLitePCL.raw.sqlite3_limit(sqlite.Handle, SqliteLimitLength, MaxValueBytes);
            // A query runs in SQLite's own loop (a recursive CTE can count forever before its first row): every
            // few thousand instructions it asks whether the request was cancelled or ran out of time.
            SQLitePCL.raw.sqlite3_progress_handler(sqlite.Handle, 10_000, static state => ((CancellationToken)state).IsCancellationRequested ? 1 : 0, ct);
            await using (var pragma = sqlite.CreateCommand())
            {
                pragma.CommandText = "PRAGMA query_only = ON";
                await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            string sql;
            if (!string.IsNullOrWhiteSpace(query))
            {
                sql = query.Trim().TrimEnd(';');
                if (sql.Contains(';', StringComparison.Ordinal))
                {
                    return ValidationError.For("query", "send one SELECT statement");
                }
                if (!sql.StartsWith("select", StringComparison.OrdinalIgnoreCase) && !sql.StartsWith("with", StringComparison.OrdinalIgnoreCase))
                {
                    return ValidationError.For("query", "the query must be a SELECT (or WITH … SELECT)");
                }
            }
            else
            {
                var tables = new List<string>();
                await using (var list = sqlite.CreateCommand())
                {
                    list.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name";
                    await using var names = await list.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await names.ReadAsync(ct).ConfigureAwait(false))
                    {
                        tables.Add(names.GetString(0));
                    }
                }
                var chosen = table ?? (tables.Count == 1 ? tables[0] : null);
                if (chosen is null)
                {
                    return ValidationError.For("table", tables.Count == 0
                        ? $"{displayName} has no tables"
                        : $"{displayName} has several tables; name one with table ({string.Join(", ", tables.Take(20))}) or send a query");
                }
                if (!tables.Contains(chosen, StringComparer.Ordinal))
                {
                    return ValidationError.For("table", $"{displayName} has no table '{chosen}'; it has {string.Join(", ", tables.Take(20))}");
                }
                sql = "SELECT * FROM \"" + chosen.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            }
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = 60;
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => (Name: reader.GetName(i), Type: DuckType(reader.GetDataTypeName(i)))).ToList();
            return await DatabaseSource.AppendAsync(duck, reader, columns, DatabaseSource.MaxRowLimit, "query", ct).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteInterrupt && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("The SQLite query was stopped", ex, ct);
        }
        catch (SqliteException ex)
        {
            return ValidationError.For(string.IsNullOrWhiteSpace(query) ? "file" : "query", "SQLite: " + ex.Message);
        }
        finally
        {
            // A database in WAL mode makes SQLite create its -wal and -shm files next to the upload, even read-only.
            foreach (var sidecar in new[] { "-wal", "-shm", "-journal" })
            {
                File.Delete(path + sidecar);
            }
        }
    }

    private static async Task<bool> LooksLikeSqliteAsync(string path, CancellationToken ct)
    {
        var header = new byte[16];
        await using var file = File.OpenRead(path);
        return await file.ReadAtLeastAsync(header, 16, throwOnEndOfStream: false, ct).ConfigureAwait(false) == 16
            && System.Text.Encoding.ASCII.GetString(header) == "SQLite format 3\0";
    }

    /// <summary>SQLite's type affinity rules, from the declared type.</summary>
    private static string DuckType(string declared)
    {
        var t = declared.ToUpperInvariant();
        return t switch
        {
            "DATE" => "DATE",
            _ when t.Contains("DATETIME", StringComparison.Ordinal) || t.Contains("TIMESTAMP", StringComparison.Ordinal) => "TIMESTAMP",
            _ when t.Contains("BOOL", StringComparison.Ordinal) => "BOOLEAN",
            _ when t.Contains("INT", StringComparison.Ordinal) => "BIGINT",
            _ when t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal)
                || t.Contains("NUMERIC", StringComparison.Ordinal) || t.Contains("DECIMAL", StringComparison.Ordinal) => "DOUBLE",
            _ => "VARCHAR",
        };
    }
}
