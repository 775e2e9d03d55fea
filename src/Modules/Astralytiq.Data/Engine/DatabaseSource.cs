using System.Data.Common;
using Astralytiq.Contracts.Data;
using Astralytiq.Platform.Errors;
using DuckDB.NET.Data;
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
            if (columns.Count == 0)
            {
                return ValidationError.For("query", "the query returns no columns");
            }
            if (columns.Select(x => x.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != columns.Count)
            {
                return ValidationError.For("query", "the query returns two columns with the same name; give them aliases");
            }
            await DuckDb.ExecuteAsync(duck, "CREATE TABLE imported (" + string.Join(", ", columns.Select(x => $"{DuckDb.Identifier(x.Name)} {x.Type}")) + ")", ct).ConfigureAwait(false);
            long rows = 0;
            using (var appender = duck.CreateAppender("imported"))
            {
                while (rows < limit && await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var row = appender.CreateRow();
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (await reader.IsDBNullAsync(i, ct).ConfigureAwait(false))
                        {
                            row.AppendNullValue();
                            continue;
                        }
                        switch (columns[i].Type)
                        {
                            case "BIGINT":
                                row.AppendValue(Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                                break;
                            case "DOUBLE":
                                row.AppendValue(Convert.ToDouble(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                                break;
                            case "BOOLEAN":
                                row.AppendValue(reader.GetBoolean(i));
                                break;
                            case "DATE":
                                row.AppendValue(DateOnly.FromDateTime(reader.GetDateTime(i)));
                                break;
                            case "TIMESTAMP":
                                row.AppendValue(reader.GetValue(i) is DateTimeOffset dto ? dto.UtcDateTime : reader.GetDateTime(i));
                                break;
                            default:
                                row.AppendValue(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                                break;
                        }
                    }
                    row.EndRow();
                    rows++;
                }
            }
            return rows;
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
