// Dashboard benchmarks against a running server (bench/dashboards/run.sh starts one):
//   DashBench render URL CSV RUNS   12-widget dashboard over the CSV's dataset, timed in Chromium until every widget shows data
//   DashBench live URL CLIENTS ROUNDS ROWS   CLIENTS hub connections on one dashboard; time from a change's write to each client's receipt
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

var mode = args[0];
var url = new Uri(args[1].TrimEnd('/') + "/");
const string Password = "Quartz-Lantern-Mosaic-71";
var email = $"bench-{Guid.NewGuid():N}@example.com";
using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromHours(1) };
var client = new AstralytiqClient(http);
(await client.RegisterAsync(new RegisterRequest(email, Password, "Bench", "Bench " + mode, null))).EnsureValue();

static double Pct(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor((sorted.Count - 1) * p / 100.0 + 0.5))];
}

static string Ms(double v) => v.ToString("F0", CultureInfo.InvariantCulture) + " ms";

async Task<Guid> UploadAsync(string path)
{
    await using var file = File.OpenRead(path);
    var uploaded = await client.Datasets.UploadAsync(file, "bench.csv", name: "bench");
    if (uploaded.Value is { } dataset)
    {
        return dataset.Id;
    }
    throw new InvalidOperationException("upload failed: " + uploaded.Status + " " + uploaded.Error?.Error.Message);
}

async Task AppendAsync(Guid dataset, int i) =>
    (await client.Datasets.AppendRowsAsync(dataset, $"[{{\"id\":{1_000_000_000 + i},\"at\":\"2024-05-01 10:00:00\",\"category\":\"category-01\",\"amount\":1.5,\"quantity\":1,\"active\":true,\"note\":\"x\",\"score\":0.5}}]")).EnsureValue();

static WidgetDto W(string id, string type, int x, int y, int w, int h, Guid dataset, QuerySpecDto query, string title) =>
    new(id, type, new GridPositionDto(x, y, w, h), title, new WidgetSourceDto(dataset, query));

static DashboardDefinitionDto Twelve(Guid d) => new(
[
    W("k1", "kpi", 0, 0, 3, 2, d, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount", "total")]), "Amount"),
    W("k2", "kpi", 3, 0, 3, 2, d, new QuerySpecDto(Measures: [new QueryMeasureDto("count", null, "rows")]), "Rows"),
    W("k3", "kpi", 6, 0, 3, 2, d, new QuerySpecDto(Measures: [new QueryMeasureDto("avg", "score", "score")]), "Mean score"),
    W("k4", "kpi", 9, 0, 3, 2, d, new QuerySpecDto(Measures: [new QueryMeasureDto("count_distinct", "category", "categories")]), "Categories"),
    W("line", "line", 0, 2, 6, 4, d, new QuerySpecDto([new QueryDimensionDto("at", "month")], [new QueryMeasureDto("sum", "amount", "total")], Sort: [new QuerySortDto("at_month")]), "By month"),
    W("area", "area", 6, 2, 6, 4, d, new QuerySpecDto([new QueryDimensionDto("at", "day")], [new QueryMeasureDto("count", null, "rows")], Sort: [new QuerySortDto("at_day")]), "By day"),
    W("bar", "bar", 0, 6, 4, 4, d, new QuerySpecDto([new QueryDimensionDto("category")], [new QueryMeasureDto("sum", "amount", "total")], Sort: [new QuerySortDto("total", true)]), "By category"),
    W("pie", "pie", 4, 6, 4, 4, d, new QuerySpecDto([new QueryDimensionDto("active")], [new QueryMeasureDto("count", null, "rows")]), "Active"),
    W("hist", "histogram", 8, 6, 4, 4, d, new QuerySpecDto([new QueryDimensionDto("quantity")], [new QueryMeasureDto("count", null, "rows")], Sort: [new QuerySortDto("quantity")]), "Quantity"),
    W("scatter", "scatter", 0, 10, 6, 4, d, new QuerySpecDto([new QueryDimensionDto("quantity")], [new QueryMeasureDto("avg", "amount", "mean")]), "Mean amount by quantity"),
    W("heat", "heatmap", 6, 10, 6, 4, d, new QuerySpecDto([new QueryDimensionDto("category"), new QueryDimensionDto("at", "quarter")], [new QueryMeasureDto("sum", "amount", "total")]), "Category × quarter"),
    W("table", "table", 0, 14, 12, 4, d, new QuerySpecDto([new QueryDimensionDto("note")], [new QueryMeasureDto("sum", "amount", "total"), new QueryMeasureDto("count", null, "rows")], Sort: [new QuerySortDto("total", true)], Limit: 20), "Top notes"),
]);

if (mode == "render")
{
    var (csv, runs) = (args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
    var dataset = await UploadAsync(csv);
    var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Twelve", Twelve(dataset)))).EnsureValue();
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
    var context = await browser.NewContextAsync(new() { BaseURL = url.ToString(), ViewportSize = new() { Width = 1440, Height = 1000 } });
    var page = await context.NewPageAsync();
    const string Ready = "() => document.querySelectorAll('[data-widget]').length === 12 && document.querySelectorAll('[data-widget] .mud-progress-circular').length === 0";
    var first = Stopwatch.StartNew();
    await page.GotoAsync("/login");
    await page.Locator("input[data-testid=email]").FillAsync(email);
    await page.Locator("input[data-testid=password]").FillAsync(Password);
    await page.GetByTestId("submit").ClickAsync();
    await page.GetByTestId("menu-toggle").WaitForAsync();
    Console.WriteLine($"first visit (fresh browser: download the client, sign in): {Ms(first.Elapsed.TotalMilliseconds)}");
    var (cold, cached, inApp, warm) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
    for (var i = 0; i < runs; i++)
    {
        // Cold: the data just changed, so no widget query is cached; the page is opened afresh (client from the browser cache).
        await AppendAsync(dataset, i);
        var sw = Stopwatch.StartNew();
        await page.GotoAsync($"/dashboards/{dashboard.Id}");
        await page.WaitForFunctionAsync(Ready, null, new() { PollingInterval = 5, Timeout = 120_000 });
        cold.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        await page.GotoAsync($"/dashboards/{dashboard.Id}");
        await page.WaitForFunctionAsync(Ready, null, new() { PollingInterval = 5, Timeout = 120_000 });
        cached.Add(sw.Elapsed.TotalMilliseconds);
        // In the running app: the dashboard list, then the dashboard (cached queries).
        await page.GotoAsync("/dashboards");
        await page.Locator($"a[href='/dashboards/{dashboard.Id}']").First.WaitForAsync();
        sw.Restart();
        var marks = new ConcurrentQueue<string>();
        void OnResponse(object? sender, IResponse r) => marks.Enqueue($"{sw.ElapsedMilliseconds} {r.Url.Replace(url.ToString(), "/", StringComparison.Ordinal)}");
        if (Environment.GetEnvironmentVariable("TRACE") == "1")
        {
            page.Response += OnResponse;
        }
        await page.Locator($"a[href='/dashboards/{dashboard.Id}']").First.ClickAsync();
        await page.WaitForFunctionAsync(Ready, null, new() { PollingInterval = 5, Timeout = 120_000 });
        inApp.Add(sw.Elapsed.TotalMilliseconds);
        page.Response -= OnResponse;
        // Again in the same running app (its code already warm): back to the list through the app's router, then open.
        await page.EvaluateAsync("() => Blazor.navigateTo('/dashboards')");
        await page.Locator($"a[href='/dashboards/{dashboard.Id}']").First.WaitForAsync();
        sw.Restart();
        await page.Locator($"a[href='/dashboards/{dashboard.Id}']").First.ClickAsync();
        await page.WaitForFunctionAsync(Ready, null, new() { PollingInterval = 5, Timeout = 120_000 });
        warm.Add(sw.Elapsed.TotalMilliseconds);
        foreach (var m in marks)
        {
            Console.WriteLine("  " + m);
        }
    }
    Console.WriteLine($"12 widgets, page load, cold queries:   p50 {Ms(Pct(cold, 50))}  p95 {Ms(Pct(cold, 95))}");
    Console.WriteLine($"12 widgets, page load, cached queries: p50 {Ms(Pct(cached, 50))}  p95 {Ms(Pct(cached, 95))}");
    Console.WriteLine($"12 widgets, opened in the app, cached (first dashboard since the page load): p50 {Ms(Pct(inApp, 50))}  p95 {Ms(Pct(inApp, 95))}");
    Console.WriteLine($"12 widgets, opened again in the running app, cached:                   p50 {Ms(Pct(warm, 50))}  p95 {Ms(Pct(warm, 95))}");
}
else
{
    var (clients, rounds, rows) = (int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
    var csv = new StringBuilder("id,at,category,amount,quantity,active,note,score\n");
    for (var i = 0; i < rows; i++)
    {
        csv.Append(CultureInfo.InvariantCulture, $"{i},2024-{1 + i % 12:00}-{1 + i % 28:00} 10:00:00,category-{i % 20:00},{i % 1000 / 10.0},{i % 97},true,x,0.5\n");
    }
    var path = Path.GetTempFileName();
    await File.WriteAllTextAsync(path, csv.ToString());
    var dataset = await UploadAsync(path);
    File.Delete(path);
    var definition = new DashboardDefinitionDto(Twelve(dataset).Widgets.Take(3).ToList());
    var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Live", definition))).EnsureValue();
    var received = new ConcurrentBag<(int Version, double Total, double Server)>();
    var connections = new List<HubConnection>();
    for (var c = 0; c < clients; c++)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(url, "hubs/dashboards"), o => o.AccessTokenProvider = () => Task.FromResult(client.AccessToken))
            .AddJsonProtocol(o => o.PayloadSerializerOptions = new JsonSerializerOptions(ApiJson.Options))
            .Build();
        connection.On<WidgetUpdateDto>("widgetUpdated", u =>
        {
            if (u.WidgetId == "k1" && u.ChangedAt is { } changed)
            {
                received.Add((u.DatasetVersion, (DateTimeOffset.UtcNow - changed).TotalMilliseconds, (u.SentAt - changed).TotalMilliseconds));
            }
        });
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", dashboard.Id);
        connections.Add(connection);
    }
    Console.WriteLine($"{clients} hub clients subscribed; dataset of {rows:N0} rows; 3 widgets recomputed per change");
    for (var i = 0; i < rounds; i++)
    {
        var before = received.Count;
        await AppendAsync(dataset, i);
        var deadline = Stopwatch.StartNew();
        // The next change is written only when every client has this one (bounded), so rounds never overlap.
        while (received.Count < before + clients && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5);
        }
    }
    var all = received.ToList();
    var totals = all.Select(r => r.Total).ToList();
    var server = all.Select(r => r.Server).Distinct().ToList();
    Console.WriteLine($"received {all.Count} of {clients * rounds} updates");
    Console.WriteLine($"change written → client received: p50 {Ms(Pct(totals, 50))}  p95 {Ms(Pct(totals, 95))}  p99 {Ms(Pct(totals, 99))}  max {Ms(totals.DefaultIfEmpty().Max())}");
    Console.WriteLine($"change written → server sent (recompute): p50 {Ms(Pct(server, 50))}  p95 {Ms(Pct(server, 95))}");
    foreach (var connection in connections)
    {
        await connection.DisposeAsync();
    }
}
