using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using FsCheck.Fluent;
using Limits = Astralytiq.Data.Engine.InputLimits;
using Astralytiq.Tests.Infrastructure;
using Astralytiq.Tests.Properties;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Hardening;

/// <summary>
/// P36: for any input to any parser or entry point that takes user data, the server (in its own process, so a
/// crash fails the case instead of the test run) answers within a bound, never with a 5xx, with either a
/// correct result or a 4xx in the error envelope; a refused input stores nothing and leaves no temporary file.
/// Pure-logic entry points (file formats, expressions, transform steps, query specs, schedules) run every case in
/// process against the module's own code (<see cref="HostileReading"/>, <see cref="HostileEngine"/>) and send their
/// first <see cref="ApiCases"/> to the server too; the rest (appends, predictions, dashboards, SQL, multipart
/// framing) send every case.
/// </summary>
public abstract class HostileInputProperties<TProcess>(TProcess server) : ProcessTest<TProcess>(server)
    where TProcess : ServerProcess
{
    /// <summary>An answer later than this is a hang.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(60);

    private HttpClient? _http;
    private Contracts.Client.AstralytiqClient? _client;
    private DatasetResponse? _base;
    private Guid? _dashboard;
    private string? _model;

    private async Task<HttpClient> HttpAsync()
    {
        if (_http is null)
        {
            var (client, _, token) = await Server.NewTenantAsync(AnswerBound);
            _client = client;
            _http = Server.NewHttpClient(AnswerBound);
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return _http;
    }

    /// <summary>A dashboard to schedule reports of (made once).</summary>
    private async Task<Guid> DashboardAsync()
    {
        if (_dashboard is null)
        {
            var dataset = await BaseAsync();
            var board = await _client!.Dashboards.CreateAsync(new Contracts.Dashboards.CreateDashboardRequest("Reports", new Contracts.Dashboards.DashboardDefinitionDto(
                [new Contracts.Dashboards.WidgetDto("n", "kpi", new Contracts.Dashboards.GridPositionDto(0, 0, 3, 2), "Rows",
                    new Contracts.Dashboards.WidgetSourceDto(dataset.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("count")])))])));
            _dashboard = board.EnsureValue().Id;
        }
        return _dashboard.Value;
    }

    /// <summary>A linear model over houses (rooms, area, city, noise → price), trained once, to predict with.</summary>
    private async Task<string> ModelAsync()
    {
        if (_model is null)
        {
            await HttpAsync();
            var data = await ML.MlData.UploadAsync(_client!, ML.MlData.Houses(120));
            var name = ML.MlData.Unique("p36");
            await ML.MlData.TrainAsync(_client!, new Contracts.ML.TrainModelRequest(name, data.Id, "regression", "price",
                Features: ["rooms", "area", "city", "noise"], Algorithm: "linear", Seed: 5));
            _model = name;
        }
        return _model;
    }

    private async Task<DatasetResponse> BaseAsync()
    {
        if (_base is null)
        {
            var http = await HttpAsync();
            var created = await http.PostAsync(new Uri("api/v1/data/datasets", UriKind.Relative), Upload(Encoding.UTF8.GetBytes(HostileGenerators.BaseCsv), "base.csv", "base"));
            _base = (await created.Content.ReadFromJsonAsync<DatasetResponse>(ApiJson.Options))!;
        }
        return _base;
    }

    public override async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sends one case and checks what every answer must be; the status and body for the property's own checks.</summary>
    private async Task<(HttpStatusCode Status, string Body)> SendAsync(string what, Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        var http = await HttpAsync();
        HttpResponseMessage response;
        try
        {
            response = await send(http);
        }
        catch (TaskCanceledException)
        {
            await Server.AssertAliveAsync(what);
            Assert.Fail($"No answer within {AnswerBound.TotalSeconds} s to {what}");
            throw;
        }
        catch (HttpRequestException ex)
        {
            await Server.AssertAliveAsync(what);
            Assert.Fail($"The connection failed for {what}: {ex.Message}");
            throw;
        }
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 500)
        {
            Assert.Fail($"{(int)response.StatusCode} for {what}: {body}\n{Server.Output}");
        }
        if ((int)response.StatusCode >= 400)
        {
            using var envelope = JsonDocument.Parse(body);
            var error = envelope.RootElement.GetProperty("error");
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("code").GetString()), $"an error without a code for {what}");
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), $"an error without a message for {what}");
            // The server's own files are never named to the client.
            Assert.DoesNotContain(Server.DataDir, body, StringComparison.Ordinal);
            Assert.DoesNotContain("ingest-", body, StringComparison.Ordinal);
        }
        Assert.True(Server.IsRunning, $"The server process died after {what}:\n{Server.Output}");
        return (response.StatusCode, body);
    }

    private async Task<int> DatasetCountAsync()
    {
        var page = await (await HttpAsync()).GetFromJsonAsync<Page<DatasetResponse>>(new Uri("api/v1/data/datasets?limit=1", UriKind.Relative), ApiJson.Options);
        return page!.Total;
    }

    /// <summary>An upload: read consistently (the preview has every row) or refused with nothing kept.</summary>
    private async Task UploadAsync(HostileCase file, string? query = null)
    {
        var before = await DatasetCountAsync();
        var name = "p36 " + Guid.NewGuid().ToString("N");
        var (status, body) = await SendAsync(file.ToString(), http =>
        {
            var form = Upload(file.Bytes, file.FileName, name);
            if (query is not null)
            {
                form.Add(new StringContent(query), "query");
            }
            return http.PostAsync(new Uri("api/v1/data/datasets", UriKind.Relative), form);
        });
        if (status == HttpStatusCode.Accepted)
        {
            var job = JsonSerializer.Deserialize<Contracts.Jobs.JobAcceptedResponse>(body, ApiJson.Options)!;
            var finished = await FinishedJobAsync(job.JobId);
            status = finished.Status == Contracts.Jobs.JobStatus.Succeeded ? HttpStatusCode.Created : HttpStatusCode.UnprocessableEntity;
            body = finished.Status == Contracts.Jobs.JobStatus.Succeeded ? finished.ResultJson! : finished.Error ?? string.Empty;
            Assert.NotEqual(string.Empty, body);
            Assert.DoesNotContain(Server.DataDir, body, StringComparison.Ordinal);
        }
        if (file.Depth > Limits.MaxJsonDepth)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Contains($"{Limits.MaxJsonDepth} levels", body, StringComparison.Ordinal);
        }
        if (status == HttpStatusCode.Created)
        {
            var dataset = JsonSerializer.Deserialize<DatasetResponse>(body, ApiJson.Options)!;
            var preview = await (await HttpAsync()).GetFromJsonAsync<DatasetPreviewResponse>(new Uri($"api/v1/data/datasets/{dataset.Id}/preview?limit=10000", UriKind.Relative), ApiJson.Options);
            Assert.Equal(dataset.RowCount, Math.Min(10_000, preview!.TotalRows));
            Assert.Equal(Math.Min(10_000, dataset.RowCount), preview.Rows.Count);
            Assert.All(dataset.Schema, c => Assert.DoesNotContain(c.Name, ch => char.IsControl(ch)));
        }
        else
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Equal(before, await DatasetCountAsync());
        }
        Assert.Empty(Server.TemporaryFiles());
    }

    private async Task<Contracts.Jobs.JobResponse> FinishedJobAsync(Guid id)
    {
        using var wait = new CancellationTokenSource(AnswerBound);
        while (true)
        {
            var job = (await (await HttpAsync()).GetFromJsonAsync<Contracts.Jobs.JobResponse>(new Uri($"api/v1/jobs/{id}", UriKind.Relative), ApiJson.Options, wait.Token))!;
            if (job.Status is Contracts.Jobs.JobStatus.Succeeded or Contracts.Jobs.JobStatus.DeadLettered or Contracts.Jobs.JobStatus.Failed or Contracts.Jobs.JobStatus.Cancelled)
            {
                return job;
            }
            await Task.Delay(25, wait.Token);
        }
    }

    /// <summary>
    /// Cases of each pure-logic property (file formats, expressions, steps, query specs, schedules) that also go through the
    /// API and the server process; every case runs in process against the module's own code.
    /// </summary>
    private const int ApiCases = 10;

    private int _apiCases;

    /// <summary>Whether this case also goes to the server: the first <see cref="ApiCases"/> of the property (xunit makes one instance a property).</summary>
    private bool ThroughTheApi() => _apiCases++ < ApiCases;

    /// <summary>
    /// One file-format case: read in process by the module's ingest engine (every case), and for the first
    /// <see cref="ApiCases"/> of the property also uploaded to the server in its own process. Reading a format is
    /// pure logic; the API cases keep checking the wiring, the status codes and that the server survives.
    /// </summary>
    private async Task ReadAsync(HostileCase file, string? query = null)
    {
        await HostileReading.InProcessAsync(file, query);
        if (ThroughTheApi())
        {
            await UploadAsync(file, query);
        }
    }

    [Property(Arbitrary = [typeof(Hostile.DelimitedTexts)])]
    public Task P36_delimited_text_is_read_or_refused_whatever_its_quotes_line_ends_encoding_and_width(HostileCase file) => ReadAsync(file);

    [Property(Arbitrary = [typeof(Hostile.JsonFiles)])]
    public Task P36_json_and_ndjson_are_read_or_refused_and_nesting_past_64_is_always_refused(HostileCase file) => ReadAsync(file);

    [Property(Arbitrary = [typeof(Hostile.Workbooks)])]
    public Task P36_workbooks_are_read_or_refused_whether_truncated_corrupted_bombed_or_lying(HostileCase file) => ReadAsync(file with { FileName = "x.xlsx" });

    [Property(Arbitrary = [typeof(Hostile.ParquetFiles)])]
    public Task P36_parquet_files_are_read_or_refused_whether_truncated_corrupted_or_nested_past_the_limit(HostileCase file) => ReadAsync(file);

    [Property(Arbitrary = [typeof(Hostile.SqliteFiles)])]
    public Task P36_sqlite_files_and_queries_are_read_or_refused_whatever_the_pages_or_the_sql((HostileCase File, string? Query) input) =>
        ReadAsync(input.File, input.Query);

    [Property(Arbitrary = [typeof(Hostile.JsonFiles)])]
    public async Task P36_appended_rows_are_added_or_refused_without_a_new_version(HostileCase batch)
    {
        var dataset = await BaseAsync();
        var before = await (await HttpAsync()).GetFromJsonAsync<DatasetResponse>(new Uri($"api/v1/data/datasets/{dataset.Id}", UriKind.Relative), ApiJson.Options);
        var (status, body) = await SendAsync("rows: " + batch, http => http.PostAsync(new Uri($"api/v1/data/datasets/{dataset.Id}/rows", UriKind.Relative),
            new ByteArrayContent(batch.Bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } }));
        var after = await (await HttpAsync()).GetFromJsonAsync<DatasetResponse>(new Uri($"api/v1/data/datasets/{dataset.Id}", UriKind.Relative), ApiJson.Options);
        if (status == HttpStatusCode.OK)
        {
            var appended = JsonSerializer.Deserialize<AppendRowsResponse>(body, ApiJson.Options)!;
            Assert.Equal(before!.CurrentVersion + 1, after!.CurrentVersion);
            Assert.Equal(before.RowCount + appended.AppendedRows, after.RowCount);
        }
        else
        {
            Assert.Equal(before!.CurrentVersion, after!.CurrentVersion);
        }
        if (batch.Depth > Limits.MaxJsonDepth)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        }
        Assert.Empty(Server.TemporaryFiles());
    }

    [Property(Arbitrary = [typeof(Hostile.Expressions)])]
    public async Task P36_expressions_are_computed_or_refused(string expression, bool asFilter)
    {
        var step = asFilter ? new JsonObject { ["op"] = "filter", ["expression"] = expression } : new JsonObject { ["op"] = "derive", ["name"] = "d", ["expression"] = expression };
        var request = new JsonObject { ["preview"] = true, ["steps"] = new JsonArray(step) };
        await HostileEngine.TransformAsync(request.ToJsonString());
        if (ThroughTheApi())
        {
            var dataset = await BaseAsync();
            await SendAsync("expression " + expression, http => http.PostAsync(new Uri($"api/v1/data/datasets/{dataset.Id}/transform", UriKind.Relative),
                new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json")));
        }
    }

    [Property(Arbitrary = [typeof(Hostile.QuerySpecs)])]
    public async Task P36_query_specs_are_answered_or_refused(HostileJson spec)
    {
        await HostileEngine.QueryAsync(spec.Json);
        if (!ThroughTheApi())
        {
            return;
        }
        var dataset = await BaseAsync();
        var (status, body) = await SendAsync(spec.ToString(), http => http.PostAsync(new Uri($"api/v1/data/datasets/{dataset.Id}/query", UriKind.Relative),
            new StringContent(spec.Json, Encoding.UTF8, "application/json")));
        if (status == HttpStatusCode.OK)
        {
            var result = JsonSerializer.Deserialize<QueryResultResponse>(body, ApiJson.Options)!;
            Assert.All(result.Values, column => Assert.Equal(result.RowCount, column.Count));
        }
    }

    [Property(Arbitrary = [typeof(Hostile.TransformSteps)])]
    public async Task P36_transform_steps_are_previewed_or_refused_and_store_nothing(HostileJson steps)
    {
        await HostileEngine.TransformAsync(steps.Json);
        if (!ThroughTheApi())
        {
            return;
        }
        var dataset = await BaseAsync();
        var before = await DatasetCountAsync();
        await SendAsync(steps.ToString(), http => http.PostAsync(new Uri($"api/v1/data/datasets/{dataset.Id}/transform", UriKind.Relative),
            new StringContent(steps.Json, Encoding.UTF8, "application/json")));
        Assert.Equal(before, await DatasetCountAsync());
        Assert.Equal(1, (await (await HttpAsync()).GetFromJsonAsync<DatasetResponse>(new Uri($"api/v1/data/datasets/{dataset.Id}", UriKind.Relative), ApiJson.Options))!.CurrentVersion);
    }

    [Property(Arbitrary = [typeof(Hostile.Schedules)])]
    public async Task P36_cron_expressions_and_time_zones_schedule_a_pipeline_or_are_refused(Schedule schedule)
    {
        var (cron, zone) = (schedule.Cron, schedule.Zone);
        HostileEngine.Schedule(cron, zone);
        if (!ThroughTheApi())
        {
            return;
        }
        var dataset = await BaseAsync();
        var request = new JsonObject
        {
            ["name"] = "p36 " + Guid.NewGuid().ToString("N")[..8],
            ["source"] = new JsonObject { ["kind"] = "dataset", ["dataset_id"] = dataset.Id.ToString() },
            ["output_name"] = "p36 out " + Guid.NewGuid().ToString("N")[..8],
            ["schedule"] = new JsonObject { ["cron"] = cron, ["time_zone"] = zone },
        };
        var (status, body) = await SendAsync($"cron '{cron}' in '{zone}'", http => http.PostAsync(new Uri("api/v1/data/pipelines", UriKind.Relative),
            new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json")));
        if (status == HttpStatusCode.Created)
        {
            // A schedule that is accepted has a next run.
            using var pipeline = JsonDocument.Parse(body);
            Assert.Equal(JsonValueKind.String, pipeline.RootElement.GetProperty("next_run_at").ValueKind);
        }

        // Scheduled reports read their cron and zone with code of their own.
        var report = new JsonObject
        {
            ["name"] = "p36 report",
            ["dashboard_id"] = (await DashboardAsync()).ToString(),
            ["cron"] = cron,
            ["time_zone"] = zone,
            ["formats"] = new JsonArray("csv"),
            ["recipients"] = new JsonArray(new JsonObject { ["email"] = "p36@example.com" }),
        };
        var (reportStatus, reportBody) = await SendAsync($"report cron '{cron}' in '{zone}'", http => http.PostAsync(new Uri("api/v1/reports", UriKind.Relative),
            new StringContent(report.ToJsonString(), Encoding.UTF8, "application/json")));
        if (reportStatus == HttpStatusCode.Created)
        {
            using var created = JsonDocument.Parse(reportBody);
            Assert.Equal(JsonValueKind.String, created.RootElement.GetProperty("next_run_at").ValueKind);
        }
    }

    [Property(Arbitrary = [typeof(Hostile.PredictionRows)])]
    public async Task P36_prediction_rows_are_scored_or_refused(HostileJson rows)
    {
        var model = await ModelAsync();
        var (status, body) = await SendAsync(rows.ToString(), http => http.PostAsync(new Uri($"api/v1/ml/models/{Uri.EscapeDataString(model)}/predict?explain=true", UriKind.Relative),
            new StringContent(rows.Json, Encoding.UTF8, "application/json")));
        if (status == HttpStatusCode.OK)
        {
            using var answer = JsonDocument.Parse(body);
            Assert.All(answer.RootElement.GetProperty("predictions").EnumerateArray(), p => Assert.NotEqual(JsonValueKind.Undefined, p.GetProperty("prediction").ValueKind));
        }
    }

    [Property(Arbitrary = [typeof(Hostile.Dashboards)])]
    public async Task P36_dashboard_definitions_are_saved_or_refused(HostileJson dashboard)
    {
        var dataset = await BaseAsync();
        var json = dashboard.Json.Replace("{dataset}", dataset.Id.ToString(), StringComparison.Ordinal);
        var (status, body) = await SendAsync(dashboard.ToString(), http => http.PostAsync(new Uri("api/v1/dashboards", UriKind.Relative),
            new StringContent(json, Encoding.UTF8, "application/json")));
        if (status == HttpStatusCode.Created)
        {
            // What was saved can be read back, and every widget of it answers (data or a refusal, never a 5xx).
            using var saved = JsonDocument.Parse(body);
            var id = saved.RootElement.GetProperty("id").GetString();
            foreach (var widget in saved.RootElement.GetProperty("definition").GetProperty("widgets").EnumerateArray())
            {
                await SendAsync("widget data of " + dashboard, http => http.GetAsync(new Uri($"api/v1/dashboards/{id}/widgets/{Uri.EscapeDataString(widget.GetProperty("id").GetString()!)}/data", UriKind.Relative)));
            }
        }
    }

    [Property(Arbitrary = [typeof(Hostile.SqlTexts)])]
    public async Task P36_sql_workspace_text_is_answered_or_refused_and_reaches_nothing_outside_the_tenant(string sql)
    {
        await BaseAsync();
        var (status, body) = await SendAsync("sql " + sql, http => http.PostAsJsonAsync(new Uri("api/v1/data/sql", UriKind.Relative), new SqlQueryRequest(sql, 100), ApiJson.Options));
        if (status == HttpStatusCode.OK)
        {
            Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
            Assert.DoesNotContain("/home", body, StringComparison.Ordinal);
        }
    }

    [Property(Arbitrary = [typeof(Hostile.MultipartBodies)])]
    public async Task P36_broken_multipart_framing_is_refused_and_leaves_nothing_behind((string ContentType, byte[] Body, string Label) input)
    {
        var before = await DatasetCountAsync();
        var (status, _) = await SendAsync(input.Label, http =>
        {
            var content = new ByteArrayContent(input.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
            return http.PostAsync(new Uri("api/v1/data/datasets", UriKind.Relative), content);
        });
        if (status != HttpStatusCode.Created)
        {
            Assert.Equal(before, await DatasetCountAsync());
        }
        Assert.Empty(Server.TemporaryFiles());
    }
}

/// <summary>A cron expression and a time zone to schedule with.</summary>
public sealed record Schedule(string Cron, string Zone);

/// <summary>One arbitrary per entry point (FsCheck picks arbitraries by type).</summary>
public static class Hostile
{
    public sealed class DelimitedTexts
    {
        public static FsCheck.Arbitrary<HostileCase> Cases() => HostileGenerators.DelimitedText();
    }

    public sealed class JsonFiles
    {
        public static FsCheck.Arbitrary<HostileCase> Cases() => HostileGenerators.Json();
    }

    public sealed class Workbooks
    {
        public static FsCheck.Arbitrary<HostileCase> Cases() => HostileGenerators.Workbooks();
    }

    public sealed class ParquetFiles
    {
        public static FsCheck.Arbitrary<HostileCase> Cases() => HostileGenerators.ParquetFiles();
    }

    public sealed class SqliteFiles
    {
        public static FsCheck.Arbitrary<(HostileCase File, string? Query)> Cases() => HostileGenerators.SqliteFiles();
    }

    public sealed class Expressions
    {
        public static FsCheck.Arbitrary<string> Texts() => HostileGenerators.Expressions();
    }

    public sealed class QuerySpecs
    {
        public static FsCheck.Arbitrary<HostileJson> Specs() => HostileGenerators.QuerySpecs();
    }

    public sealed class TransformSteps
    {
        public static FsCheck.Arbitrary<HostileJson> Steps() => HostileGenerators.TransformSteps();
    }

    public sealed class Dashboards
    {
        public static FsCheck.Arbitrary<HostileJson> Definitions() => HostileGenerators.Dashboards();
    }

    public sealed class Schedules
    {
        public static FsCheck.Arbitrary<Schedule> Cases() =>
            (from cron in HostileGenerators.Crons().Generator
             from zone in HostileGenerators.TimeZone()
             select new Schedule(cron, zone)).ToArbitrary();
    }

    public sealed class PredictionRows
    {
        public static FsCheck.Arbitrary<HostileJson> Rows() => HostileGenerators.PredictionRows();
    }

    public sealed class SqlTexts
    {
        public static FsCheck.Arbitrary<string> Texts() => HostileGenerators.Sql();
    }

    public sealed class MultipartBodies
    {
        public static FsCheck.Arbitrary<(string ContentType, byte[] Body, string Label)> Bodies() => HostileGenerators.Multipart();
    }
}

[Collection(SqliteServerProcess.Name)]
[Properties(MaxTest = 100)]
public sealed class HostileInputProperties_Sqlite(ServerProcess server) : HostileInputProperties<ServerProcess>(server);

/// <summary>Each of P36's properties runs its hundred cases against the SQLite server; against PostgreSQL, 25 (ADR 0021).</summary>
[Collection(PostgresServerProcessCollection.Name)]
[Properties(MaxTest = 25)]
public sealed class HostileInputProperties_Postgres(PostgresServerProcess server) : HostileInputProperties<PostgresServerProcess>(server);

/// <summary>P36's reading of one file in process, held to what an upload of it must give: rows read back whole, or a refusal in words.</summary>
internal static class HostileReading
{
    public static async Task InProcessAsync(HostileCase file, string? query)
    {
        var format = Astralytiq.Data.Engine.Ingest.FormatFromFileName(file.FileName);
        Assert.NotNull(format);
        var directory = Directory.CreateTempSubdirectory("astralytiq-p36-").FullName;
        try
        {
            var input = Path.Combine(directory, "input" + Path.GetExtension(file.FileName));
            var output = Path.Combine(directory, "output.parquet");
            await File.WriteAllBytesAsync(input, file.Bytes);
            var settings = new Astralytiq.Data.Engine.DataSettings();
            var limit = Limits.ParseTimeout(settings, file.Bytes.Length);
            using var timeout = new CancellationTokenSource(limit);
            Astralytiq.Platform.Errors.Result<Astralytiq.Data.Engine.IngestResult> read;
            await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(timeout.Token);
            try
            {
                read = await Astralytiq.Data.Engine.Ingest.ToParquetAsync(duck, input, output,
                    new Astralytiq.Data.Engine.ParseOptions(format!, null, null, Query: query), file.FileName, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // The upload answers 422 when reading takes longer than the file's size allows: a refusal, not a hang.
                Assert.True(file.Depth <= Limits.MaxJsonDepth, $"{file}: nesting past the limit must be refused before it is read");
                return;
            }
            if (file.MustRefuseWith is { } reason)
            {
                Assert.False(read.IsSuccess, $"{file} was read");
                Assert.Contains(reason, Message(read.Error!), StringComparison.Ordinal);
            }
            if (file.Depth > Limits.MaxJsonDepth)
            {
                Assert.False(read.IsSuccess, $"{file} was read");
                Assert.Contains($"{Limits.MaxJsonDepth} levels", Message(read.Error!), StringComparison.Ordinal);
            }
            if (read.IsSuccess)
            {
                using var command = duck.CreateCommand();
                command.CommandText = $"SELECT count(*) FROM read_parquet({Astralytiq.Data.Engine.DuckDb.Literal(output)})";
                Assert.Equal(read.Value.RowCount, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
                Assert.All(read.Value.Schema, c => Assert.DoesNotContain(c.Name, ch => char.IsControl(ch)));
            }
            else
            {
                var error = read.Error!;
                Assert.IsType<Astralytiq.Platform.Errors.ValidationError>(error);
                Assert.All(error.Details ?? [], d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
                // The server's own files are never named to the client.
                Assert.DoesNotContain(directory, Message(error), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Message(Astralytiq.Platform.Errors.Error error) =>
        error.Message + string.Concat((error.Details ?? []).Select(d => " " + d.Message));
}


/// <summary>
/// P36's in-process half for the JSON entry points whose work is pure logic (the expression language, transform steps,
/// query specs, cron schedules): each case goes through the module's own code as the handler runs it, against the
/// same base table, and is held to what the API promises: a result, or a refusal the server answers with a 4xx (an
/// error result, a body that does not bind, or an exception the engine's classifier maps to one). Anything else
/// would be a 5xx.
/// </summary>
internal static class HostileEngine
{
    private static readonly Lazy<Task<(string Directory, string Parquet, IReadOnlyList<ColumnDto> Schema)>> Base = new(async () =>
    {
        var directory = Directory.CreateTempSubdirectory("astralytiq-p36-engine-").FullName;
        var csv = Path.Combine(directory, "base.csv");
        var parquet = Path.Combine(directory, "base.parquet");
        await File.WriteAllTextAsync(csv, HostileGenerators.BaseCsv);
        await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None);
        var read = await Astralytiq.Data.Engine.Ingest.ToParquetAsync(duck, csv, parquet, new Astralytiq.Data.Engine.ParseOptions("csv", null, null), "base.csv", CancellationToken.None);
        return (directory, parquet, read.Succeeded().Schema);
    });

    private static Astralytiq.Data.Engine.DataSettings Settings(string directory) =>
        new() { DuckDbTempDirectory = Path.Combine(directory, "duckdb"), DuckDbThreads = 1 };

    /// <summary>A transform request body (preview), as <c>POST …/transform</c> handles it.</summary>
    public static Task TransformAsync(string body) =>
        HandleAsync<TransformRequest>(body, async (request, directory, parquet, schema, settings) =>
        {
            await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None);
            var compiled = await Astralytiq.Data.Transforms.TransformCompiler.CompileAsync(duck, Astralytiq.Data.Engine.ParquetSource.Single(parquet), schema, request.Steps,
                (_, _) => Task.FromResult<Astralytiq.Platform.Errors.Result<Astralytiq.Data.Transforms.JoinSource>>(new Astralytiq.Platform.Errors.NotFoundError("Dataset")), CancellationToken.None);
            if (!compiled.IsSuccess)
            {
                Refusal(compiled.Error!, directory);
                return;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.SqlTimeoutSeconds));
            try
            {
                var preview = await Astralytiq.Data.Transforms.TransformHandlers.RunPreviewAsync(duck, compiled.Value, 100, timeout.Token);
                if (!preview.IsSuccess)
                {
                    Refusal(preview.Error!, directory);
                }
                else
                {
                    Assert.All(preview.Value.Rows, r => Assert.Equal(compiled.Value.Output.Count, r.Count));
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // The handler answers 422: the preview ran longer than the interactive limit.
            }
        });

    /// <summary>A query spec, as <c>POST …/query</c> handles it.</summary>
    public static Task QueryAsync(string body) =>
        HandleAsync<QuerySpecDto>(body, async (spec, directory, parquet, schema, settings) =>
        {
            var compiled = Astralytiq.Data.Engine.QueryEngine.Compile(schema, spec, Astralytiq.Data.Engine.ParquetSource.Single(parquet).Scan);
            if (!compiled.IsSuccess)
            {
                Refusal(compiled.Error!, directory);
                return;
            }
            await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None);
            var (columns, rows, _) = await Astralytiq.Data.Engine.QueryEngine.RunAsync(duck, compiled.Value, CancellationToken.None);
            Assert.All(columns, column => Assert.Equal(rows, column.Count));
        });

    /// <summary>A cron expression and time zone, as pipelines (at most every 5 minutes) and reports check and schedule them.</summary>
    public static void Schedule(string? cron, string? zone)
    {
        var now = new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);
        foreach (var least in new TimeSpan?[] { TimeSpan.FromMinutes(5), null })
        {
            var errors = new Astralytiq.Platform.Errors.FieldErrors();
            var next = Astralytiq.Platform.Scheduling.CronSchedule.Check(errors, "cron", "time_zone", cron, zone, now, least);
            if (next is { } at)
            {
                Assert.True(errors.IsEmpty, $"'{cron}' in '{zone}' was scheduled and refused at once");
                Assert.True(at > now, $"'{cron}' in '{zone}' next runs at {at:O}, not after {now:O}");
                Assert.Equal(at, Astralytiq.Platform.Scheduling.CronSchedule.NextRun(cron!, zone, now));
            }
            else
            {
                var error = errors.ToError();
                Assert.NotEmpty(error.Details!);
                Assert.All(error.Details!, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
            }
        }
    }

    /// <summary>The body as the endpoint binds it; null when binding fails (the server answers 400 in the envelope).</summary>
    private static T? Bind<T>(string body)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, ApiJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// One body as its endpoint takes it: bound (a body that does not bind is the server's 400), then handled against the
    /// base table, where an exception is an answer only when the engine's classifier makes it a 4xx.
    /// </summary>
    private static async Task HandleAsync<T>(string body,
        Func<T, string, string, IReadOnlyList<ColumnDto>, Astralytiq.Data.Engine.DataSettings, Task> handle)
        where T : class
    {
        if (Bind<T>(body) is not { } request)
        {
            return;
        }
        var (directory, parquet, schema) = await Base.Value;
        var settings = Settings(directory);
        try
        {
            await handle(request, directory, parquet, schema, settings);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            // The one place unexpected exceptions become answers: a classified one is a 4xx, anything else a 5xx.
            var classified = new Astralytiq.Data.Engine.EngineErrors(settings).Classify(ex);
            Assert.True(classified is not null && classified.StatusCode < 500, $"{body}\nthrew {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static void Refusal(Astralytiq.Platform.Errors.Error error, string directory)
    {
        Assert.InRange(error.StatusCode, 400, 499);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.All(error.Details ?? [], d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
        // The server's own files are never named to the client.
        Assert.DoesNotContain(directory, error.Message + string.Concat((error.Details ?? []).Select(d => d.Message)), StringComparison.Ordinal);
    }
}
