using System.Data.Common;
using Npgsql;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Reads one SELECT from a PostgreSQL server into a DuckDB table through the appender, then into Parquet.
/// The connection is built field by field (no raw connection strings, so no smuggled options), runs in
/// a READ ONLY transaction with a statement timeout, and stops reading at the row limit.
/// </summary>
internal static class DatabaseSource
{
    public const int MaxRowLimit = 10_000_000;

    public static FieldErrors Check(DatabaseImportRequest request)
    {
        var errors = new FieldErrors();
        if (request.Kind != "postgres")
        {
            errors.Add("kind", "kind must be postgres");
        }
        var c = request.Connection;
        if (c is null || string.IsNullOrWhiteSpace(c.Host) || string.IsNullOrWhiteSpace(c.Database) || string.IsNullOrWhiteSpace(c.Username))
        {
            errors.Add("connection", "connection needs host, database and username");
        }
        else if (Uri.CheckHostName(c.Host.Trim('[', ']')) is UriHostNameType.Unknown or UriHostNameType.Basic)
        {
            // One plain host name or address: Npgsql would also accept a comma-separated list, whose other
            // hosts the network guard would never see.
            errors.Add("connection.host", "host must be one host name or IP address");
        }
        else if (c.Port is < 1 or > 65535)
        {
            errors.Add("connection.port", "port must be 1 to 65535");
        }
        if (c?.SslMode is { } ssl && !Enum.TryParse<SslMode>(ssl, ignoreCase: true, out _))
        {
            errors.Add("connection.ssl_mode", "ssl_mode must be disable, allow, prefer, require, verify-ca or verify-full");
        }
        if (string.IsNullOrWhiteSpace(request.Query) || request.Query.Length > 100_000)
        {
            errors.Add("query", "query is required (at most 100,000 characters)");
        }
        if (request.RowLimit is < 1 or > MaxRowLimit)
        {
            errors.Add("row_limit", $"row_limit must be 1 to {MaxRowLimit}");
        }
        if (request.TimeoutSeconds is < 1 or > 600)
        {
            errors.Add("timeout_seconds", "timeout_seconds must be 1 to 600");
        }
        return errors;
    }

    public static string Location(DatabaseConnectionDto c) => $"postgres://{c.Host}:{c.Port ?? 5432}/{c.Database}";

    public static async Task<Result<long>> ReadIntoAsync(DuckDBConnection duck, DatabaseImportRequest request, CancellationToken ct)
    {
        var c = request.Connection!;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = c.Host, Port = c.Port ?? 5432, Database = c.Database, Username = c.Username, Password = c.Password,
            SslMode = c.SslMode is { } ssl ? Enum.Parse<SslMode>(ssl, ignoreCase: true) : SslMode.Prefer,
            Timeout = 10, CommandTimeout = request.TimeoutSeconds ?? 60, Pooling = false, ApplicationName = "astralytiq-import",
        };
        var limit = request.RowLimit ?? 1_000_000;
        try
        {
            await using var pg = new NpgsqlConnection(builder.ConnectionString);
            await pg.OpenAsync(ct).ConfigureAwait(false);
            await using var tx = await pg.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            await using (var setup = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {(request.TimeoutSeconds ?? 60) * 1000}", pg, tx))
            {
                await setup.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await using var command = new NpgsqlCommand(request.Query, pg, tx);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => (Name: reader.GetName(i), Type: DuckType(reader.GetDataTypeName(i)))).ToList();
            return await AppendAsync(duck, reader, columns, limit, "query", ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            // The server's own words (authentication failed, syntax error, read-only transaction, timeout).
            return ValidationError.For(ex is PostgresException ? "query" : "connection", "PostgreSQL: " + ex.Message);
        }
        catch (Exception ex) when (ex is TimeoutException or DbException or InvalidOperationException or System.Net.Sockets.SocketException or ArgumentException)
        {
            return ValidationError.For("connection", "could not read from PostgreSQL: " + ex.Message);
        }
    }

    /// <summary>
    /// Copies a database reader's rows into a new DuckDB table <c>imported</c> through the appender, each value
    /// converted to its column's type; a value that does not convert is refused naming its row and column.
    /// </summary>
    public static async Task<Result<long>> AppendAsync(DuckDBConnection duck, DbDataReader reader, List<(string Name, string Type)> columns, long limit, string field, CancellationToken ct)
    {
        if (columns.Count == 0)
        {
            return ValidationError.For(field, "the query returns no columns");
        }
        if (columns.Select(x => x.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != columns.Count)
        {
            return ValidationError.For(field, "the query returns two columns with the same name; give them aliases");
        }
        await DuckDb.ExecuteAsync(duck, "CREATE TEMP TABLE imported (" + string.Join(", ", columns.Select(x => $"{DuckDb.Identifier(x.Name)} {x.Type}")) + ")", ct).ConfigureAwait(false);
        long rows = 0;
        using var appender = duck.CreateAppender("imported");
        var values = new object?[columns.Count];
        while (rows < limit && await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            // The whole row is converted first: a bad value is refused before anything of the row is appended.
            for (var i = 0; i < columns.Count; i++)
            {
                var value = await reader.IsDBNullAsync(i, ct).ConfigureAwait(false) ? null : reader.GetValue(i);
                try
                {
                    values[i] = value is null ? null : Convert(value, columns[i].Type);
                }
                catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
                {
                    return ValidationError.For(field, $"row {rows + 1}, column {columns[i].Name}: '{value}' is not a {columns[i].Type.ToLowerInvariant()} as the column is declared");
                }
            }
            var row = appender.CreateRow();
            foreach (var value in values)
            {
                _ = value switch
                {
                    null => row.AppendNullValue(),
                    long l => row.AppendValue(l),
                    double d => row.AppendValue(d),
                    bool b => row.AppendValue(b),
                    DateOnly d => row.AppendValue(d),
                    DateTime t => row.AppendValue(t),
                    _ => row.AppendValue((string)value),
                };
            }
            row.EndRow();
            rows++;
        }
        return rows;
    }

    private static object Convert(object value, string type)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return type switch
        {
            "BIGINT" => System.Convert.ToInt64(value, invariant),
            "DOUBLE" => System.Convert.ToDouble(value, invariant),
            "BOOLEAN" => value is string text ? bool.Parse(text) : System.Convert.ToBoolean(value, invariant),
            "DATE" => value switch
            {
                DateOnly d => d,
                DateTime dt => DateOnly.FromDateTime(dt),
                _ => DateOnly.Parse(System.Convert.ToString(value, invariant)!, invariant),
            },
            "TIMESTAMP" => value switch
            {
                DateTimeOffset dto => dto.UtcDateTime,
                DateTime dt => dt,
                _ => DateTime.Parse(System.Convert.ToString(value, invariant)!, invariant,
                    System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
            },
            _ => value is byte[] bytes ? System.Convert.ToBase64String(bytes) : System.Convert.ToString(value, invariant)!,
        };
    }

    private static string DuckType(string postgresType) => postgresType switch
    {
        "smallint" or "integer" or "bigint" => "BIGINT",
        "real" or "double precision" => "DOUBLE",
        _ when postgresType.StartsWith("numeric", StringComparison.Ordinal) => "DOUBLE",
        "boolean" => "BOOLEAN",
        "date" => "DATE",
        _ when postgresType.StartsWith("timestamp", StringComparison.Ordinal) => "TIMESTAMP",
        _ => "VARCHAR",
    };
}
