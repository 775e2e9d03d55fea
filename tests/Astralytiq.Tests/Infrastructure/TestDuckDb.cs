using Astralytiq.Data.Engine;
using DuckDB.NET.Data;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// The in-process tests' DuckDB, shared as the server shares its own (ADR 0030): a connection per case, so a property's
/// hundred cases pay for one database, not a hundred (each costs about 13 ms of CPU and starts the engine's caches cold).
/// </summary>
internal static class TestDuckDb
{
    private static readonly SharedDuckDb Shared = new(new DataSettings
    {
        DuckDbTempDirectory = Path.Combine(Path.GetTempPath(), "astralytiq-tests-duckdb-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    });

    public static Task<DuckDBConnection> OpenAsync(CancellationToken ct = default) => Shared.OpenAsync(ct);
}
