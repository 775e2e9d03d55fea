using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Data;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Properties;

/// <summary>A generated table: typed columns and rows (null is a missing value), rendered as CSV and JSON by the test itself.</summary>
public sealed record GeneratedTable(IReadOnlyList<(string Name, string Kind)> Columns, IReadOnlyList<object?[]> Rows)
{
    public string ToCsv()
    {
        var sb = new StringBuilder(string.Join(",", Columns.Select(c => c.Name))).Append('\n');
        foreach (var row in Rows)
        {
            sb.Append(string.Join(",", row.Select(Cell))).Append('\n');
        }
        return sb.ToString();

        static string Cell(object? v) => v switch
        {
            null => string.Empty,
            string s => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
            bool b => b ? "true" : "false",
            double d => d.ToString("0.0#####", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        };
    }

    public string ToJson(bool lines)
    {
        var objects = Rows.Select(row =>
        {
            var o = new JsonObject();
            for (var i = 0; i < Columns.Count; i++)
            {
                o[Columns[i].Name] = row[i] switch
                {
                    null => null,
                    double d => JsonValue.Create(Math.Round(d, 6)),
                    var v => JsonValue.Create(v),
                };
            }
            return o;
        }).ToList();
        return lines ? string.Join("\n", objects.Select(o => o.ToJsonString())) + "\n" : new JsonArray([.. objects]).ToJsonString();
    }

    /// <summary>The table as a one-sheet workbook with typed cells (numbers, booleans, inline text), written with the Open XML SDK.</summary>
    public byte[] ToXlsx(string sheetName = "Data") => XlsxWriter.Write(Columns.Select(c => c.Name).ToList(), Rows, sheetName);

    /// <summary>Each cell as the preview should show it.</summary>
    public IEnumerable<string> ExpectedRows() => Rows.Select(r => string.Join("|", r.Select(v => v switch
    {
        null => "∅",
        bool b => b ? "True" : "False",
        double d => Math.Round(d, 6).ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture),
    })));

    public override string ToString() => ToCsv();
}

public static class XlsxWriter
{
    public static byte[] Write(IReadOnlyList<string> header, IEnumerable<object?[]> rows, string sheetName = "Data")
    {
        using var stream = new MemoryStream();
        using (var document = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Create(stream, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook();
            var sheetPart = workbook.AddNewPart<DocumentFormat.OpenXml.Packaging.WorksheetPart>();
            var data = new DocumentFormat.OpenXml.Spreadsheet.SheetData();
            sheetPart.Worksheet = new DocumentFormat.OpenXml.Spreadsheet.Worksheet(data);
            var r = 1u;
            data.Append(Row(r++, header.Cast<object?>().ToArray()));
            foreach (var row in rows)
            {
                data.Append(Row(r++, row));
            }
            var sheets = workbook.Workbook.AppendChild(new DocumentFormat.OpenXml.Spreadsheet.Sheets());
            sheets.Append(new DocumentFormat.OpenXml.Spreadsheet.Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = sheetName });
        }
        return stream.ToArray();
    }

    private static DocumentFormat.OpenXml.Spreadsheet.Row Row(uint index, object?[] values)
    {
        var row = new DocumentFormat.OpenXml.Spreadsheet.Row { RowIndex = index };
        for (var i = 0; i < values.Length; i++)
        {
            var reference = (char)('A' + i) + index.ToString(CultureInfo.InvariantCulture);
            switch (values[i])
            {
                case null:
                    break;
                case bool b:
                    row.Append(new DocumentFormat.OpenXml.Spreadsheet.Cell { CellReference = reference, DataType = DocumentFormat.OpenXml.Spreadsheet.CellValues.Boolean, CellValue = new DocumentFormat.OpenXml.Spreadsheet.CellValue(b ? "1" : "0") });
                    break;
                case string s:
                    row.Append(new DocumentFormat.OpenXml.Spreadsheet.Cell(new DocumentFormat.OpenXml.Spreadsheet.InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(s) { Space = DocumentFormat.OpenXml.SpaceProcessingModeValues.Preserve }))
                    { CellReference = reference, DataType = DocumentFormat.OpenXml.Spreadsheet.CellValues.InlineString });
                    break;
                case double d:
                    row.Append(new DocumentFormat.OpenXml.Spreadsheet.Cell { CellReference = reference, CellValue = new DocumentFormat.OpenXml.Spreadsheet.CellValue(Math.Round(d, 6).ToString("R", CultureInfo.InvariantCulture)) });
                    break;
                default:
                    row.Append(new DocumentFormat.OpenXml.Spreadsheet.Cell { CellReference = reference, CellValue = new DocumentFormat.OpenXml.Spreadsheet.CellValue(Convert.ToString(values[i], CultureInfo.InvariantCulture)!) });
                    break;
            }
        }
        return row;
    }
}

public sealed record RuleCase(IReadOnlyList<long?> Values, long Min)
{
    public override string ToString() => $"min {Min}: [{string.Join(", ", Values.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "null"))}]";
}

public sealed class DataArbitraries
{
    // Quotes, delimiters, an embedded line break, unicode; text starts with a letter so no value reads as a number or date.
    private static readonly string[] TextPieces = [.. "abcXYZ ,;\"'\n|é漢-_.:/0123456789".Select(c => c.ToString()), "🙂", "👩‍🔬"];

    private static Gen<object?> Cell(string kind) => Gen.Frequency(
        (1, Gen.Constant<object?>(null)),
        (6, kind switch
        {
            "integer" => Gen.Choose(-1_000_000, 1_000_000).Select(i => (object?)((long)i * 1_000_003)),
            "decimal" => from whole in Gen.Choose(-100_000, 100_000)
                         from frac in Gen.Choose(1, 999_999)
                         select (object?)(whole + (Math.Sign(whole == 0 ? 1 : whole) * frac / 1_000_000.0)),
            "boolean" => Gen.Elements(true, false).Select(b => (object?)b),
            _ => Gen.Choose(0, 12).SelectMany(n => Gen.Elements(TextPieces).ArrayOf(n)).Select(ps => (object?)("s" + string.Concat(ps))),
        }));

    private static Gen<object?[]> Row(IReadOnlyList<string> kinds)
    {
        var row = Gen.Constant(Array.Empty<object?>());
        foreach (var kind in kinds)
        {
            row = row.SelectMany(cells => Cell(kind).Select(v => (object?[])[.. cells, v]));
        }
        return row;
    }

    public static Arbitrary<GeneratedTable> Tables() =>
        (from kinds in Gen.Elements("integer", "decimal", "boolean", "string").ListOf().Where(k => k.Count is >= 1 and <= 4)
         from rowCount in Gen.Choose(1, 15)
         from rows in Row(kinds).ArrayOf(rowCount)
         let columns = kinds.Select((k, i) => ($"c{i}_{k}", k)).ToList()
         // Every column has at least one value, so its type is determined by the data; no row is entirely
         // empty, since CSV and Excel cannot tell an empty row from no row (readers skip blank lines).
         where Enumerable.Range(0, columns.Count).All(i => rows.Any(r => r[i] is not null)) && rows.All(r => r.Any(v => v is not null))
         select new GeneratedTable(columns, rows)).ToArbitrary();

    public static Arbitrary<RuleCase> Rules() =>
        (from values in Gen.Frequency((1, Gen.Constant<long?>(null)), (5, Gen.Choose(-20, 20).Select(i => (long?)i))).ListOf().Where(v => v.Count is >= 1 and <= 30)
         from min in Gen.Choose(-10, 10)
         where values.Any(v => v is not null)
         select new RuleCase(values.ToList(), min)).ToArbitrary();
}

/// <summary>Helpers of the Data properties; each class below runs beside the others (a class runs its tests one after another).</summary>
public abstract class DataPropertyTest<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private TestTenant? _tenant;

    // One tenant for all cases of a property: the cases are independent datasets with unique names.
    protected async Task<TestTenant> TenantAsync() => _tenant ??= await Platform.NewTenantAsync();

    protected static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    protected static IEnumerable<string> Shown(DatasetPreviewResponse preview) => preview.Rows.Select(r => string.Join("|", r.Select(v => v switch
    {
        null => "∅",
        JsonElement { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonElement { ValueKind: JsonValueKind.Number } n => Math.Round(n.GetDouble(), 6).ToString("R", CultureInfo.InvariantCulture),
        JsonElement { ValueKind: JsonValueKind.True } => "True",
        JsonElement { ValueKind: JsonValueKind.False } => "False",
        JsonElement e => e.GetString(),
        var other => other.ToString(),
    })));

}

public abstract class DataProperties<TPlatform>(TPlatform platform) : DataPropertyTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    /// <summary>P16 through the API: uploads and previews a handful of tables (100 more cases run in process, <see cref="IngestProperties"/>).</summary>
    [Property(MaxTest = 8, Arbitrary = [typeof(DataArbitraries)])]
    public async Task P16_the_same_table_as_csv_xlsx_json_and_ndjson_becomes_the_same_dataset_through_the_api(GeneratedTable table)
    {
        var client = (await TenantAsync()).Admin;
        var expectedNames = table.Columns.Select(c => c.Name).ToList();
        var expectedTypes = table.Columns.Select(c => c.Kind).ToList();
        var files = new[]
        {
            (Encoding.UTF8.GetBytes(table.ToCsv()), "t.csv"),
            (table.ToXlsx(), "t.xlsx"),
            (Encoding.UTF8.GetBytes(table.ToJson(lines: false)), "t.json"),
            (Encoding.UTF8.GetBytes(table.ToJson(lines: true)), "t.ndjson"),
        };
        foreach (var (content, file) in files)
        {
            var upload = await client.Datasets.UploadAsync(new MemoryStream(content), file, name: "p16 " + Guid.NewGuid().ToString("N"));
            var dataset = upload.EnsureValue();
            Assert.Equal(expectedNames, dataset.Schema.Select(c => c.Name));
            Assert.Equal(expectedTypes, dataset.Schema.Select(c => c.Type));
            Assert.Equal(table.Rows.Count, dataset.RowCount);
            var preview = (await client.Datasets.PreviewAsync(dataset.Id, limit: 100)).EnsureValue();
            Assert.Equal(table.ExpectedRows(), Shown(preview));
        }
    }

    /// <summary>P15 through the API: a handful of uploads validated (100 more cases run in process, <see cref="IngestProperties"/>).</summary>
    [Property(MaxTest = 8, Arbitrary = [typeof(DataArbitraries)])]
    public async Task P15_validation_counts_exactly_the_rows_that_break_each_declared_rule_through_the_api(RuleCase rules)
    {
        var client = (await TenantAsync()).Admin;
        var csv = "v\n" + string.Concat(rules.Values.Select(v => (v?.ToString(CultureInfo.InvariantCulture) ?? string.Empty) + "\n"));
        var dataset = (await client.Datasets.UploadAsync(Bytes(csv), "v.csv", name: "p15 " + Guid.NewGuid().ToString("N"))).EnsureValue();

        var report = (await client.Datasets.ValidateAsync(dataset.Id,
            new ValidateDatasetRequest([new ColumnRuleDto("v", Required: true, Unique: true, Min: rules.Min)]))).EnsureValue();

        RuleOracle.Check(rules, report.Issues, report.Valid, report.Score);
    }

    [Property(MaxTest = 100)]
    public async Task P15_arbitrary_bytes_are_either_read_consistently_or_refused_with_422_and_nothing_kept(byte[] bytes, byte pick)
    {
        var client = (await TenantAsync()).Admin;
        var file = (pick % 4) switch { 0 => "x.csv", 1 => "x.json", 2 => "x.parquet", _ => "x.tsv" };
        var name = "p15b " + Guid.NewGuid().ToString("N");
        var response = await client.Datasets.UploadAsync(new MemoryStream(bytes), file, name: name);

        if (response.Status == HttpStatusCode.Created)
        {
            var dataset = response.EnsureValue();
            var preview = (await client.Datasets.PreviewAsync(dataset.Id, limit: 10_000)).EnsureValue();
            Assert.Equal(dataset.RowCount, preview.Rows.Count);
        }
        else
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.False(string.IsNullOrWhiteSpace(response.Error!.Error.Details!.Single().Message));
            Assert.DoesNotContain((await client.Datasets.ListAsync(search: name)).EnsureValue().Items, d => d.Name == name);
        }
    }
}

public sealed class DataProperties_Sqlite(SqlitePlatform platform) : DataProperties<SqlitePlatform>(platform);

public sealed class DataProperties_Postgres(PostgresPlatform platform) : DataProperties<PostgresPlatform>(platform);

public abstract class FreshnessProperties<TPlatform>(TPlatform platform) : DataPropertyTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Property]
    public async Task P38_query_results_are_never_stale_after_a_new_version(int[] initial, int[][] batches)
    {
        var client = (await TenantAsync()).Admin;
        var values = initial.Length == 0 ? new List<long> { 0 } : initial.Select(v => (long)v).ToList();
        var csv = "v\n" + string.Concat(values.Select(v => v.ToString(CultureInfo.InvariantCulture) + "\n"));
        var dataset = (await client.Datasets.UploadAsync(Bytes(csv), "v.csv", name: "p38 " + Guid.NewGuid().ToString("N"))).EnsureValue();
        var spec = new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "v", "total"), new QueryMeasureDto("count")]);

        async Task CheckAsync()
        {
            var result = (await client.Datasets.QueryAsync(dataset.Id, spec)).EnsureValue();
            Assert.Equal(values.Sum(), Convert.ToInt64(result.Values[0][0]?.ToString(), CultureInfo.InvariantCulture));
            Assert.Equal(values.Count, Convert.ToInt64(result.Values[1][0]?.ToString(), CultureInfo.InvariantCulture));
        }

        await CheckAsync();
        await CheckAsync(); // now cached for this version
        foreach (var batch in batches.Where(b => b is { Length: > 0 }).Take(3))
        {
            var ndjson = string.Concat(batch.Select(v => $"{{\"v\":{v.ToString(CultureInfo.InvariantCulture)}}}\n"));
            (await client.Datasets.AppendRowsAsync(dataset.Id, ndjson)).EnsureSuccess();
            values.AddRange(batch.Select(v => (long)v));
            await CheckAsync(); // the new version's answer, not the cached answer of the old one
        }
    }
}

[Properties(MaxTest = 100)]
public sealed class FreshnessProperties_Sqlite(SqlitePlatform platform) : FreshnessProperties<SqlitePlatform>(platform);

/// <summary>The property's hundred cases run on SQLite; on PostgreSQL, where only the storage differs, 25 (ADR 0021).</summary>
[Properties(MaxTest = 25)]
public sealed class FreshnessProperties_Postgres(PostgresPlatform platform) : FreshnessProperties<PostgresPlatform>(platform);

public abstract class LineageProperties<TPlatform>(TPlatform platform) : DataPropertyTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Property]
    public async Task P18_every_version_records_its_source_parent_actor_and_time(byte appends, bool useLatest, byte transforms)
    {
        var tenant = await TenantAsync();
        var client = tenant.Admin;
        var dataset = (await client.Datasets.UploadAsync(Bytes("v\n1\n"), "v.csv", name: "p18 " + Guid.NewGuid().ToString("N"))).EnsureValue();
        // Appends and transforms interleaved: each makes the next version from the one before.
        var kinds = Enumerable.Range(0, appends % 4).Select(_ => "append").Concat(Enumerable.Range(0, transforms % 3).Select(_ => "transform"))
            .OrderBy(k => (k.GetHashCode(StringComparison.Ordinal) ^ appends) & 1).ToList();
        var count = kinds.Count;
        for (var i = 0; i < count; i++)
        {
            if (kinds[i] == "append")
            {
                (await client.Datasets.AppendRowsAsync(dataset.Id, $"{{\"v\":{i}}}")).EnsureSuccess();
            }
            else
            {
                (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest([new TransformStepDto("derive", Name: "v", Expression: "v + 1")]))).EnsureValue();
            }
        }
        // A dataset derived from the first version hangs below it, and names it as its parent.
        var derived = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest([new TransformStepDto("limit", Rows: 1)], Version: 1,
            OutputName: "p18 derived " + Guid.NewGuid().ToString("N")))).EnsureValue();
        var consumer = Guid.NewGuid();
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            Assert.True((await scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Contracts.IDatasetLineage>()
                .RegisterUseAsync(dataset.Id, useLatest ? null : 1, "dashboard", consumer, "Board", CancellationToken.None)).IsSuccess);
        }

        var graph = (await client.Datasets.GetLineageAsync(dataset.Id)).EnsureValue();
        var versions = graph.Nodes.Where(n => n.Kind == "version").ToList();
        Assert.Equal(count + 1, versions.Count);
        DateTimeOffset? previous = null;
        for (var v = 1; v <= count + 1; v++)
        {
            var node = versions.Single(n => n.Id == $"version:{v}");
            // Every version: exactly one origin (a source, or the version it was made from), its actor and time, in order.
            var kind = v == 1 ? "upload" : kinds[v - 2];
            var origins = graph.Edges.Where(e => e.To == node.Id).Select(e => (e.From, e.Kind)).OrderBy(e => e.From, StringComparer.Ordinal).ToList();
            Assert.Equal(kind switch
            {
                "upload" => [("source:1", "upload")],
                "append" => [($"source:{v}", "append"), ($"version:{v - 1}", "append")],
                _ => [($"version:{v - 1}", "transform")],
            }, origins);
            Assert.Equal(kind == "transform" ? "derive" : null, node.Details.GetValueOrDefault("steps"));
            Assert.Equal(tenant.AdminUser.Id.ToString(), node.Details["created_by"]);
            var at = DateTimeOffset.Parse(node.Details["created_at"]!, CultureInfo.InvariantCulture);
            Assert.True(previous is null || at >= previous);
            previous = at;
        }
        Assert.Single(graph.Edges, e => e.To == $"dashboard:{consumer}" && e.From == $"version:{(useLatest ? count + 1 : 1)}");
        Assert.Single(graph.Edges, e => e.From == "version:1" && e.To == $"dataset:{derived.DatasetId}:v1" && e.Kind == "transform");
        var upstream = (await client.Datasets.GetLineageAsync(derived.DatasetId!.Value)).EnsureValue();
        Assert.Single(upstream.Edges, e => e.From == $"dataset:{dataset.Id}:v1" && e.To == "version:1");
    }
}

[Properties(MaxTest = 100)]
public sealed class LineageProperties_Sqlite(SqlitePlatform platform) : LineageProperties<SqlitePlatform>(platform);

/// <summary>The property's hundred cases run on SQLite; on PostgreSQL, where only the storage differs, 25 (ADR 0021).</summary>
[Properties(MaxTest = 25)]
public sealed class LineageProperties_Postgres(PostgresPlatform platform) : LineageProperties<PostgresPlatform>(platform);
