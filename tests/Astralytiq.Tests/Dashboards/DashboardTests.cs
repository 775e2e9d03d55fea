using System.Net;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Tests.Infrastructure;

namespace Astralytiq.Tests.Dashboards;

public abstract class DashboardTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private const string Sales =
        "day,region,amount\n" +
        "2024-01-05,north,10\n" +
        "2024-01-20,south,5\n" +
        "2024-02-03,north,7\n" +
        "2024-02-14,south,12\n" +
        "2024-03-01,north,1\n";

    private static async Task<DatasetResponse> UploadAsync(AstralytiqClient client, string csv) =>
        (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "sales.csv", name: "sales " + Guid.NewGuid().ToString("N")[..8])).EnsureValue();

    internal static DashboardDefinitionDto Definition(Guid dataset) => new(
    [
        new WidgetDto("total", "kpi", new GridPositionDto(0, 0, 3, 2), "Total", new WidgetSourceDto(dataset, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount", "total")]))),
        new WidgetDto("by-region", "bar", new GridPositionDto(3, 0, 9, 4), "By region",
            new WidgetSourceDto(dataset, new QuerySpecDto([new QueryDimensionDto("region")], [new QueryMeasureDto("sum", "amount", "total")], Sort: [new QuerySortDto("region")]))),
        new WidgetDto("note", "text", new GridPositionDto(0, 2, 3, 2), Markdown: "**Sales** by region"),
    ],
    [new DashboardFilterDto("period", "day", "date_range", "Period"), new DashboardFilterDto("region", "region", "values")]);

    private static List<string> Cells(WidgetDataResponse data) =>
        Enumerable.Range(0, data.RowCount).Select(r => string.Join("|", data.Values.Select(c => c[r] is JsonElement e ? e.ToString() : c[r]?.ToString()))).ToList();

    [Fact]
    public async Task Dashboards_and_reports_are_consumers_in_the_lineage_of_the_datasets_they_show()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        async Task<DatasetResponse> Upload(string name) =>
            (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n")), "s.csv", name: name)).EnsureValue();
        var sales = await Upload("Sales " + Guid.NewGuid().ToString("N")[..6]);
        var other = await Upload("Other " + Guid.NewGuid().ToString("N")[..6]);
        var board = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Consumer board", Definition(sales.Id)))).EnsureValue();
        var report = (await client.Reports.CreateAsync(new ReportRequest("Consumer report", board.Id, "0 8 * * 1", ["csv"], [new ReportRecipientDto(Email: tenant.AdminUser.Email)]))).EnsureValue();

        async Task<IReadOnlyList<string>> Consumers(Guid dataset) =>
            (await client.Datasets.GetLineageAsync(dataset)).EnsureValue().Nodes.Where(n => n.Kind == "consumer").Select(n => $"{n.Details["consumer_kind"]}:{n.Label}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["dashboard:Consumer board", "report:Consumer report"], await Consumers(sales.Id));

        // Deleting the dataset they show is refused, naming them; forced, it goes.
        var refused = await client.Datasets.DeleteAsync(sales.Id);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(2, refused.Error!.Error.Details!.Count(d => d.Message.Contains("Consumer", StringComparison.Ordinal)));

        // The dashboard moved to another dataset: the first is free, the second is used by both.
        (await client.Dashboards.UpdateAsync(board.Id, new UpdateDashboardRequest("Consumer board", Definition(other.Id)))).EnsureValue();
        Assert.Empty(await Consumers(sales.Id));
        Assert.Equal(["dashboard:Consumer board", "report:Consumer report"], await Consumers(other.Id));

        // A deleted report, then a deleted dashboard, use nothing.
        (await client.Reports.DeleteAsync(report.Id)).EnsureSuccess();
        Assert.Equal(["dashboard:Consumer board"], await Consumers(other.Id));
        (await client.Dashboards.DeleteAsync(board.Id)).EnsureSuccess();
        Assert.Empty(await Consumers(other.Id));
        (await client.Datasets.DeleteAsync(other.Id)).EnsureSuccess();
    }

    [Fact]
    public async Task A_sql_widget_shows_its_query_over_current_data_is_checked_on_save_and_is_a_consumer_of_the_datasets_it_names()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var name = "Sales " + Guid.NewGuid().ToString("N")[..6];
        var sales = (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(Sales)), "s.csv", name: name)).EnsureValue();
        var sql = $"SELECT region, sum(amount) AS total FROM \"{name}\" GROUP BY region ORDER BY region";
        var definition = new DashboardDefinitionDto([new WidgetDto("by-sql", "bar", new GridPositionDto(0, 0, 6, 4), "Total by region (SQL)", Sql: sql)]);
        var board = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("SQL board", definition))).EnsureValue();
        Assert.Equal(sql, Assert.Single(board.Definition.Widgets).Sql);

        var data = (await client.Dashboards.GetWidgetDataAsync(board.Id, "by-sql")).EnsureValue();
        Assert.Equal(["north|18", "south|17"], Cells(data));
        // Over the current data: an append shows at the next read.
        (await client.Datasets.AppendRowsAsync(sales.Id, "[{\"day\":\"2024-04-01\",\"region\":\"east\",\"amount\":4}]")).EnsureValue();
        Assert.Equal(["east|4", "north|18", "south|17"], Cells((await client.Dashboards.GetWidgetDataAsync(board.Id, "by-sql")).EnsureValue()));
        // Paged like any table.
        var page = (await client.Dashboards.GetWidgetDataAsync(board.Id, "by-sql", offset: 1, limit: 1)).EnsureValue();
        Assert.Equal(["north|18"], Cells(page));
        Assert.True(page.Truncated);

        // A report of the dashboard carries the widget's answer as any other widget's.
        var outside = PlatformFixture.NewEmail("sql");
        var report = (await client.Reports.CreateAsync(new ReportRequest("SQL report", board.Id, "0 8 * * 1", ["csv"], [new ReportRecipientDto(Email: outside)]))).EnsureValue();
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        var email = await Platform.Smtp.WaitForAsync(outside, m => m.Subject?.Contains("SQL report", StringComparison.Ordinal) == true);
        Assert.Equal("region,total\r\neast,4\r\nnorth,18\r\nsouth,17\r\n", ReportAttachments.Read(email).Csv["sql-board-total-by-region-sql.csv"]);
        (await client.Reports.DeleteAsync(report.Id)).EnsureSuccess();

        // A consumer in the lineage of the dataset its query names: deleting that dataset is refused, naming the dashboard.
        var consumers = (await client.Datasets.GetLineageAsync(sales.Id)).EnsureValue().Nodes.Where(n => n.Kind == "consumer").Select(n => n.Label).ToList();
        Assert.Equal(["SQL board"], consumers);
        Assert.Equal(HttpStatusCode.Conflict, (await client.Datasets.DeleteAsync(sales.Id)).Status);

        // Checked on save, naming the widget; nothing saved.
        async Task<string> Refused(WidgetDto widget)
        {
            var response = await client.Dashboards.UpdateAsync(board.Id, new UpdateDashboardRequest("SQL board", new DashboardDefinitionDto([widget])));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            return Assert.Single(response.Error!.Error.Details!).Message;
        }
        Assert.Equal("widget 'Bad': unknown dataset 'nowhere'", await Refused(new WidgetDto("bad", "bar", new GridPositionDto(0, 0, 6, 4), "Bad", Sql: "SELECT 1 AS x FROM nowhere")));
        Assert.Contains("widget 'Bad': ", await Refused(new WidgetDto("bad", "table", new GridPositionDto(0, 0, 6, 4), "Bad", Sql: $"DELETE FROM \"{name}\"")), StringComparison.Ordinal);
        Assert.Contains("must be a number (it is string)", await Refused(new WidgetDto("bad", "bar", new GridPositionDto(0, 0, 6, 4), "Bad", Sql: $"SELECT day, region FROM \"{name}\"")), StringComparison.Ordinal);
        Assert.Contains("either a source", await Refused(new WidgetDto("bad", "bar", new GridPositionDto(0, 0, 6, 4), "Bad",
            new WidgetSourceDto(sales.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("count", null, "n")])), Sql: sql)), StringComparison.Ordinal);
        Assert.Equal(1, (await client.Dashboards.GetAsync(board.Id)).EnsureValue().Version);

        // Another organisation's SQL widget cannot name this one's dataset: to it, no such dataset exists.
        var stranger = (await Platform.NewTenantAsync()).Admin;
        var steal = await stranger.Dashboards.CreateAsync(new CreateDashboardRequest("Steal", definition));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, steal.Status);
        Assert.Equal($"widget 'Total by region (SQL)': unknown dataset '{name}'", Assert.Single(steal.Error!.Error.Details!).Message);
    }

    [Fact]
    public async Task Tables_page_within_their_limit_and_aggregates_drill_down_to_the_rows_behind_them()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        var basic = Definition(sales.Id);
        var definition = basic with
        {
            Widgets =
            [
                .. basic.Widgets,
                new WidgetDto("rows", "table", new GridPositionDto(0, 4, 12, 4), "Rows", new WidgetSourceDto(sales.Id, new QuerySpecDto(Select: ["day", "region", "amount"], Sort: [new QuerySortDto("day")]))),
                new WidgetDto("top3", "table", new GridPositionDto(0, 8, 6, 4), "Top 3", new WidgetSourceDto(sales.Id, new QuerySpecDto(Select: ["day", "amount"], Sort: [new QuerySortDto("amount", Descending: true)], Limit: 3))),
                new WidgetDto("monthly", "line", new GridPositionDto(6, 8, 6, 4), "Monthly", new WidgetSourceDto(sales.Id,
                    new QuerySpecDto([new QueryDimensionDto("day", "month")], [new QueryMeasureDto("sum", "amount", "total")], Sort: [new QuerySortDto("day_month")]))),
            ],
        };
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Drill", definition))).EnsureValue();

        // Paging a table of rows: the page says where it starts and whether more follow.
        var first = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "rows", offset: 0, limit: 2)).EnsureValue();
        Assert.Equal((2, true, 0), (first.RowCount, first.Truncated, first.Offset));
        Assert.Equal(["2024-01-05|north|10", "2024-01-20|south|5"], Cells(first));
        var last = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "rows", offset: 4, limit: 2)).EnsureValue();
        Assert.Equal(["2024-03-01|north|1"], Cells(last));
        Assert.False(last.Truncated);
        // A top 3 pages within its 3 rows.
        var top = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "top3", offset: 2, limit: 2)).EnsureValue();
        Assert.Equal(["2024-02-03|7"], Cells(top)); // amounts 12, 10, 7 are the top 3
        Assert.False(top.Truncated);
        Assert.Equal(0, (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "top3", offset: 3, limit: 2)).EnsureValue().RowCount);
        // Page filters combine with dashboard filters.
        var north = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "rows", ["region:north"], offset: 1, limit: 5)).EnsureValue();
        Assert.Equal(["2024-02-03|north|7", "2024-03-01|north|1"], Cells(north));

        // Drill-down from a bar to its rows: they add up to the bar.
        var bars = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "by-region")).EnsureValue();
        var northRows = (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "by-region", point: ["region:north"])).EnsureValue();
        Assert.Equal(["day", "region", "amount"], northRows.Columns.Select(c => c.Name));
        Assert.Equal(["2024-01-05|north|10", "2024-02-03|north|7", "2024-03-01|north|1"], Cells(northRows));
        Assert.Equal(Cells(bars).Single(b => b.StartsWith("north", StringComparison.Ordinal)), "north|" + northRows.Values[2].Sum(v => ((JsonElement)v!).GetDouble()));
        // A month point stands for its whole month; dashboard filters still apply.
        Assert.Equal(["2024-01-05|north|10", "2024-01-20|south|5"], Cells((await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "monthly", point: ["day_month:2024-01-01"])).EnsureValue()));
        Assert.Equal(["2024-01-20|south|5"], Cells((await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "monthly", ["region:south"], ["day_month:2024-01-01"])).EnsureValue()));
        // A KPI drills down to every row it counts, paged.
        var kpiRows = (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "total", ["period:2024-01-01..2024-02-29"], offset: 2, limit: 2)).EnsureValue();
        Assert.Equal(["2024-02-03|north|7", "2024-02-14|south|12"], Cells(kpiRows));
        Assert.Equal((false, 2), (kpiRows.Truncated, kpiRows.Offset));

        foreach (var (response, field) in new[]
        {
            (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "by-region", point: ["nope:1"]), "point[0]"),
            (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "monthly", point: ["day_month:soon"]), "point[0]"),
            (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "total", limit: 0), "limit"),
            (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "rows", offset: -1), "offset"),
            (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "rows", limit: 1001), "limit"),
        })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.Contains(response.Error!.Error.Details!, d => d.Field == field);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "missing")).Status);
        var stranger = (await Platform.NewTenantAsync()).Admin;
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.GetWidgetRowsAsync(dashboard.Id, "total")).Status);
    }

    [Fact]
    public async Task Every_widgets_data_comes_in_one_answer_equal_to_each_widgets_own_with_the_widgets_that_cannot_be_computed_named()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sales = await UploadAsync(client, Sales);
        var gone = await UploadAsync(client, Sales);
        var definition = Definition(sales.Id);
        definition = definition with
        {
            Widgets =
            [
                .. definition.Widgets,
                new WidgetDto("rows", "table", new GridPositionDto(0, 6, 12, 4), "Rows", new WidgetSourceDto(sales.Id, new QuerySpecDto(Select: ["day", "region", "amount"], Sort: [new QuerySortDto("day")]))),
                new WidgetDto("orphan", "kpi", new GridPositionDto(0, 10, 3, 2), "Orphan", new WidgetSourceDto(gone.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("count", null, "n")]))),
            ],
        };
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("All at once", definition))).EnsureValue();
        (await client.Datasets.DeleteAsync(gone.Id, force: true)).EnsureSuccess();

        var all = (await client.Dashboards.GetAllWidgetDataAsync(dashboard.Id, ["region:north"], tableLimit: 2)).EnsureValue();
        // Each widget's data is what its own request gives (the text widget has none; the table its first page).
        Assert.Equal(["total", "by-region", "rows"], all.Widgets.Select(w => w.WidgetId));
        foreach (var data in all.Widgets)
        {
            var own = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, data.WidgetId, ["region:north"], data.WidgetId == "rows" ? 0 : null, data.WidgetId == "rows" ? 2 : null)).EnsureValue();
            Assert.Equal(Cells(own), Cells(data));
            Assert.Equal(own.Truncated, data.Truncated);
            Assert.Equal(own.AppliedFilters, data.AppliedFilters);
        }
        Assert.Equal(["2024-01-05|north|10", "2024-02-03|north|7"], Cells(all.Widgets[2]));
        var problem = Assert.Single(all.Errors);
        Assert.Equal(("orphan", "CONFLICT"), (problem.WidgetId, problem.Code));
        Assert.Contains("no longer exists", problem.Message, StringComparison.Ordinal);

        // The request's own mistakes are refused as a whole; another organisation finds no such dashboard.
        foreach (var (response, field) in new[]
        {
            (await client.Dashboards.GetAllWidgetDataAsync(dashboard.Id, ["nope:1"]), "filter"),
            (await client.Dashboards.GetAllWidgetDataAsync(dashboard.Id, tableLimit: 0), "table_limit"),
            (await client.Dashboards.GetAllWidgetDataAsync(dashboard.Id, tableLimit: 1001), "table_limit"),
        })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.Contains(response.Error!.Error.Details!, d => d.Field == field);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.Dashboards.GetAllWidgetDataAsync(Guid.NewGuid())).Status);
        var stranger = (await Platform.NewTenantAsync()).Admin;
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.GetAllWidgetDataAsync(dashboard.Id)).Status);
    }

    [Fact]
    public async Task A_dashboard_is_saved_in_versions_listed_in_folders_and_restored()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        var created = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales overview", Definition(sales.Id), Folder: "Finance"))).EnsureValue();
        Assert.Equal(1, created.Version);
        Assert.Equal(3, created.Definition.Widgets.Count);

        var smaller = created.Definition with { Widgets = created.Definition.Widgets.Take(1).ToList() };
        var v2 = (await client.Dashboards.UpdateAsync(created.Id, new UpdateDashboardRequest("Sales overview", smaller, "Finance", BaseVersion: 1))).EnsureValue();
        Assert.Equal(2, v2.Version);
        // A save based on version 1 would overwrite version 2: refused.
        var stale = await client.Dashboards.UpdateAsync(created.Id, new UpdateDashboardRequest("Sales overview", created.Definition, "Finance", BaseVersion: 1));
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);

        var versions = (await client.Dashboards.ListVersionsAsync(created.Id)).EnsureValue();
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Equal([1, 3], versions.Select(v => v.WidgetCount));
        Assert.Equal(3, (await client.Dashboards.GetAsync(created.Id, version: 1)).EnsureValue().Definition.Widgets.Count);

        var restored = (await client.Dashboards.RestoreVersionAsync(created.Id, 1)).EnsureValue();
        Assert.Equal(3, restored.Version);
        Assert.Equal(3, restored.Definition.Widgets.Count);
        Assert.Equal("restored from version 1", (await client.Dashboards.ListVersionsAsync(created.Id)).EnsureValue()[0].Note);

        (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Loose", new DashboardDefinitionDto([])))).EnsureValue();
        var all = (await client.Dashboards.ListAsync()).EnsureValue();
        Assert.Equal(["Finance"], all.Folders);
        Assert.Equal(2, all.Total);
        Assert.Equal(["Sales overview"], (await client.Dashboards.ListAsync(folder: "Finance")).EnsureValue().Items.Select(d => d.Name));
        Assert.Equal(["Loose"], (await client.Dashboards.ListAsync(folder: "")).EnsureValue().Items.Select(d => d.Name));

        Assert.Equal(HttpStatusCode.NoContent, (await client.Dashboards.DeleteAsync(created.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Dashboards.GetAsync(created.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Dashboards.GetWidgetDataAsync(created.Id, "total")).Status);
    }

    [Fact]
    public async Task Widget_data_applies_dashboard_filters_and_follows_every_write()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales", Definition(sales.Id)))).EnsureValue();

        var total = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total")).EnsureValue();
        Assert.Equal(["35"], Cells(total).Select(c => c.Split('.')[0]));
        Assert.Equal(["north|18", "south|17"], Cells((await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "by-region")).EnsureValue()).Select(c => c.Replace(".0", string.Empty, StringComparison.Ordinal)));

        var february = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "by-region", ["period:2024-02-01..2024-02-29"])).EnsureValue();
        Assert.Equal(["north|7", "south|12"], Cells(february).Select(c => c.Replace(".0", string.Empty, StringComparison.Ordinal)));
        Assert.Equal(["period"], february.AppliedFilters);
        var north = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total", ["region:north", "period:2024-01-15.."])).EnsureValue();
        Assert.Equal(["8"], Cells(north).Select(c => c.Split('.')[0]));

        // Repeated: served from the cache. After an append: the new version's numbers, never the cached ones (P38).
        Assert.True((await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total")).EnsureValue().Cached);
        (await client.Datasets.AppendRowsAsync(sales.Id, "[{\"day\":\"2024-03-09\",\"region\":\"south\",\"amount\":100}]")).EnsureValue();
        var after = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total")).EnsureValue();
        // (It may already be cached for version 2: the live push computes it as soon as the change is announced.)
        Assert.Equal(2, after.DatasetVersion);
        Assert.Equal(["135"], Cells(after).Select(c => c.Split('.')[0]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total", ["nope:1"])).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total", ["period:2024-01-01"])).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "note")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "missing")).Status);
    }

    [Fact]
    public async Task The_sales_overview_template_is_laid_out_against_the_datasets_columns()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        var board = (await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("sales_overview", sales.Id))).EnsureValue();
        Assert.Equal($"{sales.Name} overview", board.Name);
        Assert.Equal(["total", "rows", "monthly", "by-category", "top"], board.Definition.Widgets.Select(w => w.Id));
        Assert.Equal(["day", "region"], board.Definition.Filters!.Select(f => f.Column));
        Assert.Equal(["35"], Cells((await client.Dashboards.GetWidgetDataAsync(board.Id, "total")).EnsureValue()).Select(c => c.Split('.')[0]));
        var monthly = (await client.Dashboards.GetWidgetDataAsync(board.Id, "monthly")).EnsureValue();
        Assert.Equal(3, monthly.RowCount);
        Assert.Equal(["north|18|3", "south|17|2"], Cells((await client.Dashboards.GetWidgetDataAsync(board.Id, "top")).EnsureValue()).Select(c => c.Replace(".0", string.Empty, StringComparison.Ordinal)));

        var noDates = await UploadAsync(client, "region,amount\nnorth,1\n");
        var refused = await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("sales_overview", noDates.Id));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains(refused.Error!.Error.Details!, d => d.Field == "date_column");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("sales_overview", sales.Id, MeasureColumn: "region"))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("marketing", sales.Id))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("sales_overview", Guid.NewGuid()))).Status);
    }

    [Fact]
    public async Task The_template_sums_an_amount_by_a_grouping_never_an_identifier_or_an_age()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        // Identifiers and descriptive numbers come first and last, where the old picks (first text, last number) took them.
        var csv = new StringBuilder("order_id,order_date,customer_email,store,amount,customer_age\n");
        for (var i = 0; i < 40; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"O-{i:D4},2024-0{1 + (i % 6)}-1{i % 10},c{i}@example.com,{(i % 3 == 0 ? "Leeds" : i % 3 == 1 ? "York" : "Hull")},{i * 1.25 + 3},{20 + i}\n");
        }
        var orders = await UploadAsync(client, csv.ToString());
        var board = (await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("sales_overview", orders.Id))).EnsureValue();
        Assert.Equal(["Total amount", "Rows", "amount by month", "amount by store", "Top store"], board.Definition.Widgets.Select(w => w.Title));
        Assert.Equal(["order_date", "store"], board.Definition.Filters!.Select(f => f.Column));

        // What the request names still wins over the guess.
        var named = (await client.Dashboards.CreateFromTemplateAsync(new DashboardFromTemplateRequest("sales_overview", orders.Id, MeasureColumn: "customer_age", CategoryColumn: "customer_email"))).EnsureValue();
        Assert.Equal("customer_age by customer_email", named.Definition.Widgets.Single(w => w.Id == "by-category").Title);
    }

    [Fact]
    public async Task A_refused_save_names_the_widget_at_fault_by_its_title()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        var monthly = new WidgetDto("a", "line", new GridPositionDto(0, 0, 6, 4), "Amount by month",
            new WidgetSourceDto(sales.Id, new QuerySpecDto([new QueryDimensionDto("day", "month")], [new QueryMeasureDto("sum", "amount", "value")])));
        // The "by month" of the first widget carried into the second, over a text column: the defect a user once met.
        var byRegion = new WidgetDto("b", "bar", new GridPositionDto(6, 0, 6, 4), "Amount by region",
            new WidgetSourceDto(sales.Id, new QuerySpecDto([new QueryDimensionDto("region", "month")], [new QueryMeasureDto("sum", "amount", "value")])));
        var untitled = new WidgetDto("c", "pie", new GridPositionDto(0, 4, 6, 4), Source: new WidgetSourceDto(sales.Id, new QuerySpecDto([new QueryDimensionDto("nope")], [new QueryMeasureDto("count")])));
        var refused = await client.Dashboards.CreateAsync(new CreateDashboardRequest("Named errors", new DashboardDefinitionDto([monthly, byRegion, untitled])));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var details = refused.Error!.Error.Details!;
        Assert.Contains(details, d => d.Field == "definition.widgets[1].source.query.dimensions[0].bucket" && d.Message.StartsWith("widget 'Amount by region': only date and timestamp columns can be bucketed", StringComparison.Ordinal));
        Assert.Contains(details, d => d.Field.StartsWith("definition.widgets[2]", StringComparison.Ordinal) && d.Message.StartsWith("widget 'pie #3': ", StringComparison.Ordinal));
        Assert.DoesNotContain(details, d => d.Field.StartsWith("definition.widgets[0]", StringComparison.Ordinal));

        // A null widget or filter is named by its place, never a server error.
        var holes = await client.Dashboards.CreateAsync(new CreateDashboardRequest("Holes", new DashboardDefinitionDto([monthly, null!], [null!])));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, holes.Status);
        Assert.Contains(holes.Error!.Error.Details!, d => d.Field == "definition.widgets[1]");
        Assert.Contains(holes.Error!.Error.Details!, d => d.Field == "definition.filters[0]");
    }

    [Fact]
    public async Task A_kpi_compares_the_filtered_period_with_the_one_just_before()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        var kpi = new WidgetDto("kpi", "kpi", new GridPositionDto(0, 0, 3, 2), "Amount", new WidgetSourceDto(sales.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount", "total")])),
            Options: new Dictionary<string, string> { ["compare"] = "previous_period" });
        var board = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Compare", new DashboardDefinitionDto([kpi], [new DashboardFilterDto("period", "day", "date_range")])))).EnsureValue();

        // February (29 days) against the 29 days before: 2024-01-03..2024-01-31.
        var february = (await client.Dashboards.GetWidgetDataAsync(board.Id, "kpi", ["period:2024-02-01..2024-02-29"])).EnsureValue();
        Assert.Equal(19, ((JsonElement)february.Values[0][0]!).GetDouble());
        Assert.Equal("2024-01-03..2024-01-31", february.PreviousPeriod);
        Assert.Equal(15, ((JsonElement)february.Previous![0][0]!).GetDouble());
        // Without a closed range there is nothing to compare with.
        Assert.Null((await client.Dashboards.GetWidgetDataAsync(board.Id, "kpi", ["period:2024-02-01.."])).EnsureValue().Previous);
        Assert.Null((await client.Dashboards.GetWidgetDataAsync(board.Id, "kpi")).EnsureValue().Previous);
        // Timestamps: exact durations (30 days before 2024-02-01).
        Assert.Equal(("2024-01-02 00:00:00", "2024-01-31 23:59:59"), Astralytiq.Dashboards.Boards.Widgets.WidgetData.PreviousPeriod("2024-02-01T00:00:00Z", "2024-03-02T00:00:00Z"));
    }

    [Fact]
    public async Task A_bad_definition_is_refused_naming_the_widget_and_nothing_is_saved()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(client, Sales);
        async Task Refused(DashboardDefinitionDto definition, string field, string words)
        {
            var response = await client.Dashboards.CreateAsync(new CreateDashboardRequest("Bad", definition));
            Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, $"{response.Status} for {field}");
            Assert.Contains(response.Error!.Error.Details!, d => d.Field.StartsWith(field, StringComparison.Ordinal) && d.Message.Contains(words, StringComparison.Ordinal));
        }
        var query = new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount")]);
        await Refused(new([new WidgetDto("a", "kpi", new GridPositionDto(10, 0, 4, 2), Source: new WidgetSourceDto(sales.Id, query))]), "definition.widgets[0].position", "x + w");
        await Refused(new([new WidgetDto("a", "sparkle", new GridPositionDto(0, 0, 4, 2), Source: new WidgetSourceDto(sales.Id, query))]), "definition.widgets[0].type", "type must be one of");
        await Refused(new([new WidgetDto("a", "bar", new GridPositionDto(0, 0, 4, 2))]), "definition.widgets[0].source", "needs a source");
        await Refused(new([new WidgetDto("a", "bar", new GridPositionDto(0, 0, 4, 2), Source: new WidgetSourceDto(Guid.NewGuid(), query))]), "definition.widgets[0].source.dataset_id", "no such dataset");
        await Refused(new([new WidgetDto("a", "bar", new GridPositionDto(0, 0, 4, 2), Source: new WidgetSourceDto(sales.Id, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amont")])))]),
            "definition.widgets[0].source.query", "unknown column 'amont'");
        await Refused(new([new WidgetDto("a", "text", new GridPositionDto(0, 0, 4, 2))]), "definition.widgets[0].markdown", "markdown");
        await Refused(new([new WidgetDto("a", "text", new GridPositionDto(0, 0, 4, 2), Markdown: "x"), new WidgetDto("a", "text", new GridPositionDto(4, 0, 4, 2), Markdown: "y")]), "definition.widgets", "unique");
        await Refused(new([], [new DashboardFilterDto("f", "day", "between")]), "definition.filters[0].kind", "date_range or values");
        Assert.Equal(0, (await client.Dashboards.ListAsync()).EnsureValue().Total);
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_a_tenants_dashboards_and_cannot_point_a_widget_at_its_data()
    {
        var owner = (await Platform.NewTenantAsync()).Admin;
        var sales = await UploadAsync(owner, Sales);
        var dashboard = (await owner.Dashboards.CreateAsync(new CreateDashboardRequest("Private", Definition(sales.Id)))).EnsureValue();
        var stranger = (await Platform.NewTenantAsync()).Admin;

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.GetAsync(dashboard.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.GetWidgetDataAsync(dashboard.Id, "total")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.ListVersionsAsync(dashboard.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.UpdateAsync(dashboard.Id, new UpdateDashboardRequest("Mine", new DashboardDefinitionDto([])))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.RestoreVersionAsync(dashboard.Id, 1)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Dashboards.DeleteAsync(dashboard.Id)).Status);
        Assert.Equal(0, (await stranger.Dashboards.ListAsync()).EnsureValue().Total);
        // A widget of the stranger's own dashboard cannot read the owner's dataset.
        var steal = await stranger.Dashboards.CreateAsync(new CreateDashboardRequest("Steal", Definition(sales.Id)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, steal.Status);
        Assert.Contains(steal.Error!.Error.Details!, d => d.Field == "definition.widgets[0].source.dataset_id" && d.Message == "widget 'Total': no such dataset");
    }
}

public sealed class DashboardTests_Sqlite(SqlitePlatform platform) : DashboardTests<SqlitePlatform>(platform);

public sealed class DashboardTests_Postgres(PostgresPlatform platform) : DashboardTests<PostgresPlatform>(platform);
