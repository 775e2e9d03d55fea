using System.Net;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Data;

public abstract class DatasetTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    // Quotes, an embedded newline and delimiter, unicode, a null, an extreme number, dates and timestamps.
    private const string Csv =
        "id,name,price,active,day,at\n" +
        "1,\"Ada, \"\"the\"\" first\",12.5,true,2024-01-31,2024-01-31 10:15:00\n" +
        "2,\"multi\nline\",-0.25,false,2023-12-01,2023-12-01 00:00:01\n" +
        "3,Zoë 🚀,1e300,true,,2022-06-30 23:59:59\n";

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private async Task<DatasetResponse> UploadCsvAsync(AstralytiqClient client, string? name = null) =>
        (await client.Datasets.UploadAsync(Text(Csv), "sales.csv", name: name ?? "sales " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();

    [Fact]
    public async Task Blanks_are_a_quality_finding_and_cost_the_score()
    {
        var tenant = await Platform.NewTenantAsync();
        // 100 rows: two blanks in a (2 %), one in b (1 %).
        var csv = "a,b,c\n" + string.Concat(Enumerable.Range(1, 100).Select(i => $"{(i is 10 or 20 ? "" : i)},{(i == 30 ? "" : "x" + i)},{i}\n"));
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(csv), "blanks.csv")).EnsureValue();
        var report = (await tenant.Admin.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest())).EnsureValue();
        var a = Assert.Single(report.Issues, i => i.Rule == "missing_values" && i.Column == "a");
        Assert.Equal(("info", 2L), (a.Severity, a.FailingRowCount));
        Assert.Equal([10L, 20L], a.SampleRowNumbers);
        Assert.Equal("a is empty in 2 of 100 rows (2%)", a.Message);
        Assert.Equal(1, Assert.Single(report.Issues, i => i.Rule == "missing_values" && i.Column == "b").FailingRowCount);
        Assert.DoesNotContain(report.Issues, i => i.Column == "c" && i.Rule == "missing_values");
        // Three of 300 cells are empty: 99 %, not 100.
        Assert.Equal(99.0, report.Score);
        Assert.True(report.Valid); // blanks are findings, not errors
    }

    [Fact]
    public async Task Saved_rules_are_checked_by_every_validation_of_every_version_and_bad_rules_change_nothing()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var dataset = (await client.Datasets.UploadAsync(Text("sku,qty\nA,1\nB,50\n"), "stock.csv")).EnsureValue();
        Assert.Empty((await client.Datasets.GetRulesAsync(dataset.Id)).EnsureValue().Columns);
        Assert.True((await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest())).EnsureValue().Valid);

        var rules = new DatasetRulesDto([new ColumnRuleDto("qty", Required: true, Max: 10), new ColumnRuleDto("sku", AllowedValues: ["A", "B", "C"])]);
        static string Json(DatasetRulesDto r) => System.Text.Json.JsonSerializer.Serialize(r);
        Assert.Equal(Json(rules), Json((await client.Datasets.SaveRulesAsync(dataset.Id, rules)).EnsureValue()));
        var report = (await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest())).EnsureValue();
        Assert.False(report.Valid);
        Assert.Equal([2L], Assert.Single(report.Issues, i => i.Severity == "error").SampleRowNumbers);
        // Rules of the request's own still win; a new version is checked against the saved ones.
        Assert.True((await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest([new ColumnRuleDto("qty", Max: 100)]))).EnsureValue().Valid);
        (await client.Datasets.AppendRowsAsync(dataset.Id, "[{\"sku\":\"Z\",\"qty\":3}]")).EnsureValue();
        var second = (await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest())).EnsureValue();
        Assert.Equal(2, second.Version);
        Assert.Equal(2, second.Issues.Count(i => i.Severity == "error"));

        // A rule on a column that does not exist, twice on one column, or a hole: 422 naming it, and the saved rules stay.
        var unknown = await client.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([new ColumnRuleDto("nope", Required: true)]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.Status);
        Assert.Equal("columns[0].name", Assert.Single(unknown.Error!.Error.Details!).Field);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([new ColumnRuleDto("qty"), new ColumnRuleDto("qty", Min: 1)]))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([null!]))).Status);
        var badPattern = await client.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([new ColumnRuleDto("sku", Pattern: "([")]));
        Assert.Equal("columns[0].pattern", Assert.Single(badPattern.Error!.Error.Details!).Field);
        Assert.Equal(Json(rules), Json((await client.Datasets.GetRulesAsync(dataset.Id)).EnsureValue()));
        // A viewer reads them but cannot change them; another tenant cannot see the dataset at all.
        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        Assert.Equal(2, (await viewer.Datasets.GetRulesAsync(dataset.Id)).EnsureValue().Columns.Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([]))).Status);
        var stranger = (await Platform.NewTenantAsync()).Admin;
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Datasets.GetRulesAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([]))).Status);
        // An empty list removes them.
        Assert.Empty((await client.Datasets.SaveRulesAsync(dataset.Id, new DatasetRulesDto([]))).EnsureValue().Columns);
        Assert.True((await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest() with { Version = 1 })).EnsureValue().Valid);
    }

    [Fact]
    public async Task The_sample_dataset_is_added_like_an_upload_of_the_shipped_file()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sample = Assert.Single((await client.Datasets.ListSamplesAsync()).EnsureValue());
        var added = await client.Datasets.AddSampleAsync(sample.Name);
        Assert.Equal(HttpStatusCode.Created, added.Status);
        var dataset = added.EnsureValue();
        Assert.Equal((sample.Title, (long)sample.Rows), (dataset.Name, dataset.RowCount));
        Assert.Equal(sample.Columns, dataset.Schema.Select(c => c.Name));
        Assert.Equal(["string", "date", "decimal", "integer", "string"], new[] { "order_id", "order_date", "amount", "units", "returned" }.Select(n => dataset.Schema.Single(c => c.Name == n).Type));
        // The shipped file, byte for byte: its hash is the generator's output's.
        var shipped = typeof(Astralytiq.Data.DataModule).Assembly.GetManifestResourceStream("Astralytiq.Data.Samples.retail-orders.csv")!;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(shipped)), dataset.Source.Sha256);
        // Its blanks are a finding, and its totals add up to the cent.
        var report = (await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest())).EnsureValue();
        Assert.Contains(report.Issues, i => i.Rule == "missing_values" && i.Column == "delivery_days");
        var total = (await client.Datasets.QueryAsync(dataset.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount")]))).EnsureValue();
        Assert.Equal(1_660_239.42, ((System.Text.Json.JsonElement)total.Values[0][0]!).GetDouble(), 6);

        // Added twice: 409 naming it; unknown: 404; a viewer may not add it; the audit log has it.
        Assert.Equal(HttpStatusCode.Conflict, (await client.Datasets.AddSampleAsync(sample.Name)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Datasets.AddSampleAsync("no_such_sample")).Status);
        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Datasets.AddSampleAsync(sample.Name)).Status);
        Assert.Contains((await client.Audit.ListAsync(action: "dataset.created")).EnsureValue().Items, e => e.ResourceId == dataset.Id.ToString());
    }

    [Fact]
    public async Task Sums_of_money_carry_no_binary_float_noise()
    {
        var tenant = await Platform.NewTenantAsync();
        var random = new Random(4);
        var amounts = Enumerable.Range(0, 5_000).Select(_ => random.Next(1, 500_000) / 100m).ToList();
        var csv = "amount\n" + string.Concat(amounts.Select(a => a.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(csv), "money.csv")).EnsureValue();
        Assert.Equal("DOUBLE", dataset.Schema[0].SourceType);
        var result = (await tenant.Admin.Datasets.QueryAsync(dataset.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount"), new QueryMeasureDto("avg", "amount")]))).EnsureValue();
        var sum = ((System.Text.Json.JsonElement)result.Values[0][0]!).GetDouble();
        var avg = ((System.Text.Json.JsonElement)result.Values[1][0]!).GetDouble();
        // The total of the cents, as the shortest number that reads back the same (9149994.609999876 once).
        Assert.Equal(((double)amounts.Sum()).ToString("R", System.Globalization.CultureInfo.InvariantCulture), sum.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((double)(amounts.Sum() / amounts.Count), avg, 9);
    }

    [Fact]
    public async Task Yes_no_columns_keep_their_words_and_true_false_columns_are_boolean()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text("answer,flag,short\nyes,true,Y\nno,False,n\nYes,TRUE,y\n"), "words.csv")).EnsureValue();
        Assert.Equal(["string", "boolean", "string"], dataset.Schema.Select(c => c.Type));
        var preview = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue();
        Assert.Equal(["yes", "no", "Yes"], preview.Rows.Select(r => r[0]!.ToString()));
        Assert.Equal(["True", "False", "True"], preview.Rows.Select(r => r[1]!.ToString()));
    }

    [Fact]
    public async Task Json_that_is_not_a_table_is_refused_naming_what_it_holds_and_an_empty_validate_body_means_the_defaults()
    {
        var tenant = await Platform.NewTenantAsync();
        foreach (var (json, found) in new[] { ("42", "a number"), ("\"just text\"", "a text value"), ("[1, 2, 3]", "a number inside the array"), ("[[1, 2]]", "an array inside the array") })
        {
            var refused = await tenant.Admin.Datasets.UploadAsync(Text(json), "not-a-table.json");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
            Assert.StartsWith($"not-a-table.json holds {found} (line 1) where a table was expected", Assert.Single(refused.Error!.Error.Details!).Message, StringComparison.Ordinal);
        }
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);

        // Appended rows are records too.
        var dataset = await UploadCsvAsync(tenant.Admin);
        var append = await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "7\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, append.Status);
        Assert.Contains("a number", Assert.Single(append.Error!.Error.Details!).Message, StringComparison.Ordinal);

        // No body at all: the current version, checked for quality problems only.
        using var http = Platform.NewHttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Admin.AccessToken);
        var validated = await http.PostAsync(new Uri($"api/v1/data/datasets/{dataset.Id}/validate", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
        Assert.Contains("\"version\":1", await validated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_upload_becomes_a_typed_dataset_whose_rows_read_back_exactly()
    {
        var tenant = await Platform.NewTenantAsync();
        var upload = await tenant.Admin.Datasets.UploadAsync(Text(Csv), "sales.csv", name: "Sales", description: "Q1");

        Assert.Equal(HttpStatusCode.Created, upload.Status);
        var dataset = upload.EnsureValue();
        Assert.Equal(("Sales", 1, 3L, 6), (dataset.Name, dataset.CurrentVersion, dataset.RowCount, dataset.ColumnCount));
        Assert.Equal(["integer", "string", "decimal", "boolean", "date", "timestamp"], dataset.Schema.Select(c => c.Type));
        Assert.Equal(("upload", "sales.csv", "csv"), (dataset.Source.Kind, dataset.Source.FileName, dataset.Source.Format));
        Assert.Equal(Encoding.UTF8.GetByteCount(Csv), dataset.Source.SizeBytes);

        var preview = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue();
        Assert.Equal(3, preview.Rows.Count);
        Assert.Equal("Ada, \"the\" first", preview.Rows[0][1]?.ToString());
        Assert.Equal("multi\nline", preview.Rows[1][1]?.ToString());
        Assert.Equal("Zoë 🚀", preview.Rows[2][1]?.ToString());
        Assert.Equal("2024-01-31", preview.Rows[0][4]?.ToString());
        Assert.Null(preview.Rows[2][4]);
        Assert.Equal("2024-01-31T10:15:00", preview.Rows[0][5]?.ToString());
        Assert.Equal(1e300, double.Parse(preview.Rows[2][2]!.ToString()!, System.Globalization.CultureInfo.InvariantCulture));

        var page = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, offset: 1, limit: 1)).EnsureValue();
        Assert.Equal(("2", 3L), (page.Rows.Single()[0]?.ToString(), page.TotalRows));
        Assert.Contains((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items, d => d.Id == dataset.Id);
        var version = Assert.Single((await tenant.Admin.Datasets.ListVersionsAsync(dataset.Id)).EnsureValue());
        Assert.Equal(64, version.ContentSha256.Length);
    }

    [Fact]
    public async Task The_profile_computes_each_statistic_exactly()
    {
        var tenant = await Platform.NewTenantAsync();
        const string csv = "x,y,cat,flag,note\n1,2,a,true,\n2,4,a,false,hello\n3,6,b,true,\n4,8,a,true,hello\n4,8,a,true,hello\n,10,c,,x\n";
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(csv), "p.csv")).EnsureValue();

        var profile = (await tenant.Admin.Datasets.ProfileAsync(dataset.Id)).EnsureValue();
        Assert.Equal((6L, 1L), (profile.RowCount, profile.DuplicateRows));
        var x = profile.Columns.Single(c => c.Name == "x");
        Assert.Equal(("integer", 5L, 1L, 4L), (x.Type, x.Count, x.Nulls, x.Distinct));
        Assert.Equal(1.0 / 6, x.NullShare, 12);
        Assert.Equal(("1", "4"), (x.Min?.ToString(), x.Max?.ToString()));
        Assert.Equal(2.8, x.Mean!.Value, 12);
        Assert.Equal(Math.Sqrt(6.8 / 4), x.Std!.Value, 12);
        Assert.Equal(3, x.Quantiles!["p50"]!.Value, 12);
        Assert.Equal(5, x.Histogram!.Sum(b => b.Count));
        Assert.Equal((1.0, 4.0), (x.Histogram![0].Lower, x.Histogram[^1].Upper));
        Assert.Equal(2, x.Histogram[^1].Count); // the two 4s land in the last bin

        var cat = profile.Columns.Single(c => c.Name == "cat");
        Assert.Equal("categorical", cat.Type);
        Assert.Equal(["a:4", "b:1", "c:1"], cat.TopValues!.Select(t => $"{t.Value}:{t.Count}"));
        Assert.Null(cat.Histogram);
        Assert.Equal((5L, 1L), (profile.Columns.Single(c => c.Name == "flag").Count, profile.Columns.Single(c => c.Name == "flag").Nulls));
        Assert.Equal(1.0, profile.Correlations.Single(c => c.ColumnA == "x" && c.ColumnB == "y").Pearson!.Value, 9);

        // Another tenant cannot profile it; a missing version is 404.
        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.ProfileAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Datasets.ProfileAsync(dataset.Id, version: 9)).Status);
    }

    [Fact]
    public async Task Validation_reports_each_broken_rule_with_counts_and_sample_rows()
    {
        var tenant = await Platform.NewTenantAsync();
        const string csv = "id,email,age,country,amount\n1,a@x.io,34,DE,10\n2,b@x.io,-5,FR,20\n2,not-an-email,40,XX,30\n4,,200,DE,n/a\n5,e@x.io,38,DE,50\n";
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(csv), "people.csv")).EnsureValue();
        var rules = new ValidateDatasetRequest(
        [
            new ColumnRuleDto("id", Type: "integer", Unique: true),
            new ColumnRuleDto("email", Required: true, Pattern: "[^@]+@[^@]+"),
            new ColumnRuleDto("age", Min: 0, Max: 120),
            new ColumnRuleDto("country", AllowedValues: ["DE", "FR"]),
            new ColumnRuleDto("zip", Required: true),
        ]);

        var report = (await tenant.Admin.Datasets.ValidateAsync(dataset.Id, rules)).EnsureValue();
        Assert.False(report.Valid);
        Assert.InRange(report.Score, 0, 99.9);
        string Find(string rule, string? column = null)
        {
            var issue = report.Issues.Single(i => i.Rule == rule && (column is null || i.Column == column));
            return $"{issue.Severity}:{issue.FailingRowCount}:{string.Join(',', issue.SampleRowNumbers)}";
        }
        Assert.Equal("error:2:2,3", Find("unique", "id"));
        Assert.Equal("error:1:4", Find("required", "email"));
        Assert.Equal("error:1:3", Find("pattern", "email"));
        Assert.Equal("error:1:2", Find("min", "age"));
        Assert.Equal("error:1:4", Find("max", "age"));
        Assert.Equal("error:1:3", Find("allowed_values", "country"));
        Assert.Equal("error", report.Issues.Single(i => i.Rule == "missing_column").Severity);
        Assert.Equal("warning:1:4", Find("mixed_types", "amount"));
        Assert.Equal("info:2:2,4", Find("outliers", "age"));
        Assert.DoesNotContain(report.Issues, i => i.Rule == "type");

        var clean = (await tenant.Admin.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest([new ColumnRuleDto("age", Type: "integer")]))).EnsureValue();
        Assert.True(clean.Valid);

        var badType = await tenant.Admin.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest([new ColumnRuleDto("age", Type: "float")]));
        Assert.Equal("columns[0].type", Assert.Single(badType.Error!.Error.Details!).Field);
        var badPattern = await tenant.Admin.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest([new ColumnRuleDto("email", Pattern: "(")]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badPattern.Status);
        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest())).Status);
    }

    [Fact]
    public async Task The_same_table_from_json_ndjson_and_parquet_reads_the_same()
    {
        var tenant = await Platform.NewTenantAsync();
        const string json = "[{\"id\":1,\"name\":\"a\",\"score\":1.5},{\"id\":2,\"name\":\"b\",\"score\":null}]";
        const string ndjson = "{\"id\":1,\"name\":\"a\",\"score\":1.5}\n{\"id\":2,\"name\":\"b\",\"score\":null}\n";
        var parquet = Path.Combine(Path.GetTempPath(), $"aq-{Guid.NewGuid():N}.parquet");
        await using (var duck = new DuckDBConnection("DataSource=:memory:"))
        {
            await duck.OpenAsync();
            using var command = duck.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM (VALUES (1, 'a', 1.5), (2, 'b', NULL)) t(id, name, score)) TO '{parquet}' (FORMAT parquet)";
            await command.ExecuteNonQueryAsync();
        }
        try
        {
            var fromJson = (await tenant.Admin.Datasets.UploadAsync(Text(json), "a.json")).EnsureValue();
            var fromNdjson = (await tenant.Admin.Datasets.UploadAsync(Text(ndjson), "b.ndjson")).EnsureValue();
            await using var file = File.OpenRead(parquet);
            var fromParquet = (await tenant.Admin.Datasets.UploadAsync(file, "c.parquet")).EnsureValue();

            foreach (var dataset in new[] { fromJson, fromNdjson, fromParquet })
            {
                Assert.Equal(["id", "name", "score"], dataset.Schema.Select(c => c.Name));
                Assert.Equal(["integer", "string", "decimal"], dataset.Schema.Select(c => c.Type));
                var rows = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows;
                Assert.Equal(["1|a|1.5", "2|b|"], rows.Select(r => string.Join('|', r.Select(v => v?.ToString()))));
            }
        }
        finally
        {
            File.Delete(parquet);
        }
    }

    [Theory]
    [InlineData("empty.csv", "", "has no")]
    [InlineData("header.csv", "a,b,c\n", "has no data rows")]
    [InlineData("ragged.csv", "a,b\n1,2\n3,4,5,6\n7\n", "line 3 has 4 fields where the header has 2")]
    [InlineData("garbage.parquet", "\u0001\u0002not parquet at all\u0000\u00ff", "could not be read")]
    [InlineData("records.json", "{\"not\": [\"records\"", "could not be read")]
    [InlineData("data.xyz", "a,b\n1,2\n", "format")]
    public async Task Unreadable_files_are_refused_with_a_clear_message_and_nothing_is_stored(string fileName, string content, string expected)
    {
        var tenant = await Platform.NewTenantAsync();
        var temporary = Platform.WatchTemporaryFiles();
        var response = await tenant.Admin.Datasets.UploadAsync(Text(content), fileName);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        var detail = Assert.Single(response.Error!.Error.Details!);
        Assert.Contains(expected, detail.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Platform.DataDir, detail.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ingest-", detail.Message, StringComparison.Ordinal);
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
        await temporary.AssertNoneLeftAsync();
    }

    [Fact]
    public async Task Excel_workbooks_are_read_by_sheet_and_hostile_ones_refused()
    {
        var tenant = await Platform.NewTenantAsync();
        var xlsx = Properties.XlsxWriter.Write(["city", "population", "capital"], [["Berlin", 3.7e6, true], ["Hamburg", 1.9e6, false]], "Cities");

        var dataset = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(xlsx), "cities.xlsx", sheet: "cities")).EnsureValue();
        Assert.Equal(["string", "integer", "boolean"], dataset.Schema.Select(c => c.Type));
        Assert.Equal(("xlsx", 2L), (dataset.Source.Format, dataset.RowCount));
        var rows = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows;
        Assert.Equal("Hamburg|1900000|False", string.Join("|", rows[1].Select(v => v?.ToString())));

        var noSheet = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(xlsx), "cities.xlsx", name: "c2", sheet: "Towns");
        Assert.Contains("'Cities'", Assert.Single(noSheet.Error!.Error.Details!).Message, StringComparison.Ordinal);
        var truncated = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(xlsx[..(xlsx.Length / 2)]), "half.xlsx");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, truncated.Status);

        // A zip bomb: one small archive whose sheet inflates a thousandfold. Refused before inflating it.
        using var bomb = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(bomb, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var w = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open()))
            {
                await w.WriteAsync("<workbook/>");
            }
            await using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", System.IO.Compression.CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                await sheet.WriteAsync(zeros);
            }
        }
        var refused = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(bomb.ToArray()), "bomb.xlsx");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("zip bomb", Assert.Single(refused.Error!.Error.Details!).Message, StringComparison.Ordinal);
        Assert.Single((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
    }

    [Fact]
    public async Task Large_json_integers_within_64_bits_keep_every_digit()
    {
        var tenant = await Platform.NewTenantAsync();
        var fits = (await tenant.Admin.Datasets.UploadAsync(Text("[{\"n\":-822522467560},{\"n\":9007199254740993}]"), "fits.json")).EnsureValue();
        Assert.Equal("integer", fits.Schema.Single().Type);
        Assert.Equal("9007199254740993", (await tenant.Admin.Datasets.PreviewAsync(fits.Id)).EnsureValue().Rows[1][0]?.ToString());
    }

    [Fact]
    public async Task Decimals_wider_than_dotnet_decimal_read_back_everywhere_and_fractional_ones_in_sql_are_refused_by_name()
    {
        // A Parquet DECIMAL(38,0) holding 10^30: wider than .NET's decimal; every reader must still answer.
        var tenant = await Platform.NewTenantAsync();
        var path = Path.Combine(Path.GetTempPath(), $"wide-{Guid.NewGuid():N}.parquet");
        using (var duck = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"COPY (SELECT CAST(n AS DECIMAL(38,0)) AS n FROM (VALUES ('1000000000000000000000000000000'), ('7')) t(n)) TO '{path}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        var wide = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(bytes), "wide.parquet")).EnsureValue();
        Assert.Equal("DECIMAL(38,0)", wide.Schema.Single().SourceType);
        var rows = (await tenant.Admin.Datasets.PreviewAsync(wide.Id)).EnsureValue().Rows;
        Assert.Equal(["1000000000000000000000000000000", "7"], rows.Select(r => r[0]?.ToString()));
        var profile = (await tenant.Admin.Datasets.ProfileAsync(wide.Id)).EnsureValue();
        Assert.Equal(2, profile.RowCount);
        var top = (await tenant.Admin.Datasets.RunSqlAsync($"SELECT max(n) AS m FROM \"{wide.Name}\"")).EnsureValue();
        Assert.Equal("1000000000000000000000000000000", top.Values[0][0]?.ToString());

        var fractional = await tenant.Admin.Datasets.RunSqlAsync("SELECT CAST('1234567890123456789012345678901.5' AS DECIMAL(38,1)) AS x");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fractional.Status);
        Assert.Contains("column 'x' holds a decimal with more than 28 digits", fractional.Error!.Error.Details![0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_files_are_read_by_a_job_whose_progress_the_client_follows()
    {
        var tenant = await Platform.NewTenantAsync();
        var temporary = Platform.WatchTemporaryFiles();
        var big = new StringBuilder("n,label\n");
        for (var i = 0; i < 40_000; i++)
        {
            big.Append(i).Append(",row ").Append(i).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(big.ToString());
        Assert.True(bytes.Length > 200_000);
        var dataset0Key = Guid.NewGuid().ToString("N");

        // Over HTTP: 202 with the job to follow.
        using (var http = Platform.NewHttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Admin.AccessToken);
            using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "big.csv" }, { new StringContent("Big raw"), "name" } };
            var accepted = await http.PostAsync(new Uri("/api/v1/data/datasets", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.StartsWith("/api/v1/jobs/", accepted.Headers.Location?.ToString(), StringComparison.Ordinal);
            var jobId = Guid.Parse(accepted.Headers.Location!.ToString()["/api/v1/jobs/".Length..]);
            var job = (await tenant.Admin.Jobs.WaitAsync(jobId, timeout: TimeSpan.FromSeconds(30))).EnsureValue();
            Assert.Equal((Contracts.Jobs.JobStatus.Succeeded, 1.0), (job.Status, job.Progress));
            Assert.Equal("40,000 rows stored", job.ProgressMessage);
        }

        // With an Idempotency-Key the large body is fingerprinted (not refused for size) and a repeat replays the 202.
        using (var http = Platform.NewHttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Admin.AccessToken);
            var large = Encoding.UTF8.GetBytes(big.ToString() + big.ToString()[8..]);
            Assert.True(large.Length > 1024 * 1024);
            async Task<HttpResponseMessage> SendAsync()
            {
                using var form = new MultipartFormDataContent("fixed-boundary") { { new ByteArrayContent(large), "file", "keyed.csv" }, { new StringContent("Keyed"), "name" } };
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/data/datasets", UriKind.Relative)) { Content = form };
                request.Headers.Add("Idempotency-Key", "upload-" + dataset0Key);
                return await http.SendAsync(request);
            }
            var first = await SendAsync();
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            var again = await SendAsync();
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        }

        // Through the client: it follows the job and returns the dataset.
        var dataset = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(bytes), "big.csv", name: "Big")).EnsureValue();
        Assert.Equal((40_000L, "Big"), (dataset.RowCount, dataset.Name));
        Assert.Equal("row 39999", (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, offset: 39_999, limit: 1)).EnsureValue().Rows.Single()[1]?.ToString());

        // A large file that cannot be read fails its job with the reason, keeps nothing, leaves no temporary file.
        var ragged = Encoding.UTF8.GetBytes(big.ToString() + "1,2,3\n");
        var failed = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(ragged), "ragged.csv", name: "Ragged");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.Status);
        Assert.Contains("line 40002 has 3 fields where the header has 2", failed.Error!.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items, d => d.Name == "Ragged");
        await temporary.AssertNoneLeftAsync();
    }

    [Fact]
    public async Task Nested_json_objects_become_dotted_columns()
    {
        var tenant = await Platform.NewTenantAsync();
        const string json = "[{\"id\":1,\"user\":{\"name\":\"a\",\"geo\":{\"lat\":1.5,\"lon\":2}},\"tags\":[\"x\",\"y\"]}," +
            "{\"id\":2,\"user\":{\"name\":\"b\",\"geo\":{\"lat\":3.5,\"lon\":4}},\"tags\":[]}]";
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(json), "nested.json")).EnsureValue();

        Assert.Equal(["id", "user.name", "user.geo.lat", "user.geo.lon", "tags"], dataset.Schema.Select(c => c.Name));
        Assert.Equal(["integer", "string", "decimal", "integer", "string"], dataset.Schema.Select(c => c.Type));
        var row = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows[1];
        Assert.Equal("2|b|3.5|4", string.Join("|", row.Take(4).Select(v => v?.ToString())));
    }

    [Fact]
    public async Task Previews_sort_and_filter_with_values_bound_never_spliced()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = await UploadCsvAsync(tenant.Admin);

        var byPrice = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, sort: "-price")).EnsureValue();
        Assert.Equal(["3", "1", "2"], byPrice.Rows.Select(r => r[0]?.ToString()));
        var active = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["active:eq:true", "price:lt:100"])).EnsureValue();
        Assert.Equal((1L, "1"), (active.TotalRows, active.Rows.Single()[0]?.ToString()));
        var dated = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["day:ge:2024-01-01"])).EnsureValue();
        Assert.Equal("1", dated.Rows.Single()[0]?.ToString());
        var text = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["name:contains:line", "day:not_null"])).EnsureValue();
        Assert.Equal("2", text.Rows.Single()[0]?.ToString());
        Assert.Equal(3, (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["name:ne:x' OR 1=1 --"])).EnsureValue().Rows.Count);
        Assert.Empty((await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["name:eq:x' OR '1'='1"])).EnsureValue().Rows);

        Assert.Equal("sort", Assert.Single((await tenant.Admin.Datasets.PreviewAsync(dataset.Id, sort: "nope")).Error!.Error.Details!).Field);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["price:lt:cheap"])).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["price;drop:eq:1"])).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, filters: ["price:like:1"])).Status);
    }

    [Fact]
    public async Task Typed_queries_aggregate_bucket_filter_and_are_cached_per_version()
    {
        var tenant = await Platform.NewTenantAsync();
        var rows = Enumerable.Range(0, 60).Select(i => (Cat: "c" + (i % 3), Day: new DateOnly(2024, 1 + (i % 4), 1 + (i % 20)), Amount: i * 1.5, Qty: i % 7)).ToList();
        var csv = "cat,day,amount,qty\n" + string.Concat(rows.Select(r => $"{r.Cat},{r.Day:yyyy-MM-dd},{r.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)},{r.Qty}\n"));
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(csv), "sales.csv")).EnsureValue();

        var spec = new QuerySpecDto(
            Dimensions: [new QueryDimensionDto("cat")],
            Measures: [new QueryMeasureDto("sum", "amount", "total"), new QueryMeasureDto("count"), new QueryMeasureDto("max", "qty")],
            Filters: [new QueryFilterDto("qty", "ge", "2")],
            Sort: [new QuerySortDto("total", Descending: true)]);
        var result = (await tenant.Admin.Datasets.QueryAsync(dataset.Id, spec)).EnsureValue();
        Assert.Equal(["cat", "total", "count", "max_qty"], result.Columns.Select(c => c.Name));
        Assert.Equal(["string", "decimal", "integer", "integer"], result.Columns.Select(c => c.Type));
        var expected = rows.Where(r => r.Qty >= 2).GroupBy(r => r.Cat)
            .Select(g => (Cat: g.Key, Total: g.Sum(r => r.Amount), Count: g.Count(), Max: g.Max(r => r.Qty))).OrderByDescending(g => g.Total).ToList();
        Assert.Equal(expected.Select(e => e.Cat), result.Values[0].Select(v => v?.ToString()));
        Assert.Equal(expected.Select(e => e.Total), result.Values[1].Select(v => double.Parse(v!.ToString()!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected.Select(e => (long)e.Count), result.Values[2].Select(v => long.Parse(v!.ToString()!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(result.Cached);
        Assert.True((await tenant.Admin.Datasets.QueryAsync(dataset.Id, spec)).EnsureValue().Cached);

        var monthly = (await tenant.Admin.Datasets.QueryAsync(dataset.Id, new QuerySpecDto(
            [new QueryDimensionDto("day", "month")], [new QueryMeasureDto("count")], Limit: 2))).EnsureValue();
        Assert.Equal(["2024-01-01", "2024-02-01"], monthly.Values[0].Select(v => v?.ToString()));
        Assert.Equal([15L, 15L], monthly.Values[1].Select(v => long.Parse(v!.ToString()!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(monthly.Truncated);

        async Task<string> FieldOf(QuerySpecDto bad) => Assert.Single((await tenant.Admin.Datasets.QueryAsync(dataset.Id, bad)).Error!.Error.Details!).Field;
        Assert.Equal("measures[0].column", await FieldOf(new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "cat")])));
        Assert.Equal("dimensions[0].bucket", await FieldOf(new QuerySpecDto([new QueryDimensionDto("qty", "month")])));
        Assert.Equal("measures[0].aggregation", await FieldOf(new QuerySpecDto(Measures: [new QueryMeasureDto("drop table", "qty")])));
        Assert.Equal("dimensions[0].column", await FieldOf(new QuerySpecDto([new QueryDimensionDto("x\"; DROP")])));
        Assert.Equal("dimensions", await FieldOf(new QuerySpecDto()));
        Assert.Equal("select", await FieldOf(new QuerySpecDto([new QueryDimensionDto("cat")], Select: ["qty"])));
        Assert.Equal("select[0]", await FieldOf(new QuerySpecDto(Select: ["nope"])));
        Assert.Equal("offset", await FieldOf(new QuerySpecDto(Select: ["qty"], Offset: -1)));
        // A null entry in any list is refused by its index (it once threw, a 500).
        Assert.Equal("sort[1]", await FieldOf(new QuerySpecDto(Measures: [new QueryMeasureDto("count")], Sort: [new QuerySortDto("count"), null!])));
        Assert.Equal("filters[0]", await FieldOf(new QuerySpecDto(Measures: [new QueryMeasureDto("count")], Filters: [null!])));
        Assert.Equal("measures[1]", await FieldOf(new QuerySpecDto(Measures: [new QueryMeasureDto("count"), null!])));
        Assert.Equal("dimensions[0]", await FieldOf(new QuerySpecDto([null!], [new QueryMeasureDto("count")])));

        // Rows themselves, in stored order, paged: every row once (duplicates included), nothing grouped.
        var paged = new List<string>();
        for (var offset = 0; offset < 60; offset += 25)
        {
            var page = (await tenant.Admin.Datasets.QueryAsync(dataset.Id, new QuerySpecDto(Select: ["cat", "qty"], Limit: 25, Offset: offset))).EnsureValue();
            Assert.Equal(offset + 25 < 60, page.Truncated);
            paged.AddRange(Enumerable.Range(0, page.RowCount).Select(r => $"{page.Values[0][r]}|{page.Values[1][r]}"));
        }
        Assert.Equal(rows.Select(r => $"{r.Cat}|{r.Qty}"), paged);
        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.QueryAsync(dataset.Id, spec)).Status);
    }

    [Fact]
    public async Task Appended_rows_are_stored_as_parts_read_in_order_everywhere_and_compacted()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var dataset = (await client.Datasets.UploadAsync(Text("n,s\n1,a\n2,b\n3,c\n"), "n.csv", name: "parts " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        for (var n = 4; n <= 6; n++)
        {
            (await client.Datasets.AppendRowsAsync(dataset.Id, $"{{\"n\":{n},\"s\":\"{(char)('a' + n - 1)}\"}}")).EnsureSuccess();
        }
        (await client.Datasets.AppendRowsAsync(dataset.Id, "{\"n\":2,\"s\":\"b\"}")).EnsureSuccess();

        // Four versions of parts: each append stored only its own rows.
        var versions = (await client.Datasets.ListVersionsAsync(dataset.Id)).EnsureValue().OrderBy(v => v.Version).ToList();
        Assert.Equal([1, 2, 3, 4, 5], versions.Select(v => v.Version));
        Assert.Equal([1, 2, 3, 4, 1], versions.Select(v => v.Parts));
        Assert.Equal([3L, 4, 5, 6, 7], versions.Select(v => v.RowCount));
        Assert.True(versions[1].StoredBytes < versions[0].StoredBytes + 100, "an append stores its part, not the dataset again");

        // Every reader sees the parts as one table, in order: preview, query, SQL, profile, validation, transforms.
        string Ns(DatasetPreviewResponse p) => string.Join(",", p.Rows.Select(r => r[0]?.ToString()));
        Assert.Equal("1,2,3,4,5,6", Ns((await client.Datasets.PreviewAsync(dataset.Id, version: 4)).EnsureValue()));
        Assert.Equal("1,2,3,4,5,6,2", Ns((await client.Datasets.PreviewAsync(dataset.Id)).EnsureValue()));
        Assert.Equal("6,5", Ns((await client.Datasets.PreviewAsync(dataset.Id, version: 4, sort: "-n", limit: 2)).EnsureValue()));
        var query = (await client.Datasets.QueryAsync(dataset.Id, new QuerySpecDto([], [new QueryMeasureDto("sum", "n"), new QueryMeasureDto("count")], Version: 4))).EnsureValue();
        Assert.Equal("21|6", string.Join("|", query.Values.Select(c => c[0]?.ToString())));
        var profile = (await client.Datasets.ProfileAsync(dataset.Id, 4)).EnsureValue();
        Assert.Equal((6L, 0L, 6L), (profile.RowCount, profile.DuplicateRows, profile.Columns[0].Distinct));
        Assert.Equal(versions.Take(4).Sum(v => v.StoredBytes), profile.StoredBytes);
        var report = (await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest([new ColumnRuleDto("n", Unique: true)], Version: 4))).EnsureValue();
        Assert.True(report.Valid);
        var sql = (await client.Datasets.RunSqlAsync($"SELECT count(*) AS c, sum(n) AS t FROM \"{dataset.Name}\"")).EnsureValue();
        Assert.Equal("7|23", string.Join("|", sql.Values.Select(v => v[0]?.ToString())));

        // The same steps over the parts (v4) and over the compacted file (v5) give the same bytes.
        TransformStepDto[] steps = [new("limit", Rows: 6), new("derive", Name: "twice", Expression: "n * 2")];
        var fromParts = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest(steps, Version: 4, OutputName: "from parts " + Guid.NewGuid().ToString("N")[..6]))).EnsureValue();
        var fromFile = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest(steps, Version: 5, OutputName: "from file " + Guid.NewGuid().ToString("N")[..6]))).EnsureValue();
        Assert.Equal(fromParts.ContentSha256, fromFile.ContentSha256);

        // Validation row numbers are positions in the version, across parts: the repeated 2 is row 7.
        var duplicate = (await client.Datasets.ValidateAsync(dataset.Id, new ValidateDatasetRequest([new ColumnRuleDto("n", Unique: true)]))).EnsureValue();
        Assert.Contains(duplicate.Issues, i => i.Rule == "unique" && i.SampleRowNumbers.Contains(7));
    }

    [Fact]
    public async Task Appended_rows_make_a_new_version_and_announce_it()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = await UploadCsvAsync(tenant.Admin);

        var appended = (await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id,
            "{\"id\":4,\"name\":\"new\",\"price\":2.5,\"active\":true,\"day\":\"2025-05-05\"}\n{\"id\":5,\"name\":\"newer\"}\n")).EnsureValue();
        Assert.Equal((2, 2L, 5L), (appended.Version, appended.AppendedRows, appended.RowCount));
        var current = (await tenant.Admin.Datasets.GetAsync(dataset.Id)).EnsureValue();
        Assert.Equal((2, 5L), (current.CurrentVersion, current.RowCount));
        Assert.Equal(dataset.Schema.Select(c => c.Type), current.Schema.Select(c => c.Type));
        var rows = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, sort: "id")).EnsureValue().Rows;
        Assert.Equal("4|new|2.5|True|2025-05-05", string.Join("|", rows[3].Take(5).Select(v => v?.ToString())));
        Assert.Null(rows[4][2]);
        Assert.Equal(3, (await tenant.Admin.Datasets.PreviewAsync(dataset.Id, version: 1)).EnsureValue().Rows.Count);
        Assert.Equal([2, 1], (await tenant.Admin.Datasets.ListVersionsAsync(dataset.Id)).EnsureValue().Select(v => v.Version));

        // Refused batches change nothing.
        Assert.Contains("unknown column(s): colour", Assert.Single((await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "{\"colour\":\"red\"}")).Error!.Error.Details!).Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "{\"id\":\"not a number\"}")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "this is not json")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "")).Status);
        Assert.Equal(2, (await tenant.Admin.Datasets.GetAsync(dataset.Id)).EnsureValue().CurrentVersion);
        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.AppendRowsAsync(dataset.Id, "{\"id\":9}")).Status);

        // The change went out through the Data module's outbox.
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Persistence.DataDbContext>();
        var sent = await db.Set<Astralytiq.Platform.Events.OutboxMessage>().AsNoTracking()
            .Where(m => m.Type == typeof(Astralytiq.Data.Contracts.DatasetChanged).FullName && m.Payload.Contains(dataset.Id.ToString())).SingleAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); sent.DispatchedAt is null && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            sent = await db.Set<Astralytiq.Platform.Events.OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == sent.Id);
        }
        Assert.NotNull(sent.DispatchedAt);
        Assert.Null(sent.LastError);
    }

    [Fact]
    public async Task The_sql_workspace_reads_the_tenants_datasets_and_nothing_else()
    {
        var tenant = await Platform.NewTenantAsync();
        var sales = (await tenant.Admin.Datasets.UploadAsync(Text("cat,amount\na,1.5\nb,2\na,3\n"), "s.csv", name: "Sales Q1")).EnsureValue();
        (await tenant.Admin.Datasets.UploadAsync(Text("cat,label\na,Apples\nb,Bananas\n"), "c.csv", name: "cats")).EnsureSuccess();
        var other = await Platform.NewTenantAsync();
        (await other.Admin.Datasets.UploadAsync(Text("secret\n42\n"), "x.csv", name: "their_secrets")).EnsureSuccess();

        var joined = (await tenant.Admin.Datasets.RunSqlAsync(
            "WITH totals AS (SELECT cat, sum(amount) AS total FROM \"Sales Q1\" GROUP BY cat) SELECT label, total FROM totals JOIN cats USING (cat) ORDER BY label")).EnsureValue();
        Assert.Equal(["label", "total"], joined.Columns.Select(c => c.Name));
        Assert.Equal(["Apples", "Bananas"], joined.Values[0].Select(v => v?.ToString()));
        Assert.Equal(["4.5", "2"], joined.Values[1].Select(v => Convert.ToDouble(v!.ToString(), System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["Sales Q1", "cats"], joined.Datasets.Order(StringComparer.Ordinal));
        Assert.True((await tenant.Admin.Datasets.RunSqlAsync("SELECT * FROM cats", limit: 1)).EnsureValue().Truncated);

        string[] escapes =
        [
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_parquet('" + Platform.DataDir + "/cache/**/*.parquet')",
            "COPY cats TO '/tmp/out.csv'",
            "ATTACH '/tmp/x.db' AS x",
            "INSTALL httpfs",
            "LOAD httpfs",
            "PRAGMA database_list",
            "SET enable_external_access = true",
            "SELECT * FROM their_secrets",
            "SELECT current_setting('allowed_paths')",
            "SELECT * FROM duckdb_settings()",
            "SELECT * FROM glob('/*')",
            "SELECT * FROM main.cats",
            "SELECT 1; SELECT 2",
            "DROP VIEW cats",
            "CREATE TABLE t AS SELECT 1",
            "SELECT 1\0; DROP VIEW cats",
            "SELECT '",
        ];
        foreach (var sql in escapes)
        {
            var refused = await tenant.Admin.Datasets.RunSqlAsync(sql);
            Assert.True(refused.Status == HttpStatusCode.UnprocessableEntity, $"{sql} answered {refused.Status}");
            Assert.DoesNotContain(Platform.DataDir, refused.Error!.Error.Details!.Single().Message, StringComparison.Ordinal);
        }
        Assert.Contains("unknown dataset 'their_secrets'", (await tenant.Admin.Datasets.RunSqlAsync("SELECT * FROM their_secrets")).Error!.Error.Details!.Single().Message, StringComparison.Ordinal);

        // A runaway query is stopped at the time limit (3 s in tests).
        var big = string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i}\n"));
        (await tenant.Admin.Datasets.UploadAsync(Text("n\n" + big), "n.csv", name: "numbers")).EnsureSuccess();
        var slow = await tenant.Admin.Datasets.RunSqlAsync("SELECT count(*) FROM numbers a, numbers b, numbers c, numbers d WHERE a.n + b.n + c.n + d.n = -1");
        Assert.Contains("ran longer than 3 s", slow.Error!.Error.Details!.Single().Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Datasets.GetAsync(sales.Id)).Status);
    }

    [Fact]
    public async Task Http_api_records_are_imported_page_by_page_and_private_addresses_refused()
    {
        var tenant = await Platform.NewTenantAsync();
        await using var server = new LocalJsonServer(path => path switch
        {
            "/orders" => "{\"data\":{\"items\":[{\"id\":1,\"city\":\"Berlin\"},{\"id\":2,\"city\":\"Köln\"}]},\"links\":{\"next\":\"/orders/2?page=2\"}}",
            "/orders/2" => "{\"data\":{\"items\":[{\"id\":3,\"city\":\"Bonn\"}]},\"links\":{\"next\":null}}",
            _ => "{}",
        });
        var port = server.Port;
        var seenAuth = server.Authorizations;

        var dataset = (await tenant.Admin.Datasets.ImportHttpAsync(new HttpImportRequest("Orders API", $"http://127.0.0.1:{port}/orders?key=secret",
            new Dictionary<string, string> { ["Authorization"] = "Bearer api-token" }, "data.items", "links.next"))).EnsureValue();
        Assert.Equal((3L, "http"), (dataset.RowCount, dataset.Source.Kind));
        Assert.Equal($"http://127.0.0.1:{port}/orders", dataset.Source.Location);
        Assert.Equal(["1|Berlin", "2|Köln", "3|Bonn"], (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows.Select(r => string.Join("|", r.Select(v => v?.ToString()))));
        Assert.All(seenAuth, a => Assert.Equal("Bearer api-token", a));

        // Not allow-listed: loopback by another name, private, link-local (cloud metadata), unspecified; other schemes.
        foreach (var bad in new[] { $"http://[::1]:{port}/orders", $"http://localhost:{port}/orders", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "file:///etc/passwd", "ftp://example.com/x" })
        {
            var refused = await tenant.Admin.Datasets.ImportHttpAsync(new HttpImportRequest("Bad", bad));
            Assert.True(refused.Status == HttpStatusCode.UnprocessableEntity, $"{bad} answered {refused.Status}");
        }
        Assert.Equal("records_path", Assert.Single((await tenant.Admin.Datasets.ImportHttpAsync(new HttpImportRequest("Wrong path", $"http://127.0.0.1:{port}/orders", RecordsPath: "nope"))).Error!.Error.Details!).Field);
        Assert.Single((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
    }

    [Fact]
    public async Task Lineage_shows_sources_versions_and_consumers_and_delete_protects_consumers()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = await UploadCsvAsync(tenant.Admin);
        (await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "{\"id\":9}")).EnsureSuccess();
        var modelId = Guid.NewGuid();
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            var lineage = scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Contracts.IDatasetLineage>();
            (await lineage.RegisterUseAsync(dataset.Id, 1, "model", modelId, "Churn model", CancellationToken.None)).EnsureSuccessForTest();
            Assert.False((await lineage.RegisterUseAsync(Guid.NewGuid(), null, "model", modelId, "x", CancellationToken.None)).IsSuccess);
        }

        var graph = (await tenant.Admin.Datasets.GetLineageAsync(dataset.Id)).EnsureValue();
        Assert.Contains(graph.Edges, e => e is { From: "source:1", To: "version:1", Kind: "upload" });
        Assert.Contains(graph.Edges, e => e is { From: "version:1", To: "version:2", Kind: "append" });
        Assert.Contains(graph.Edges, e => e.From == "version:1" && e.To == $"model:{modelId}" && e.Kind == "used_by");
        Assert.Equal("sales.csv", graph.Nodes.Single(n => n.Id == "source:1").Label);
        Assert.Equal("Churn model", graph.Nodes.Single(n => n.Kind == "consumer").Label);

        var refused = await tenant.Admin.Datasets.DeleteAsync(dataset.Id);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("Churn model", refused.Error!.Error.Details!.Single().Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Datasets.GetAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Datasets.DeleteAsync(dataset.Id, force: true)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Datasets.GetLineageAsync(dataset.Id)).Status);
    }

    [Fact]
    public async Task An_upload_breaking_its_declared_schema_is_refused_naming_row_and_column()
    {
        var tenant = await Platform.NewTenantAsync();
        ColumnRuleDto[] schema = [new("id", Type: "integer", Unique: true), new("email", Required: true)];

        var refused = await tenant.Admin.Datasets.UploadAsync(Text("id,email\n1,a@x.io\n2,\n2,c@x.io\n"), "people.csv", schema: schema);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var messages = refused.Error!.Error.Details!.Select(d => d.Message).ToList();
        Assert.Contains("row 2, column id: 2 row(s) share a id value with another row (unique)", messages);
        Assert.Contains("row 2, column email: email is empty in 1 row(s) (required)", messages); // data rows, the header not counted
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);

        var accepted = (await tenant.Admin.Datasets.UploadAsync(Text("id,email\n1,a@x.io\n2,b@x.io\n"), "people.csv", schema: schema)).EnsureValue();
        Assert.Equal(2, accepted.RowCount);
        var badSchema = await tenant.Admin.Datasets.UploadAsync(Text("id\n1\n"), "x.csv", name: "x", schema: [new ColumnRuleDto("id", Type: "float")]);
        Assert.Equal("schema.columns[0].type", Assert.Single(badSchema.Error!.Error.Details!).Field);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_and_nothing_is_stored()
    {
        var tenant = await Platform.NewTenantAsync();
        // UTF-8 text (with its accented letters) broken by one stray sequence: refused, not re-read as another encoding.
        var bytes = Encoding.UTF8.GetBytes("name,n\nZürich,1\nSão Paulo,2\n").Concat(new byte[] { 0xC3, 0x28, 0x2C, 0x32, 0x0A }).ToArray();
        var response = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(bytes), "bad.csv");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("unicode", Assert.Single(response.Error!.Error.Details!).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
    }

    [Fact]
    public async Task Bad_requests_are_refused_before_any_work()
    {
        var tenant = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Admin.AccessToken);
        var notMultipart = await http.PostAsync(new Uri("/api/v1/data/datasets", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notMultipart.StatusCode);

        using var noFile = new MultipartFormDataContent { { new StringContent("x"), "name" } };
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.PostAsync(new Uri("/api/v1/data/datasets", UriKind.Relative), noFile)).StatusCode);

        var badDelimiter = await tenant.Admin.Datasets.UploadAsync(Text("a;b\n1;2\n"), "x.csv", delimiter: ";;");
        Assert.Equal("delimiter", Assert.Single(badDelimiter.Error!.Error.Details!).Field);
        var semicolons = (await tenant.Admin.Datasets.UploadAsync(Text("a;b\n1;2\n"), "x.csv", delimiter: ";")).EnsureValue();
        Assert.Equal(["a", "b"], semicolons.Schema.Select(c => c.Name));
        var taken = await tenant.Admin.Datasets.UploadAsync(Text("a;b\n1;2\n"), "x.csv", delimiter: ";");
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.PreviewAsync(semicolons.Id, limit: 10_001)).Status);
    }

    [Fact]
    public async Task The_upload_body_is_documented_as_multipart_and_anonymous_uploads_get_401()
    {
        using var http = Platform.NewHttpClient();
        using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var body = doc.RootElement.GetProperty("paths").GetProperty("/api/v1/data/datasets").GetProperty("post").GetProperty("requestBody");
        var schema = body.GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        Assert.Equal("binary", schema.GetProperty("properties").GetProperty("file").GetProperty("format").GetString());
        Assert.True(schema.GetProperty("properties").TryGetProperty("delimiter", out _));

        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("a\n1\n")), "file", "a.csv" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri("/api/v1/data/datasets", UriKind.Relative), form)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri("/api/v1/data/datasets", UriKind.Relative), new StringContent("x"))).StatusCode);
    }

    [Fact]
    public async Task Stored_files_are_encrypted_with_the_tenant_key_and_decrypt_on_demand()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = await UploadCsvAsync(tenant.Admin);
        var blob = Directory.EnumerateFiles(Path.Combine(Platform.DataDir, "blobs", "tenants"), "*.parquet.enc", SearchOption.AllDirectories)
            .Single(p => p.Contains(dataset.Id.ToString("N"), StringComparison.Ordinal));
        var stored = await File.ReadAllBytesAsync(blob);
        Assert.Equal("AQE1"u8.ToArray(), stored[..4]);
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Zoë")));
        Assert.Equal(-1, stored.AsSpan().IndexOf("PAR1"u8));

        // Drop the plaintext cache: the next read decrypts the stored file again.
        // (this tenant's cache only: other tests share the host)
        foreach (var cached in Directory.EnumerateFiles(Path.Combine(Platform.DataDir, "cache"), "*.parquet", SearchOption.AllDirectories)
            .Where(p => p.Contains(tenant.Id.ToString("N"), StringComparison.Ordinal)))
        {
            File.Delete(cached);
        }
        var rows = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows;
        Assert.Equal("Zoë 🚀", rows[2][1]?.ToString());

        var versionIds = (await tenant.Admin.Datasets.ListVersionsAsync(dataset.Id)).EnsureValue().Select(v => v.Id.ToString("N")).ToList();
        (await tenant.Admin.Datasets.DeleteAsync(dataset.Id)).EnsureSuccess();
        // Gone for its users at once; its files are purged by a background job.
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Datasets.GetAsync(dataset.Id)).Status);
        // The purge job is queued by the DELETE itself.
        var queued = (await tenant.Admin.Jobs.ListAsync()).EnsureValue().Items.Single(j => j.Kind == "data.purge");
        var purge = (await tenant.Admin.Jobs.WaitAsync(queued.Id, timeout: TimeSpan.FromSeconds(30))).EnsureValue();
        Assert.Equal(Astralytiq.Contracts.Jobs.JobStatus.Succeeded, purge.Status);
        Assert.False(File.Exists(blob));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(Platform.DataDir, "cache"), "*.parquet", SearchOption.AllDirectories),
            p => versionIds.Any(v => p.Contains(v, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Other_tenants_see_nothing_and_viewers_read_but_do_not_write()
    {
        var owner = await Platform.NewTenantAsync();
        var dataset = await UploadCsvAsync(owner.Admin);
        var other = await Platform.NewTenantAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.GetAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.PreviewAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.ListVersionsAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.DeleteAsync(dataset.Id)).Status);
        Assert.DoesNotContain((await other.Admin.Datasets.ListAsync()).EnsureValue().Items, d => d.Id == dataset.Id);
        // The same name is free in another tenant.
        (await other.Admin.Datasets.UploadAsync(Text(Csv), "sales.csv", name: dataset.Name)).EnsureSuccess();

        var (viewer, _) = await Platform.AddUserAsync(owner, Role.Viewer);
        Assert.Equal(3, (await viewer.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows.Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Datasets.UploadAsync(Text(Csv), "v.csv")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Datasets.DeleteAsync(dataset.Id)).Status);
        Assert.Equal(HttpStatusCode.OK, (await owner.Admin.Datasets.GetAsync(dataset.Id)).Status);
    }
}

public sealed class DatasetTests_Sqlite(SqlitePlatform platform) : DatasetTests<SqlitePlatform>(platform);

public sealed class DatasetTests_Postgres(PostgresPlatform platform) : DatasetTests<PostgresPlatform>(platform)
{
    [Fact]
    public async Task A_postgres_query_is_imported_read_only_with_its_types()
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(PostgresPlatform.AdminConnectionString);
        var schema = "src_" + Guid.NewGuid().ToString("N")[..8];
        await using (var pg = new Npgsql.NpgsqlConnection(admin.ConnectionString))
        {
            await pg.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand(
                $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.orders (id int, name text, amount numeric(10,2), shipped date, at timestamptz, flag boolean);" +
                $"INSERT INTO {schema}.orders VALUES (1, 'Ada', 12.50, '2024-02-01', '2024-02-01 10:00:00+00', true), (2, NULL, 7.25, NULL, NULL, false), (3, 'Zoë', 1, '2024-03-01', NULL, NULL);", pg);
            await create.ExecuteNonQueryAsync();
        }
        var connection = new DatabaseConnectionDto(admin.Host, admin.Port, admin.Database, admin.Username, admin.Password, "disable");
        var tenant = await Platform.NewTenantAsync();

        var dataset = (await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("Orders", "postgres", connection,
            $"SELECT id, name, amount, shipped, at, flag FROM {schema}.orders ORDER BY id"))).EnsureValue();
        Assert.Equal(["integer", "string", "decimal", "date", "timestamp", "boolean"], dataset.Schema.Select(c => c.Type));
        Assert.Equal(("postgres", 3L), (dataset.Source.Kind, dataset.RowCount));
        Assert.StartsWith("postgres://", dataset.Source.Location, StringComparison.Ordinal);
        Assert.DoesNotContain(admin.Password ?? "\u0000", System.Text.Json.JsonSerializer.Serialize(dataset), StringComparison.Ordinal);
        var rows = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows;
        Assert.Equal("1|Ada|12.5|2024-02-01|2024-02-01T10:00:00|True", string.Join("|", rows[0].Select(v => v?.ToString())));
        Assert.Equal("Zoë", rows[2][1]?.ToString());

        var limited = (await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("Two", "postgres", connection, $"SELECT * FROM {schema}.orders", RowLimit: 2))).EnsureValue();
        Assert.Equal(2, limited.RowCount);

        // Writes are refused by the read-only transaction and change nothing; bad credentials are a clear 422.
        var write = await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("Gone", "postgres", connection, $"DELETE FROM {schema}.orders RETURNING *"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, write.Status);
        Assert.Contains("read-only", write.Error!.Error.Details!.Single().Message, StringComparison.Ordinal);
        // (CI's cluster trusts local connections, so a missing database stands in for bad credentials.)
        var wrong = await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("Nope", "postgres", connection with { Database = "no_such_database" }, "SELECT 1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.Status);
        Assert.Contains("no_such_database", wrong.Error!.Error.Details!.Single().Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("X", "mysql", connection, "SELECT 1"))).Status);
        // A host list would let a second, unvetted host through; private hosts not allow-listed are refused.
        var list = await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("L", "postgres", connection with { Host = "127.0.0.1,10.0.0.5" }, "SELECT 1"));
        Assert.Equal("connection.host", Assert.Single(list.Error!.Error.Details!).Field);
        var internalHost = await tenant.Admin.Datasets.ImportDatabaseAsync(new DatabaseImportRequest("I", "postgres", connection with { Host = "10.0.0.5" }, "SELECT 1"));
        Assert.Equal("connection.host", Assert.Single(internalHost.Error!.Error.Details!).Field);
        await using (var pg = new Npgsql.NpgsqlConnection(admin.ConnectionString))
        {
            await pg.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {schema}.orders; ", pg);
            Assert.Equal(3L, (long)(await count.ExecuteScalarAsync())!);
            await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", pg);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

internal static class ResultTestExtensions
{
    public static void EnsureSuccessForTest(this Astralytiq.Platform.Errors.Result<Astralytiq.Platform.Errors.Unit> result) =>
        Assert.True(result.IsSuccess, result.Error?.Message);
}
