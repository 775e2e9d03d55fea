using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Infrastructure;
using Astralytiq.Tests.ML;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Platform;

/// <summary>What one case of P31 sends as a tenant: list calls (200), reads of what does not exist (404), and calls with a forged token (401, nobody's).</summary>
public sealed record RequestMix(int Lists, int Missing, int Forged, int Seed);

public static class RequestMixes
{
    public static Arbitrary<RequestMix> Mix() =>
        (from lists in Gen.Choose(0, 4)
         from missing in Gen.Choose(0, 4)
         from forged in Gen.Choose(0, 2)
         from seed in Gen.Choose(0, 10_000)
         select new RequestMix(lists, missing, forged, seed)).ToArbitrary();
}

/// <summary>
/// Telemetry (issue 14, P31): traces cross from a request into the background work it causes, metrics count exactly the
/// traffic sent, and the Prometheus endpoint answers only operators and the scraper holding the token.
/// </summary>
public abstract partial class TelemetryTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private TestTenant? _tenant;
    private Scrape? _last;

    /// <summary>A plain GET with a bearer token (or none), as any HTTP client would send it.</summary>
    protected async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var http = Platform.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request);
    }

    /// <summary>The metrics as Prometheus reads them, scraped with the scraper's token.</summary>
    protected async Task<Scrape> ScrapeAsync()
    {
        using var http = Platform.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.ScrapeToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Scrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// P31: for any mix of requests a tenant sends, the per-tenant request counter served to Prometheus grows by exactly
    /// the tenant's requests in each status class, requests with a forged token count for no tenant, and the per-route
    /// duration histogram (RED) counts at least this tenant's calls of each route and status.
    /// </summary>
    protected async Task CheckP31Async(RequestMix mix)
    {
        _tenant ??= await Platform.NewTenantAsync();
        var tenant = _tenant;
        // Only this test's requests move its tenant's counter, so the last case's scrape is this case's "before".
        // (kept only from a case that passed: after a failure the next case scrapes afresh).
        var before = _last ?? await ScrapeAsync();
        _last = null;
        var calls = Enumerable.Repeat(0, mix.Lists).Concat(Enumerable.Repeat(1, mix.Missing)).Concat(Enumerable.Repeat(2, mix.Forged))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        foreach (var call in calls)
        {
            var (token, path, expected) = call switch
            {
                0 => (tenant.Admin.AccessToken, "api/v1/data/datasets?offset=0&limit=5", HttpStatusCode.OK),
                1 => (tenant.Admin.AccessToken, $"api/v1/data/datasets/{Guid.NewGuid()}", HttpStatusCode.NotFound),
                _ => ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "api/v1/data/datasets?offset=0&limit=5", HttpStatusCode.Unauthorized),
            };
            using var response = await GetAsync(path, token);
            Assert.Equal(expected, response.StatusCode);
        }

        var id = tenant.Id.ToString();
        // The counter is added as the response leaves; a scrape can overtake the last one by a moment.
        Scrape after;
        var waited = 0;
        do
        {
            after = await ScrapeAsync();
        }
        while ((Delta("2xx") < mix.Lists || Delta("4xx") < mix.Missing || Routed("404") < mix.Missing || Routed("401") < mix.Forged) && waited++ < 50 && await Delay());

        Assert.Equal(mix.Lists, Delta("2xx"));
        Assert.Equal(mix.Missing, Delta("4xx"));
        Assert.Equal(0, Delta("5xx"));
        Assert.True(Routed("404") >= mix.Missing, "the route's duration histogram counts every 404 of this tenant");
        Assert.True(Routed("401") >= mix.Forged, "the duration histogram counts every request refused for its token");
        _last = after;

        // Other tests call these routes too: the histogram grows by at least this case's calls.
        double Routed(string status) =>
            after.Sum("http_server_request_duration_seconds_count", l => l.Get("http_response_status_code") == status
                && (status == "401" || l.Get("http_route") == "/api/v1/data/datasets/{id:guid}"))
            - before.Sum("http_server_request_duration_seconds_count", l => l.Get("http_response_status_code") == status
                && (status == "401" || l.Get("http_route") == "/api/v1/data/datasets/{id:guid}"));

        double Delta(string statusClass) =>
            after.Sum("astralytiq_tenant_requests_total", l => l.Get("astralytiq_tenant_id") == id && l.Get("http_response_status_class") == statusClass)
            - before.Sum("astralytiq_tenant_requests_total", l => l.Get("astralytiq_tenant_id") == id && l.Get("http_response_status_class") == statusClass);

        static async Task<bool> Delay()
        {
            await Task.Delay(50);
            return true;
        }
    }

    [Fact]
    public async Task A_request_and_the_job_it_queues_form_one_trace_without_any_values()
    {
        var tenant = await Platform.NewTenantAsync();
        // The caller's own trace (a sampled span current while it calls): the upload, the training request and the
        // training job it queues all join it through the W3C traceparent header.
        var caller = SpanCapture.Start("test caller");
        var traceId = caller.TraceId;
        try
        {
            ModelVersionDto trained;
            using (caller)
            {
                var dataset = await MlData.UploadAsync(tenant.Admin, MlData.Houses(40));
                trained = await MlData.TrainAsync(tenant.Admin, new TrainModelRequest("traced " + Guid.NewGuid().ToString("N")[..6], dataset.Id, "regression", "price",
                    Features: ["rooms", "area"], Algorithm: "linear", HyperParameters: new Dictionary<string, double> { ["iterations"] = 20 }, CvFolds: 2, Seed: 1));
            }

            // A server span ends a moment after its response is read: wait until the job's span, its parent and the upload's are all in.
            var spans = await SpansAsync(traceId, s => s.FirstOrDefault(x => x.Name == "job ml.train" && x.Tags.ContainsKey("astralytiq.job.outcome")) is { } j
                && s.Any(x => x.SpanId == j.ParentSpanId)
                && s.Any(x => x.Kind == System.Diagnostics.ActivityKind.Server && x.Tags.GetValueOrDefault("http.request.method") == "POST"
                    && x.Tags.GetValueOrDefault("http.route")?.TrimEnd('/') == "/api/v1/data/datasets"));
            var server = spans.Where(s => s.Kind == System.Diagnostics.ActivityKind.Server).ToList();
            Assert.Contains(server, s => s.Tags.GetValueOrDefault("http.route")?.TrimEnd('/') == "/api/v1/data/datasets" && s.Tags.GetValueOrDefault("http.request.method") == "POST");
            var job = Assert.Single(spans, s => s.Name == "job ml.train");
            Assert.Equal("succeeded", job.Tags["astralytiq.job.outcome"]);
            Assert.Equal(tenant.Id.ToString(), job.Tags["astralytiq.tenant.id"]);
            Assert.Equal(trained.JobId.ToString(), job.Tags["astralytiq.job.id"]);
            // The job's parent is a span of the request that queued it.
            var queuedBy = Assert.Single(spans, s => s.SpanId == job.ParentSpanId);
            Assert.Contains(spans, s => s.Kind == System.Diagnostics.ActivityKind.Server && (s.SpanId == queuedBy.SpanId || IsAncestor(spans, s, queuedBy)));
            // The signed-in caller's tenant is on the request spans; database work inside the job hangs under the job.
            Assert.All(server.Where(s => s.Tags.GetValueOrDefault("http.route")?.StartsWith("/api/v1/", StringComparison.Ordinal) == true),
                s => Assert.Equal(tenant.Id.ToString(), s.Tags.GetValueOrDefault("astralytiq.tenant.id")));
            Assert.Contains(spans, s => s.Source == "Astralytiq.Data" && s.Tags.GetValueOrDefault("db.system.name") == "duckdb" && s.Tags.ContainsKey("db.operation.name"));
            Assert.Contains(spans, s => s.ParentSpanId == job.SpanId);
            // The training read its rows through the dataset reader: that statement is traced too, with what it returned.
            Assert.Contains(spans, s => s.Tags.GetValueOrDefault("astralytiq.query.purpose") == "read" && s.Tags.GetValueOrDefault("db.response.returned_rows") == "40");
            // DuckDB spans carry the statement's kind, never its text or values.
            Assert.All(spans.Where(s => s.Source == "Astralytiq.Data"), s =>
            {
                Assert.DoesNotContain("db.query.text", s.Tags.Keys);
                Assert.DoesNotContain(s.Tags.Values, v => v?.Contains("Oslo", StringComparison.Ordinal) == true);
            });
        }
        finally
        {
            SpanCapture.Forget(traceId);
        }

        static bool IsAncestor(IReadOnlyList<CapturedSpan> spans, CapturedSpan ancestor, CapturedSpan span)
        {
            for (var current = span; spans.FirstOrDefault(s => s.SpanId == current.ParentSpanId) is { } parent; current = parent)
            {
                if (parent.SpanId == ancestor.SpanId)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Spans end a moment after the response or job state the test waited for: wait until the trace holds what it should.</summary>
    private static async Task<IReadOnlyList<CapturedSpan>> SpansAsync(System.Diagnostics.ActivityTraceId traceId, Func<IReadOnlyList<CapturedSpan>, bool> complete)
    {
        for (var i = 0; i < 100; i++)
        {
            var spans = SpanCapture.Spans(traceId);
            if (complete(spans))
            {
                return spans;
            }
            await Task.Delay(50);
        }
        var last = SpanCapture.Spans(traceId);
        Assert.Fail("the trace never held the job's span; it held: " + string.Join(", ", last.Select(s => $"{s.Source}/{s.Name}")));
        return last;
    }

    [Fact]
    public async Task The_cache_counters_show_a_repeated_query_as_one_miss_then_a_hit_and_the_queue_depth_is_served()
    {
        var tenant = await Platform.NewTenantAsync();
        var dataset = await Astralytiq.Tests.Dashboards.ReportTests<TPlatform>.UploadAsync(tenant.Admin, "region,amount\nnorth,1\nsouth,2\n");
        var spec = new Contracts.Data.QuerySpecDto([new Contracts.Data.QueryDimensionDto("region")], [new Contracts.Data.QueryMeasureDto("sum", "amount", "total")]);
        static bool Query(Labels l) => l.Get("astralytiq_cache") == "query";
        var before = await ScrapeAsync();
        Assert.False((await tenant.Admin.Datasets.QueryAsync(dataset.Id, spec)).EnsureValue().Cached);
        Assert.True((await tenant.Admin.Datasets.QueryAsync(dataset.Id, spec)).EnsureValue().Cached);
        var after = await ScrapeAsync();
        // Other tests share the host: their lookups can only add to these.
        var lookups = after.Sum("astralytiq_cache_lookups_total", Query) - before.Sum("astralytiq_cache_lookups_total", Query);
        var misses = after.Sum("astralytiq_cache_misses_total", Query) - before.Sum("astralytiq_cache_misses_total", Query);
        Assert.True(lookups >= 2 && misses >= 1 && lookups - misses >= 1, $"lookups {lookups}, misses {misses}");
        Assert.True(after.Sum("astralytiq_cache_lookups_total", l => l.Get("astralytiq_cache") == "session") > 0);

        // The queue depth is the count of the last readiness check.
        (await GetAsync("/health/ready", null)).Dispose();
        var depth = await ScrapeAsync();
        Assert.True(depth.Has("astralytiq_jobs_queue_depth") && depth.Sum("astralytiq_jobs_queue_depth", _ => true) >= 0);
    }

    [Fact]
    public async Task Metrics_are_served_to_operators_and_to_the_scraper_with_the_token_only()
    {
        using var anonymous = Platform.NewHttpClient();
        using (var response = await anonymous.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("\"code\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.ScrapeToken[..^1] + "X");
            using var response = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        var tenant = await Platform.NewTenantAsync();
        (await tenant.Admin.Datasets.ListAsync()).EnsureSuccess();
        using (var response = await GetAsync("/metrics", tenant.Admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        var operatorClient = await Platform.NewOperatorAsync();
        using (var response = await GetAsync("/metrics", operatorClient.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            foreach (var name in new[] { "astralytiq_tenant_requests_total", "http_server_request_duration_seconds_bucket", "target_info" })
            {
                Assert.Contains(name, text, StringComparison.Ordinal);
            }
        }
        // Only read: another method is refused, in the envelope, even with the token.
        using (var http = Platform.NewHttpClient())
        using (var post = new HttpRequestMessage(HttpMethod.Post, "/metrics") { Content = new StringContent("{}") })
        {
            post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.ScrapeToken);
            using var response = await http.SendAsync(post);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Contains("\"code\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var scraped = await ScrapeAsync();
        Assert.True(scraped.Sum("astralytiq_tenant_requests_total", l => l.Get("astralytiq_tenant_id") == tenant.Id.ToString()) >= 1);
    }

    /// <summary>One Prometheus text exposition: samples by metric name and labels.</summary>
    protected sealed partial class Scrape(string text)
    {
        private readonly List<(string Name, Labels Labels, double Value)> _samples = Parse(text);

        public double Sum(string metric, Func<Labels, bool> where) =>
            _samples.Where(s => s.Name == metric && where(s.Labels)).Sum(s => s.Value);

        private static readonly string[] Read = ["astralytiq_tenant_requests_total", "http_server_request_duration_seconds_count", "astralytiq_cache_lookups_total", "astralytiq_cache_misses_total", "astralytiq_jobs_queue_depth"];

        public bool Has(string metric) => _samples.Any(s => s.Name == metric);

        private static List<(string, Labels, double)> Parse(string text)
        {
            var samples = new List<(string, Labels, double)>();
            foreach (var line in text.Split('\n'))
            {
                // Only the families the tests read are parsed: the page holds every series of every test host.
                if (line.Length == 0 || line[0] == '#' || !Read.Any(f => line.StartsWith(f, StringComparison.Ordinal)))
                {
                    continue;
                }
                var match = Sample().Match(line);
                if (match.Success && double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal));
                    samples.Add((match.Groups["name"].Value, new Labels(labels), value));
                }
            }
            return samples;
        }

        [GeneratedRegex(@"^(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
        private static partial Regex Sample();

        [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
        private static partial Regex Label();
    }

    protected sealed class Labels(Dictionary<string, string> values)
    {
        public string? Get(string name) => values.GetValueOrDefault(name);
    }
}

public sealed class TelemetryTests_Sqlite(SqlitePlatform platform) : TelemetryTests<SqlitePlatform>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(RequestMixes)])]
    public Task P31_metrics_count_exactly_the_requests_each_tenant_sent(RequestMix mix) => CheckP31Async(mix);
}

/// <summary>The same on PostgreSQL: the counters do not depend on the database, the requests' answers do; 25 cases.</summary>
public sealed class TelemetryTests_Postgres(PostgresPlatform platform) : TelemetryTests<PostgresPlatform>(platform)
{
    [Property(MaxTest = 25, Arbitrary = [typeof(RequestMixes)])]
    public Task P31_metrics_count_exactly_the_requests_each_tenant_sent(RequestMix mix) => CheckP31Async(mix);
}
