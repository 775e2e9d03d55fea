using System.Globalization;
using System.Text;
using Astralytiq.Contracts.Data;
using Astralytiq.Data.Engine;
using Astralytiq.Platform.Errors;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

/// <summary>
/// The Data properties of pure reading logic, run in process against the module's own engine code (DuckDB, the Excel
/// reader, the validator): the bulk of their cases costs no HTTP round trip, upload or storage. A handful of cases of each
/// still goes through the API in <see cref="DataProperties{TPlatform}"/>.
/// </summary>
public sealed class IngestProperties : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("astralytiq-ingest-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Reads a file as an upload is read (format from its name) and answers the schema and every row as the preview shows it.</summary>
    private async Task<(IReadOnlyList<ColumnDto> Schema, long Rows, List<string> Shown)> ReadAsync(byte[] content, string fileName)
    {
        var input = Path.Combine(_directory, Guid.NewGuid().ToString("N") + Path.GetExtension(fileName));
        var output = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".parquet");
        await File.WriteAllBytesAsync(input, content);
        try
        {
            await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None);
            var options = new ParseOptions(Ingest.FormatFromFileName(fileName)!, null, null);
            var read = (await Ingest.ToParquetAsync(duck, input, output, options, fileName, CancellationToken.None)).Succeeded();
            using var command = duck.CreateCommand();
            command.CommandText = $"SELECT * FROM read_parquet({DuckDb.Literal(output)})";
            using var reader = await command.ExecuteReaderAsync();
            var shown = new List<string>();
            while (await reader.ReadAsync())
            {
                shown.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Shown(DuckDb.ReadJsonValue(reader, i)))));
            }
            return (read.Schema, read.RowCount, shown);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    /// <summary>A value as <see cref="DataPropertyTest{TPlatform}"/> shows a preview's JSON value.</summary>
    private static string Shown(object? value) => value switch
    {
        null => "∅",
        long or int or short => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => ((long)d).ToString(CultureInfo.InvariantCulture),
        double d => Math.Round(d, 6).ToString("R", CultureInfo.InvariantCulture),
        decimal m => Math.Round((double)m, 6).ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>P16 in process (100 cases; a handful more go through the API per database).</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(DataArbitraries)])]
    public async Task P16_the_same_table_as_csv_xlsx_json_and_ndjson_becomes_the_same_dataset(GeneratedTable table)
    {
        foreach (var (content, file) in new[]
        {
            (Encoding.UTF8.GetBytes(table.ToCsv()), "t.csv"),
            (table.ToXlsx(), "t.xlsx"),
            (Encoding.UTF8.GetBytes(table.ToJson(lines: false)), "t.json"),
            (Encoding.UTF8.GetBytes(table.ToJson(lines: true)), "t.ndjson"),
        })
        {
            var (schema, rows, shown) = await ReadAsync(content, file);
            Assert.Equal(table.Columns.Select(c => c.Name), schema.Select(c => c.Name));
            Assert.Equal(table.Columns.Select(c => c.Kind), schema.Select(c => c.Type));
            Assert.Equal(table.Rows.Count, rows);
            Assert.Equal(table.ExpectedRows(), shown);
        }
    }

    /// <summary>P15 in process (100 cases; a handful more go through the API per database).</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(DataArbitraries)])]
    public async Task P15_validation_counts_exactly_the_rows_that_break_each_declared_rule(RuleCase rules)
    {
        var csv = "v\n" + string.Concat(rules.Values.Select(v => (v?.ToString(CultureInfo.InvariantCulture) ?? string.Empty) + "\n"));
        var input = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".csv");
        var output = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".parquet");
        await File.WriteAllTextAsync(input, csv);
        try
        {
            await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None);
            var read = (await Ingest.ToParquetAsync(duck, input, output, new ParseOptions("csv", null, null), "v.csv", CancellationToken.None)).Succeeded();
            var run = (await Validator.RunAsync(duck, ParquetSource.Single(output), read.Schema,
                new ValidateDatasetRequest([new ColumnRuleDto("v", Required: true, Unique: true, Min: rules.Min)]), CancellationToken.None)).Succeeded();
            RuleOracle.Check(rules, run.Issues, !run.Issues.Any(i => i.Severity == "error"), run.Score);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }
}

/// <summary>P15's oracle: the failing rows of each rule, counted from the generated values independently of the server.</summary>
public static class RuleOracle
{
    public static void Check(RuleCase rules, IReadOnlyList<ValidationIssueDto> issues, bool valid, double score)
    {
        var rowsOf = rules.Values.Select((v, i) => (v, Row: i + 1L)).ToList();
        var nulls = rowsOf.Where(x => x.v is null).Select(x => x.Row).ToList();
        var below = rowsOf.Where(x => x.v < rules.Min).Select(x => x.Row).ToList();
        var repeated = rowsOf.Where(x => x.v is not null && rules.Values.Count(o => o == x.v) > 1).Select(x => x.Row).ToList();
        void Rule(string rule, List<long> expected)
        {
            var issue = issues.SingleOrDefault(i => i.Rule == rule && i.Column == "v");
            Assert.Equal(expected.Count, issue?.FailingRowCount ?? 0);
            Assert.Equal(expected.Take(5), issue?.SampleRowNumbers ?? []);
        }
        Rule("required", nulls);
        // Blanks are a finding of their own, declared rule or not, and cost the score.
        Rule("missing_values", nulls);
        Assert.True(nulls.Count == 0 || score < 100, $"score {score} with {nulls.Count} blank(s)");
        Rule("min", below);
        Rule("unique", repeated);
        Assert.Equal(nulls.Count + below.Count + repeated.Count == 0, valid);
        Assert.InRange(score, 0, 100);
    }
}

/// <summary>The value of a result the test expects to have succeeded, or a failure naming its error.</summary>
public static class ResultAssertions
{
    internal static T Succeeded<T>(this Result<T> result)
    {
        Assert.True(result.IsSuccess, result.Error is { } error
            ? error.Message + string.Concat((error.Details ?? []).Select(d => $"; {d.Field}: {d.Message}"))
            : null);
        return result.Value;
    }
}
