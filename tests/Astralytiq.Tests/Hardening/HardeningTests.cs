using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Data.Datasets;
using Astralytiq.Data.Datasets.Ingestion;
using Astralytiq.Data.Engine;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Tenancy;
using Astralytiq.Tests.Dashboards;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Hardening;

/// <summary>Hostile and awkward input handled in the platform: bounded, refused with the limit named, nothing kept.</summary>
public abstract class HardeningTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Deeply_nested_json_is_refused_naming_the_limit_and_nothing_is_kept()
    {
        var tenant = await Platform.NewTenantAsync();
        var temporary = Platform.WatchTemporaryFiles();
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000);
        var upload = await tenant.Admin.Datasets.UploadAsync(Text(deep), "deep.json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, upload.Status);
        Assert.Contains("nested more than 64 levels deep", Assert.Single(upload.Error!.Error.Details!).Message, StringComparison.Ordinal);
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);

        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text("a,b\n1,x\n"), "base.csv")).EnsureValue();
        var append = await tenant.Admin.Datasets.AppendRowsAsync(dataset.Id, "{\"a\":" + new string('[', 3_000) + new string(']', 3_000) + "}\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, append.Status);
        Assert.Equal("rows", Assert.Single(append.Error!.Error.Details!).Field);
        Assert.Equal(1, (await tenant.Admin.Datasets.GetAsync(dataset.Id)).EnsureValue().CurrentVersion);
        await temporary.AssertNoneLeftAsync();

        // At the limit it is read: nested objects become dotted columns ten levels down, deeper ones stay one column.
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "1" + new string('}', 63);
        var read = (await tenant.Admin.Datasets.UploadAsync(Text("[" + nested + "]"), "nested.json")).EnsureValue();
        Assert.Equal(string.Join(".", Enumerable.Repeat("a", 11)), Assert.Single(read.Schema).Name);
    }

    [Fact]
    public async Task An_api_answering_json_nested_past_the_limit_is_refused_with_the_reason_in_words()
    {
        var tenant = await Platform.NewTenantAsync();
        await using var api = new LocalJsonServer(path => path switch
        {
            "/deep" => "[{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}]",
            _ => "[{\"a\": 1,]",
        });
        var deep = await tenant.Admin.Datasets.ImportHttpAsync(new Contracts.Data.HttpImportRequest("deep", api.Url("/deep")));
        Assert.Equal("page 1 could not be read: its JSON is nested more than 64 levels deep", Assert.Single(deep.Error!.Error.Details!).Message);
        var broken = await tenant.Admin.Datasets.ImportHttpAsync(new Contracts.Data.HttpImportRequest("broken", api.Url("/broken")));
        Assert.Equal("page 1 could not be read: it is not valid JSON (line 1)", Assert.Single(broken.Error!.Error.Details!).Message);
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
    }

    [Fact]
    public async Task Predictions_from_values_at_the_edges_of_a_double_are_answered_or_refused()
    {
        var tenant = await Platform.NewTenantAsync();
        var data = await ML.MlData.UploadAsync(tenant.Admin, ML.MlData.Houses(120));
        var name = ML.MlData.Unique("edges");
        await ML.MlData.TrainAsync(tenant.Admin, new Contracts.ML.TrainModelRequest(name, data.Id, "regression", "price",
            Features: ["rooms", "area", "city", "noise"], Algorithm: "linear", Seed: 5));
        foreach (var area in new[] { double.MaxValue, -double.MaxValue, 1e300, double.Epsilon })
        {
            var row = new System.Text.Json.Nodes.JsonObject { ["rooms"] = 3, ["area"] = area, ["city"] = "Atlantis", ["noise"] = -1e-300 };
            var predicted = await tenant.Admin.Models.PredictAsync(name, new Contracts.ML.PredictRequest(row), explain: true);
            Assert.True(predicted.Status is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, $"{area}: {(int)predicted.Status} {predicted.Error?.Error.Message}");
        }
    }

    [Fact]
    public async Task A_transform_preview_that_multiplies_rows_past_what_it_can_count_in_time_is_stopped_at_the_limit()
    {
        var tenant = await Platform.NewTenantAsync();
        var rows = (await tenant.Admin.Datasets.UploadAsync(Text("k,v\n" + string.Concat(Enumerable.Range(0, 60_000).Select(i => $"1,{i}\n"))), "same-key.csv")).EnsureValue();
        // Joined with itself on a key every row shares: 3.6 billion rows to count.
        var steps = new[] { new Contracts.Data.TransformStepDto("join", DatasetId: rows.Id, On: [new Contracts.Data.JoinKeyDto("k", "k")], How: "inner") };
        var preview = await tenant.Admin.Datasets.PreviewTransformAsync(rows.Id, steps);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, preview.Status);
        Assert.StartsWith("the preview ran longer than 3 s and was stopped", Assert.Single(preview.Error!.Error.Details!).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_body_nested_past_the_limit_is_refused_naming_it()
    {
        var tenant = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Admin.AccessToken);
        var body = "{\"name\":\"x\",\"definition\":" + string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000) + "}";
        var response = await http.PostAsync(new Uri("api/v1/dashboards", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var envelope = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = envelope.RootElement.GetProperty("error").GetProperty("details")[0];
        Assert.Equal("the JSON is nested more than 64 levels deep", detail.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Versions_stored_at_once_from_the_same_plaintext_file_do_not_collide()
    {
        // Pipelines without steps store their source's cached plaintext as their output: several at once share one path.
        var tenant = await Platform.NewTenantAsync();
        var plaintext = Path.Combine(Path.GetTempPath(), $"shared-{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(plaintext, RandomNumberGenerator.GetBytes(16 << 20));
        try
        {
            var stores = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                await using var scope = Platform.Services.CreateAsyncScope();
                using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
                return await scope.ServiceProvider.GetRequiredService<DatasetFiles>().StoreAsync(tenant.Id, Guid.NewGuid(), Guid.NewGuid(), plaintext, CancellationToken.None);
            }));
            var stored = await Task.WhenAll(stores);
            Assert.Single(stored.Select(s => s.Sha256).Distinct());
            Assert.All(stored, s => Assert.True(s.StoredBytes > 16 << 20));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(plaintext)!, Path.GetFileName(plaintext) + "*.enc"));
        }
        finally
        {
            File.Delete(plaintext);
        }
    }

    [Fact]
    public async Task Wide_tables_long_names_and_control_characters_are_refused_before_the_engine_reads_them()
    {
        var tenant = await Platform.NewTenantAsync();
        var wide = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"c{i}")) + "\n" + string.Join(",", Enumerable.Range(0, 20_000)) + "\n";
        var refused = await tenant.Admin.Datasets.UploadAsync(Text(wide), "wide.csv");
        Assert.Equal("wide.csv has more than 4,096 columns; at most 4,096 are supported", Assert.Single(refused.Error!.Error.Details!).Message);

        var longName = await tenant.Admin.Datasets.UploadAsync(Text("[{\"" + new string('k', 10_000) + "\":1}]"), "long.json");
        Assert.Contains("at most 512 are supported", Assert.Single(longName.Error!.Error.Details!).Message, StringComparison.Ordinal);

        var nul = await tenant.Admin.Datasets.UploadAsync(Text("[{\"a\\u0000b\":1}]"), "nul.json");
        Assert.Contains("control character", Assert.Single(nul.Error!.Error.Details!).Message, StringComparison.Ordinal);
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);

        // Below the limit a wide table is read, and profiled (in passes the engine's memory allows).
        var thousand = string.Join(",", Enumerable.Range(0, 1_000).Select(i => $"c{i}")) + "\n"
            + string.Concat(Enumerable.Range(0, 50).Select(r => string.Join(",", Enumerable.Range(0, 1_000).Select(i => (i * r).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "\n"));
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text(thousand), "thousand.csv")).EnsureValue();
        var profile = (await tenant.Admin.Datasets.ProfileAsync(dataset.Id)).EnsureValue();
        Assert.Equal(1_000, profile.Columns.Count);
        Assert.Equal(49 * 999, ((JsonElement)profile.Columns[999].Max!).GetInt64());
    }

    [Fact]
    public async Task Utf16_and_windows_encoded_text_is_read_with_its_letters()
    {
        var tenant = await Platform.NewTenantAsync();
        const string text = "name,city\nJosé,Zürich\nRenée,Málaga\n";
        var utf16 = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]), "excel-unicode.csv")).EnsureValue();
        var windows = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text)), "excel-windows.csv")).EnsureValue();
        foreach (var dataset in new[] { utf16, windows })
        {
            Assert.Equal(new[] { "name", "city" }, dataset.Schema.Select(c => c.Name));
            var rows = (await tenant.Admin.Datasets.PreviewAsync(dataset.Id)).EnsureValue().Rows;
            Assert.Equal("Zürich", rows[0][1]?.ToString());
            Assert.Equal("Málaga", rows[1][1]?.ToString());
        }
    }

    [Fact]
    public async Task Sql_nested_deeper_than_json_usually_is_still_answered()
    {
        var tenant = await Platform.NewTenantAsync();
        // A hundred levels: over 200 levels of syntax tree in JSON (an object and an array per level), three times
        // JSON's usual 64. DuckDB binds deep nesting in more than linear time (200 levels took 230 ms alone, a hundred
        // 45 ms), and the test host's workspace limit is 3 s under the whole suite's load.
        var sql = "SELECT " + string.Concat(Enumerable.Repeat("(1 + ", 100)) + "1" + new string(')', 100) + " AS total";
        var result = (await tenant.Admin.Datasets.RunSqlAsync(sql)).EnsureValue();
        Assert.Equal(101, ((JsonElement)result.Values[0][0]!).GetInt32());

        var tooDeep = await tenant.Admin.Datasets.RunSqlAsync("SELECT " + string.Concat(Enumerable.Repeat("(1 + ", 2_000)) + "1" + new string(')', 2_000));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooDeep.Status);
        Assert.DoesNotContain("SET ", Assert.Single(tooDeep.Error!.Error.Details!).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_answers_are_never_cached_and_the_server_does_not_name_itself()
    {
        var client = Platform.NewClient();
        var registered = await client.RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail(), PlatformFixture.Password, "Cache Test", "Org " + Guid.NewGuid().ToString("N")[..8], null));
        var login = await client.LoginAsync(new LoginRequest(registered.Value!.User.Email, PlatformFixture.Password));
        var refresh = await client.RefreshAsync();
        var totp = await client.Account.SetupTotpAsync(new TotpSetupRequest(PlatformFixture.Password));
        var key = await client.ApiKeys.CreateAsync(new CreateApiKeyRequest("k", ["datasets:read"], null));
        var data = (await client.Datasets.UploadAsync(Text("day,region,amount\n2024-01-01,north,3\n"), "s.csv")).EnsureValue();
        var board = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("B", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        (await client.Tenant.UpdateAsync(new Astralytiq.Contracts.Tenancy.UpdateTenantRequest(null, null, null, null, new Dictionary<string, bool> { ["public_sharing"] = true }))).EnsureSuccess();
        var link = await client.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(Label: "site"));
        foreach (var (what, headers) in new[] { ("register", registered.Headers), ("login", login.Headers), ("refresh", refresh.Headers), ("totp", totp.Headers),
            ("api key", key.Headers), ("public link", link.Headers) })
        {
            Assert.True(headers.CacheControl?.NoStore == true, $"{what} answered without Cache-Control: no-store");
            Assert.Empty(headers.Server);
        }
        Assert.True(link.IsSuccess && key.IsSuccess && totp.IsSuccess && refresh.IsSuccess && login.IsSuccess);
    }

    [Theory]
    [InlineData(414, 9_000, 0)]
    [InlineData(431, 100, 40_000)]
    [InlineData(431, 100, 300_000)]
    public async Task Requests_the_server_cannot_parse_get_the_error_envelope(int status, int urlLength, int headerBytes)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Platform.BaseAddress.Host, Platform.BaseAddress.Port);
        var stream = tcp.GetStream();
        var request = new StringBuilder($"GET /api/v1/data/datasets?q={new string('x', urlLength)} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (var sent = 0; sent < headerBytes; sent += 1_000)
        {
            request.Append("X-Filler-").Append(sent).Append(": ").Append('y', 980).Append("\r\n");
        }
        request.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        }
        catch (IOException)
        {
            // the server may close while the rest is still being sent; its answer is already on the way
        }
        var answer = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();
        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nServer:", answer, StringComparison.OrdinalIgnoreCase);
        using var envelope = JsonDocument.Parse(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.Equal("BAD_REQUEST", envelope.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("aaaaaaaaaaaa")]
    [InlineData("passwordpassword")]
    [InlineData("123456789012")]
    [InlineData("correcthorse")]
    [InlineData("Rocketeers1234")]
    public async Task Weak_passwords_are_refused_at_registration(string password)
    {
        var response = await Platform.NewClient().RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail(), password, "Jo", "Rocketeers Ltd", null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("password", Assert.Single(response.Error!.Error.Details!).Field);
    }

    [Fact]
    public async Task A_retried_ingest_job_finds_the_dataset_its_crashed_attempt_stored_and_counts_it_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var jobId = Guid.CreateVersion7();
        var upload = Path.Combine(Platform.DataDir, "tmp", $"ingest-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(upload, "id,amount\n" + string.Concat(Enumerable.Range(1, 500).Select(i => $"{i},{i * 2}\n")));
        var work = new IngestWork(upload, "big.csv", new FileInfo(upload).Length, "sha", new ParseOptions("csv", null, null), "retried " + Guid.NewGuid().ToString("N")[..6], null);

        // The first attempt stores the dataset; its node dies before the job is marked done (the file stays).
        var first = await RunIngestAsync(tenant, jobId, work, attempt: 1, keepFile: true);
        var usage = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == "rows_ingested").Used;
        // The retry answers with that dataset: no "already exists", no second copy, no second count.
        var second = await RunIngestAsync(tenant, jobId, work, attempt: 2, keepFile: false);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(500, second.RowCount);
        Assert.Single((await tenant.Admin.Datasets.ListAsync(search: work.Name)).EnsureValue().Items);
        Assert.Equal(usage, (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == "rows_ingested").Used);
        Assert.False(File.Exists(upload));
    }

    [Fact]
    public async Task A_retried_transform_job_answers_with_the_version_its_crashed_attempt_stored()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = (await tenant.Admin.Datasets.UploadAsync(Text("n\n1\n2\n3\n"), "t.csv")).EnsureValue();
        var work = new Astralytiq.Data.Transforms.TransformWork(dataset.Id, 1, new Contracts.Data.TransformRequest(
            [new Contracts.Data.TransformStepDto("derive", Name: "twice", Expression: "n * 2")]));
        var jobId = Guid.CreateVersion7();
        async Task<Contracts.Data.TransformApplyResponse> AttemptAsync(int attempt)
        {
            await using var scope = Platform.Services.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenant.Id, tenant.AdminUser.Id);
            var job = scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Transforms.TransformJob>();
            return Assert.IsType<Contracts.Data.TransformApplyResponse>(await job.RunAsync(new ReplayedJobContext(jobId, tenant, attempt, work), CancellationToken.None));
        }
        var first = await AttemptAsync(1);
        // The node died before the job was marked done; the retry answers with the same version instead of a third.
        var second = await AttemptAsync(2);
        Assert.Equal((2, first.ContentSha256), (second.Version, second.ContentSha256));
        Assert.Equal(2, (await tenant.Admin.Datasets.GetAsync(dataset.Id)).EnsureValue().CurrentVersion);
        Assert.Equal(2, (await tenant.Admin.Datasets.ListVersionsAsync(dataset.Id)).EnsureValue().Count);
    }

    private async Task<Contracts.Data.DatasetResponse> RunIngestAsync(TestTenant tenant, Guid jobId, IngestWork work, int attempt, bool keepFile)
    {
        var copy = work.TempPath + ".kept";
        if (keepFile)
        {
            File.Copy(work.TempPath, copy);
        }
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenant.Id, tenant.AdminUser.Id);
        var job = scope.ServiceProvider.GetRequiredService<IngestJob>();
        var result = await job.RunAsync(new ReplayedJobContext(jobId, tenant, attempt, work), CancellationToken.None);
        if (keepFile)
        {
            File.Move(copy, work.TempPath);
        }
        return Assert.IsType<Contracts.Data.DatasetResponse>(result);
    }

    /// <summary>An attempt of a job, as the runner would hand it over (progress is not recorded).</summary>
    private sealed class ReplayedJobContext(Guid jobId, TestTenant tenant, int attempt, object work) : IJobContext
    {
        public Guid JobId => jobId;

        public Guid TenantId => tenant.Id;

        public Guid? UserId => tenant.AdminUser.Id;

        public int Attempt => attempt;

        public bool IsLastAttempt => attempt >= 3;

        public T Payload<T>() => (T)(object)work;

        public Task ReportProgressAsync(double fraction, string? message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

public sealed class HardeningTests_Sqlite(SqlitePlatform platform) : HardeningTests<SqlitePlatform>(platform);

public sealed class HardeningTests_Postgres(PostgresPlatform platform) : HardeningTests<PostgresPlatform>(platform);
