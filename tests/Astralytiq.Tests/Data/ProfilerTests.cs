using Astralytiq.Contracts.Data;
using Astralytiq.Data.Engine;
using DuckDB.NET.Data;

namespace Astralytiq.Tests.Data;

public sealed class ProfilerTests
{
    [Fact]
    public async Task Large_versions_are_profiled_with_estimates_close_to_the_truth_and_say_so()
    {
        var parquet = Path.Combine(Path.GetTempPath(), $"aq-profile-{Guid.NewGuid():N}.parquet");
        await using var duck = new DuckDBConnection("DataSource=:memory:");
        await duck.OpenAsync();
        try
        {
            // 1.1M rows: id unique, k with 1,000 values, the last 50,000 rows repeating earlier ones exactly.
            await DuckDb.ExecuteAsync(duck,
                $"COPY (SELECT i % 1050000 AS id, (i % 1050000) % 1000 AS k FROM range(1100000) r(i)) TO '{parquet}' (FORMAT parquet)", CancellationToken.None);
            ColumnDto[] schema = [new("id", "integer", "BIGINT", true), new("k", "integer", "BIGINT", true)];

            var (columns, rows, duplicates, _, approximate) = await Profiler.ProfileAsync(duck, parquet, schema, CancellationToken.None);

            Assert.True(approximate);
            Assert.Equal(1_100_000, rows);
            Assert.Equal(50_000, duplicates);
            Assert.Equal(1_050_000, columns[0].Distinct);
            Assert.Equal(1_000, columns[1].Distinct);
            Assert.InRange(columns[1].Quantiles!["p50"]!.Value, 480, 520);
            Assert.Equal(1_100_000, columns[0].Histogram!.Sum(b => b.Count));
        }
        finally
        {
            File.Delete(parquet);
        }
    }
}
