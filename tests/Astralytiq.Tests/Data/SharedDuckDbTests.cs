using Astralytiq.Data.Engine;

namespace Astralytiq.Tests.Data;

/// <summary>The server's one DuckDB database (ADR 0030): what a unit of work creates is its own and goes with its connection.</summary>
public sealed class SharedDuckDbTests
{
    [Fact]
    public async Task Two_units_of_work_make_the_same_temporary_table_at_once_and_neither_sees_the_other_or_leaves_it_behind()
    {
        using var shared = new SharedDuckDb(new DataSettings { DuckDbTempDirectory = Path.Combine(Path.GetTempPath(), "astralytiq-shared-duckdb-" + Guid.NewGuid().ToString("N")) });
        await using var first = await shared.OpenAsync(CancellationToken.None);
        await using var second = await shared.OpenAsync(CancellationToken.None);
        await DuckDb.ExecuteAsync(first, "CREATE TEMP TABLE t AS SELECT * FROM range(3) r(v)", CancellationToken.None);
        await DuckDb.ExecuteAsync(second, "CREATE TEMP TABLE t AS SELECT * FROM range(5) r(v)", CancellationToken.None);
        Assert.Equal(3, await DuckDb.ScalarLongAsync(first, "SELECT count(*) FROM t", CancellationToken.None));
        Assert.Equal(5, await DuckDb.ScalarLongAsync(second, "SELECT count(*) FROM t", CancellationToken.None));

        await first.DisposeAsync();
        await second.DisposeAsync();
        await using var later = await shared.OpenAsync(CancellationToken.None);
        Assert.Equal(0, await DuckDb.ScalarLongAsync(later, "SELECT count(*) FROM duckdb_tables()", CancellationToken.None));
        // The engine's budget was set once, on the database every connection shares.
        Assert.Equal(2, await DuckDb.ScalarLongAsync(later, "SELECT current_setting('threads')", CancellationToken.None));
    }
}
