using System.ComponentModel.DataAnnotations;
using System.Numerics;

namespace Astralytiq.Data.Engine;

/// <summary>
/// In-process DuckDB, one in-memory database per unit of work. All SQL sent here is built by the
/// server: file paths are server-chosen and quoted, and user options are validated to fixed forms
/// before they are spliced in as quoted literals.
/// </summary>
internal static class DuckDb
{
    /// <summary>
    /// A database of its own, for a statement that must change the engine's settings (the SQL workspace locks its
    /// configuration and external access); every other unit of work connects to <see cref="SharedDuckDb"/>.
    /// </summary>
    public static async Task<DuckDBConnection> OpenAsync(DataSettings settings, CancellationToken ct)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(connection, Settings(settings), ct).ConfigureAwait(false);
        return connection;
    }

    /// <summary>The engine's memory limit, threads and spill directory, as one statement.</summary>
    public static string Settings(DataSettings settings) =>
        $"SET memory_limit = '{settings.DuckDbMemoryLimitMb}MB'; SET threads = {settings.DuckDbThreads}; SET temp_directory = {Literal(settings.DuckDbTempDirectory)};";

    public static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var interrupt = InterruptOn(command, ct);
        using var statement = DataTelemetry.Query("statement", sql);
        try
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (DuckDBException ex) when (ct.IsCancellationRequested)
        {
            statement.Failed(ex);
            throw new OperationCanceledException("The query was interrupted", ex, ct);
        }
        catch (DuckDBException ex)
        {
            statement.Failed(ex);
            throw;
        }
    }

    public static async Task<long> ScalarLongAsync(DuckDBConnection connection, string sql, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var interrupt = InterruptOn(command, ct);
        using var statement = DataTelemetry.Query("statement", sql);
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        catch (DuckDBException ex) when (ct.IsCancellationRequested)
        {
            statement.Failed(ex);
            throw new OperationCanceledException("The query was interrupted", ex, ct);
        }
        catch (DuckDBException ex)
        {
            statement.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// DuckDB runs a statement to its end on the calling thread whatever the token says: this interrupts it
    /// (duckdb_interrupt) when the token is cancelled, so a time limit or a client that left stops the work.
    /// </summary>
    public static CancellationTokenRegistration InterruptOn(DuckDBCommand command, CancellationToken ct) =>
        ct.CanBeCanceled ? ct.UnsafeRegister(static c => ((DuckDBCommand)c!).Cancel(), command) : default;

    /// <summary>A SQL string literal: single quotes doubled.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A SQL identifier: double quotes doubled.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The columns of a relation, typed the platform's way.</summary>
    public static async Task<List<ColumnDto>> DescribeAsync(DuckDBConnection connection, string relation, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DESCRIBE " + relation;
        using var traced = DataTelemetry.Query("describe", command.CommandText);
        using var interrupt = InterruptOn(command, ct);
        try
        {
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var columns = new List<ColumnDto>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                var type = reader.GetString(1);
                columns.Add(new ColumnDto(name, PlatformType(type), type, !string.Equals(reader.GetValue(2)?.ToString(), "NO", StringComparison.OrdinalIgnoreCase)));
            }
            return columns;
        }
        catch (DuckDBException ex) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("The query was interrupted", ex, ct);
        }
    }

    public static string PlatformType(string duckType)
    {
        var t = duckType.ToUpperInvariant();
        return t switch
        {
            "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT" or "UHUGEINT" => "integer",
            "FLOAT" or "DOUBLE" or "REAL" => "decimal",
            _ when t.StartsWith("DECIMAL", StringComparison.Ordinal) => "decimal",
            "BOOLEAN" => "boolean",
            "DATE" => "date",
            _ when t.StartsWith("TIMESTAMP", StringComparison.Ordinal) => "timestamp",
            _ => "string",
        };
    }

    /// <summary>A DuckDB value as JSON can carry it: numbers stay numbers where exact, dates become ISO text.</summary>
    /// <summary>
    /// One cell as a JSON value. A DECIMAL wider than .NET's decimal (more than 28 digits, as DECIMAL(38,0) made for
    /// huge JSON integers) is read as a whole number; a fractional one that wide cannot be read exactly and is refused
    /// by name (<see cref="WideDecimalException"/>, a 422) instead of failing the request.
    /// </summary>
    public static object? ReadJsonValue(System.Data.Common.DbDataReader reader, int ordinal) => ToJsonValue(ReadValue(reader, ordinal));

    /// <summary>Reads every remaining row of <paramref name="reader"/> as JSON-ready values (previews of datasets and transforms).</summary>
    public static async Task ReadJsonRowsAsync(System.Data.Common.DbDataReader reader, List<IReadOnlyList<object?>> rows, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = ReadJsonValue(reader, i);
            }
            rows.Add(row);
        }
    }

    /// <summary>One cell as its .NET value (null for NULL); a whole DECIMAL wider than .NET's decimal as a <see cref="BigInteger"/>.</summary>
    public static object? ReadValue(System.Data.Common.DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }
        try
        {
            return reader.GetValue(ordinal);
        }
        catch (OverflowException)
        {
            try
            {
                return reader.GetFieldValue<BigInteger>(ordinal);
            }
            catch (InvalidCastException)
            {
                throw new WideDecimalException(reader.GetName(ordinal));
            }
        }
    }

    public static object? ToJsonValue(object? value) => value switch
    {
        null or DBNull => null,
        string or bool or int or long or short or byte or sbyte or ushort or uint => value,
        ulong u => u <= long.MaxValue ? (long)u : u.ToString(CultureInfo.InvariantCulture),
        double d => double.IsFinite(d) ? d : d.ToString(CultureInfo.InvariantCulture),
        float f => float.IsFinite(f) ? f : f.ToString(CultureInfo.InvariantCulture),
        decimal m => m,
        BigInteger b => b >= long.MinValue && b <= long.MaxValue ? (long)b : b.ToString(CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        Guid g => g.ToString(),
        byte[] bytes => Convert.ToBase64String(bytes),
        // A struct, list or map: as JSON text, its infinities and NaNs as the strings JSON has for them.
        _ => JsonSerializer.Serialize(value, NestedValues),
    };

    private static readonly JsonSerializerOptions NestedValues = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        MaxDepth = 256,
    };
}

/// <summary>
/// The server's one in-memory DuckDB database (ADR 0030). Every unit of work (an ingest, an append, a transform, a
/// profile, a preview) gets a connection of its own to it: a connection costs about 0.01 ms where a new database
/// costs about 13 ms of CPU, and the engine's caches (the CSV sniffer's state machines, the function catalog) stay
/// warm, so a small upload reads in about 6 ms instead of 34. What a unit of work creates is connection-local
/// (<c>CREATE TEMP TABLE</c>/<c>TEMP VIEW</c>) and goes with its connection; the memory limit and the threads are the
/// server's budget for all of them. Only the SQL workspace, which locks its configuration and external access
/// down for a user's statement, opens a database of its own (<see cref="DuckDb.OpenAsync"/>).
/// </summary>
internal sealed class SharedDuckDb(DataSettings settings) : IDisposable
{
    private readonly Lock _gate = new();
    private DuckDBConnection? _root;

    /// <summary>A new connection to the shared database (its temporary objects are its own).</summary>
    public DuckDBConnection Connect()
    {
        lock (_gate)
        {
            if (_root is null)
            {
                var root = new DuckDBConnection("DataSource=:memory:");
                root.Open();
                using var command = root.CreateCommand();
                command.CommandText = DuckDb.Settings(settings);
                command.ExecuteNonQuery();
                _root = root;
            }
            var connection = _root.Duplicate();
            connection.Open();
            return connection;
        }
    }

    /// <summary>The same as <see cref="Connect"/>, for async paths; the first call creates the database.</summary>
    public Task<DuckDBConnection> OpenAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Connect());
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _root?.Dispose();
            _root = null;
        }
    }
}

/// <summary>The Data module's settings (<c>Astralytiq:Data</c>).</summary>
internal sealed class DataSettings
{
    /// <summary>Largest upload accepted, in bytes (default 2 GiB).</summary>
    [Range(1d, double.MaxValue)]
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    [Range(64, 1 << 20)]

    public int DuckDbMemoryLimitMb { get; set; } = 512;

    [Range(1, 1024)]

    public int DuckDbThreads { get; set; } = 2;

    /// <summary>Where DuckDB may spill; set from the data directory at start.</summary>
    public string DuckDbTempDirectory { get; set; } = string.Empty;

    [Range(1, 1_000_000)]

    public int MaxPreviewRows { get; set; } = 10_000;

    /// <summary>
    /// Hosts or addresses that database and HTTP imports may reach although they are private, loopback or
    /// link-local (operator setting; empty by default).
    /// </summary>
    public string[] NetworkAllowList { get; set; } = [];

    /// <summary>How long one page of an HTTP import may take.</summary>
    [Range(1, 3600)]
    public int HttpTimeoutSeconds { get; set; } = 30;

    /// <summary>How long an interactive query may run: a SQL workspace query, a transform preview.</summary>
    [Range(1, 86_400)]
    public int SqlTimeoutSeconds { get; set; } = 30;

    /// <summary>Largest batch of appended rows, in bytes.</summary>
    [Range(1d, double.MaxValue)]
    public long MaxAppendBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Uploads larger than this are read by a background job (202 with its id); smaller ones at once (201).</summary>
    [Range(0d, double.MaxValue)]
    public long AsyncIngestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Transforms of versions with more rows than this are applied by a background job (202 with its id).</summary>
    [Range(0d, double.MaxValue)]
    public long AsyncTransformRows { get; set; } = 2_000_000;

    /// <summary>Appended rows are stored as parts of a version; at this many parts the next append compacts them into one file.</summary>
    [Range(1, 10_000)]
    public int MaxVersionParts { get; set; } = 32;

    /// <summary>Largest size of the local plaintext cache of dataset versions, all tenants together (default 20 GiB).</summary>
    [Range(0d, double.MaxValue)]
    public long PlaintextCacheMaxBytes { get; set; } = 20L << 30;

    /// <summary>Reading one upload or appended batch may take this long, plus <see cref="ParseSecondsPerGiB"/> per GiB of it.</summary>
    [Range(1d, 604_800d)]
    public double ParseTimeoutSeconds { get; set; } = 60;

    [Range(0d, 1_000_000d)]

    public double ParseSecondsPerGiB { get; set; } = 600;

    /// <summary>Uploads and appended batches read at once, on the whole node (0: one per core, at least two).</summary>
    [Range(0, 1024)]
    public int ParseSlots { get; set; }

    /// <summary>Of those, how many one organisation may hold (0: half of them, at least one).</summary>
    [Range(0, 1024)]
    public int ParseSlotsPerTenant { get; set; }

    /// <summary>How long a request waits for a free slot before it is answered 503 with Retry-After.</summary>
    [Range(0, 3600)]
    public int ParseQueueSeconds { get; set; } = 60;
}

/// <summary>A value of a DECIMAL column with more digits than can be read exactly; the client is told to cast it.</summary>
internal sealed class WideDecimalException(string column)
    : Exception($"column '{column}' holds a decimal with more than 28 digits, which cannot be read exactly; cast it to DOUBLE or VARCHAR")
{
    public string Column { get; } = column;
}
