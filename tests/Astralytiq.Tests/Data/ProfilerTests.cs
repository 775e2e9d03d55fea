using System.Text.Json;
using Astralytiq.Contracts.Data;
using Astralytiq.Data.Engine;
using DuckDB.NET.Data;

namespace Astralytiq.Tests.Data;

public sealed class ProfilerTests
{
    private static async Task<T> WithParquetAsync<T>(string select, Func<DuckDBConnection, string, Task<T>> run)
    {
        var parquet = Path.Combine(Path.GetTempPath(), $"aq-profile-{Guid.NewGuid():N}.parquet");
        await using var duck = new DuckDBConnection("DataSource=:memory:");
        await duck.OpenAsync();
        try
        {
            await DuckDb.ExecuteAsync(duck, $"COPY ({select}) TO '{parquet}' (FORMAT parquet)", CancellationToken.None);
            return await run(duck, parquet);
        }
        finally
        {
            File.Delete(parquet);
        }
    }

    [Fact]
    public async Task Large_versions_are_profiled_with_estimates_close_to_the_truth_and_say_so()
    {
        // 1.1M rows: id with 1,050,000 values (the last 50,000 rows repeat earlier ones exactly), k with 1,000 values.
        ColumnDto[] schema = [new("id", "integer", "BIGINT", true), new("k", "integer", "BIGINT", true)];
        var (columns, rows, duplicates, _, approximate) = await WithParquetAsync(
            "SELECT i % 1050000 AS id, (i % 1050000) % 1000 AS k FROM range(1100000) r(i)",
            async (duck, parquet) => await Profiler.ProfileAsync(duck, ParquetSource.Single(parquet), schema, CancellationToken.None));

        Assert.True(approximate);
        Assert.Equal(1_100_000, rows);
        Assert.Equal(50_000, duplicates);
        // Distinct counts stay exact; only quantiles are estimated.
        Assert.Equal(1_050_000, columns[0].Distinct);
        Assert.Equal(1_000, columns[1].Distinct);
        Assert.InRange(columns[1].Quantiles!["p50"]!.Value, 480, 520);
        Assert.Equal(1_100_000, columns[0].Histogram!.Sum(b => b.Count));
    }

    [Fact]
    public async Task The_large_profile_matches_the_exact_one_except_for_sampled_quantiles()
    {
        // 1.2M rows: a unique id, a unique text, a 40-value category, text with 300,000 values, a decimal with gaps.
        const string select = """
            SELECT i AS id, 'u' || i::VARCHAR AS code, 'c' || (i % 40)::VARCHAR AS category,
                   'w' || ((i * 7919) % 300000)::VARCHAR AS word, CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 1000) / 8.0 END AS amount
            FROM range(1200000) r(i)
            """;
        ColumnDto[] schema =
        [
            new("id", "integer", "BIGINT", true), new("code", "string", "VARCHAR", true), new("category", "string", "VARCHAR", true),
            new("word", "string", "VARCHAR", true), new("amount", "decimal", "DOUBLE", true),
        ];
        var (large, exact) = await WithParquetAsync(select, async (duck, parquet) =>
        {
            var l = await Profiler.ProfileAsync(duck, ParquetSource.Single(parquet), schema, CancellationToken.None);
            await DuckDb.ExecuteAsync(duck, "DROP VIEW t", CancellationToken.None);
            var e = await Profiler.ProfileAsync(duck, ParquetSource.Single(parquet), schema, CancellationToken.None, forceExact: true);
            return (l, e);
        });

        Assert.True(large.Approximate);
        Assert.False(exact.Approximate);
        Assert.Equal(exact.Duplicates, large.Duplicates);
        Assert.Equal(0, large.Duplicates);
        Assert.Equal(exact.Correlations.Select(c => (c.ColumnA, c.ColumnB, Math.Round(c.Pearson ?? 0, 9))), large.Correlations.Select(c => (c.ColumnA, c.ColumnB, Math.Round(c.Pearson ?? 0, 9))));
        for (var i = 0; i < schema.Length; i++)
        {
            var (l, e) = (large.Columns[i], exact.Columns[i]);
            Assert.Equal((e.Name, e.Type, e.Count, e.Nulls), (l.Name, l.Type, l.Count, l.Nulls));
            Assert.Equal(Json(e.Min), Json(l.Min));
            Assert.Equal(Json(e.Max), Json(l.Max));
            Assert.Equal(Round(e.Mean), Round(l.Mean));
            Assert.Equal(Round(e.Std), Round(l.Std));
            Assert.Equal(Json(e.Histogram), Json(l.Histogram));
            Assert.Equal(Json(e.TopValues), Json(l.TopValues));
            Assert.Equal(e.Distinct, l.Distinct);
            foreach (var (level, value) in e.Quantiles ?? new Dictionary<string, double?>())
            {
                // From every k-th row: within 1 % of the column's range of the exact value.
                var range = Convert.ToDouble(Json(e.Max), System.Globalization.CultureInfo.InvariantCulture) - Convert.ToDouble(Json(e.Min), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(l.Quantiles![level]!.Value, value!.Value - (range / 100), value.Value + (range / 100));
            }
        }
    }

    private static string Json(object? value) => JsonSerializer.Serialize(value);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 6) : null;
}
