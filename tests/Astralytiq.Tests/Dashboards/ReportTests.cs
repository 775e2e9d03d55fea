using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using MimeKit;

namespace Astralytiq.Tests.Dashboards;

/// <summary>What a report email carries, read back: the text of its PDF, its CSV files and its workbook's sheets.</summary>
public sealed record ReportAttachments(string PdfText, IReadOnlyDictionary<string, string> Csv, IReadOnlyDictionary<string, List<List<string>>> Sheets, IReadOnlyDictionary<string, byte[]> Raw)
{
    public static ReportAttachments Read(MimeMessage message)
    {
        var raw = new Dictionary<string, byte[]>();
        foreach (var part in message.Attachments.OfType<MimePart>().Where(p => p.FileName is not null))
        {
            using var stream = new MemoryStream();
            part.Content!.DecodeTo(stream);
            raw[part.FileName!] = stream.ToArray();
        }
        var pdf = raw.Where(r => r.Key.EndsWith(".pdf", StringComparison.Ordinal)).Select(r => ReadPdf(r.Value)).FirstOrDefault() ?? string.Empty;
        var csv = raw.Where(r => r.Key.EndsWith(".csv", StringComparison.Ordinal)).ToDictionary(r => r.Key, r => Encoding.UTF8.GetString(r.Value).TrimStart('\uFEFF'));
        var sheets = raw.Where(r => r.Key.EndsWith(".xlsx", StringComparison.Ordinal)).Select(r => Workbook(r.Value)).FirstOrDefault() ?? [];
        return new ReportAttachments(pdf, csv, sheets, raw);
    }

    /// <summary>The words of every page (PdfPig), separated by spaces.</summary>
    public static string ReadPdf(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    public static Dictionary<string, List<List<string>>> Workbook(byte[] xlsx)
    {
        using var stream = new MemoryStream(xlsx);
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart!;
        var result = new Dictionary<string, List<List<string>>>();
        foreach (var sheet in workbook.Workbook.Sheets!.Elements<Sheet>())
        {
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
            result[sheet.Name!] = part.Worksheet.Descendants<Row>()
                .Select(row => row.Elements<Cell>().Select(c => c.InlineString?.Text?.Text ?? c.CellValue?.Text ?? string.Empty).ToList()).ToList();
        }
        return result;
    }
}

public abstract partial class ReportTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private const string Sales =
        "day,region,amount\n" +
        "2024-01-05,north,1000\n" +
        "2024-01-20,south,500\n" +
        "2024-02-03,north,700\n";

    internal static async Task<DatasetResponse> UploadAsync(AstralytiqClient client, string csv) =>
        (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "sales.csv", name: "sales " + Guid.NewGuid().ToString("N")[..8])).EnsureValue();

    /// <summary>The dashboard of the dashboard tests plus a monthly line and a table of every row.</summary>
    internal static DashboardDefinitionDto Definition(Guid dataset)
    {
        var basic = DashboardTests<TPlatform>.Definition(dataset);
        return basic with
        {
            Widgets =
            [
                .. basic.Widgets,
                new WidgetDto("monthly", "line", new GridPositionDto(0, 4, 6, 4), "Monthly",
                    new WidgetSourceDto(dataset, new QuerySpecDto([new QueryDimensionDto("day", "month")], [new QueryMeasureDto("sum", "amount", "total")], Sort: [new QuerySortDto("day_month")]))),
                new WidgetDto("rows", "table", new GridPositionDto(6, 4, 6, 4), "All rows",
                    new WidgetSourceDto(dataset, new QuerySpecDto([new QueryDimensionDto("day"), new QueryDimensionDto("region"), new QueryDimensionDto("amount")], Sort: [new QuerySortDto("day")]))),
            ],
        };
    }

    private static string Text(object? value) => value is JsonElement e
        ? e.ValueKind == JsonValueKind.Number ? e.GetDouble().ToString("R", CultureInfo.InvariantCulture) : e.ToString()
        : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    private static List<List<string>> Rows(WidgetDataResponse data) =>
        Enumerable.Range(0, data.RowCount).Select(r => data.Values.Select(c => Text(c[r])).ToList()).ToList();

    [GeneratedRegex(@"unsubscribe\?token=([A-Za-z0-9_\-]+)")]
    private static partial Regex UnsubscribeToken();

    [Fact]
    public async Task A_report_sent_now_carries_the_current_numbers_in_its_pdf_csv_and_xlsx_to_every_recipient()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var (viewerClient, viewer) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales board", Definition(sales.Id)))).EnsureValue();
        var outside = PlatformFixture.NewEmail("cfo");
        var report = (await client.Reports.CreateAsync(new ReportRequest("Weekly sales", dashboard.Id, "0 8 * * 1", ["pdf", "csv", "xlsx"],
            [new ReportRecipientDto(Email: outside), new ReportRecipientDto(viewer.Id)], "Europe/Berlin", Message: "Numbers for the Monday meeting"))).EnsureValue();
        Assert.Equal("Europe/Berlin", report.TimeZone);
        Assert.NotNull(report.NextRunAt);
        // Mondays at 08:00 in Berlin: 07:00 or 06:00 UTC depending on the season.
        var local = TimeZoneInfo.ConvertTime(report.NextRunAt!.Value, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal((DayOfWeek.Monday, 8, 0), (local.DayOfWeek, local.Hour, local.Minute));
        Assert.Equal([outside, viewer.Email], report.Recipients.Select(r => r.Email));

        // Rows written after the report was made are in it: it is generated with the data current at run time.
        (await client.Datasets.AppendRowsAsync(sales.Id, "[{\"day\":\"2024-03-09\",\"region\":\"east\",\"amount\":2345}]")).EnsureValue();
        var run = (await client.Reports.SendAsync(report.Id)).EnsureValue();
        Assert.Equal("manual", run.Trigger);
        (await client.Jobs.WaitAsync(run.JobId!.Value)).EnsureValue();

        var total = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "total")).EnsureValue();
        var byRegion = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "by-region")).EnsureValue();
        var rows = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "rows")).EnsureValue();
        Assert.Equal(4545, Rows(total)[0][0] is var t ? double.Parse(t, CultureInfo.InvariantCulture) : 0);

        var email = await Platform.Smtp.WaitForAsync(outside, m => m.Subject?.Contains("Weekly sales", StringComparison.Ordinal) == true);
        Assert.Contains("Total: 4,545", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Numbers for the Monday meeting", email.TextBody, StringComparison.Ordinal);
        var files = ReportAttachments.Read(email);
        Assert.Equal(["sales-board-all-rows.csv", "sales-board-by-region.csv", "sales-board-monthly.csv", "sales-board-total.csv", "sales-board.pdf", "sales-board.xlsx"], files.Raw.Keys.Order(StringComparer.Ordinal));

        // PDF: the title, the KPI as a number, each region's sum in the bar chart, the table's rows as a table.
        Assert.Contains("Sales board", files.PdfText, StringComparison.Ordinal);
        Assert.Contains("4,545", files.PdfText, StringComparison.Ordinal);
        foreach (var row in Rows(byRegion))
        {
            Assert.Contains($"{row[0]} {double.Parse(row[1], CultureInfo.InvariantCulture).ToString("#,0.##", CultureInfo.InvariantCulture)}", files.PdfText, StringComparison.Ordinal);
        }
        Assert.Contains("2024-03-09 east 2,345", files.PdfText, StringComparison.Ordinal);
        Assert.Contains("All rows", files.PdfText, StringComparison.Ordinal);

        // CSV: exactly the widget's data.
        var expectedCsv = string.Join("\r\n", new[] { string.Join(",", byRegion.Columns.Select(c => c.Name)) }.Concat(Rows(byRegion).Select(r => string.Join(",", r)))) + "\r\n";
        Assert.Equal(expectedCsv, files.Csv["sales-board-by-region.csv"]);
        Assert.Equal("total\r\n4545\r\n", files.Csv["sales-board-total.csv"]);
        Assert.Equal(rows.RowCount + 1, files.Csv["sales-board-all-rows.csv"].Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        // XLSX: a sheet per data widget, numbers as numbers.
        Assert.Equal(["Total", "By region", "Monthly", "All rows"], files.Sheets.Keys);
        Assert.Equal([["total"], ["4545"]], files.Sheets["Total"]);
        Assert.Equal(new[] { byRegion.Columns.Select(c => c.Name).ToList() }.Concat(Rows(byRegion)).ToList(), files.Sheets["By region"]);

        // The user recipient got the same email and an in-app notification; so did the creator.
        var viewerEmail = await Platform.Smtp.WaitForAsync(viewer.Email, m => m.Subject?.Contains("Weekly sales", StringComparison.Ordinal) == true);
        Assert.Equal(files.Raw["sales-board.xlsx"], ReportAttachments.Read(viewerEmail).Raw["sales-board.xlsx"]);
        var notes = (await viewerClient.Notifications.ListAsync()).EnsureValue();
        var note = Assert.Single(notes.Items, n => n.Kind == "report.delivered");
        Assert.Equal(1, notes.Unread);
        Assert.Equal($"/dashboards/{dashboard.Id}?reports={report.Id}", note.Link);
        (await viewerClient.Notifications.MarkReadAsync(note.Id)).EnsureSuccess();
        Assert.Equal(0, (await viewerClient.Notifications.ListAsync(unreadOnly: true)).EnsureValue().Total);
        Assert.Contains((await client.Notifications.ListAsync()).EnsureValue().Items, n => n.Kind == "report.delivered");
        // Another user's notification is not yours to mark.
        Assert.Equal(HttpStatusCode.NotFound, (await client.Notifications.MarkReadAsync(note.Id)).Status);

        // The run history: what was made, for whom, from which dataset version; the files download as they were sent.
        var history = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue();
        var done = Assert.Single(history);
        Assert.Equal(("succeeded", 1, null), (done.Status, done.Attempts, done.Error));
        Assert.Equal([outside, viewer.Email], done.DeliveredTo);
        Assert.Equal(total.DatasetVersion, done.DatasetVersions[sales.Id.ToString()]);
        var pdf = done.Files.Single(f => f.Format == "pdf");
        Assert.Equal(files.Raw["sales-board.pdf"], (await client.Reports.DownloadFileAsync(pdf)).EnsureValue());
        Assert.Equal(done.Id, (await client.Reports.GetAsync(report.Id)).EnsureValue().LastRun!.Id);
    }

    [Fact]
    public async Task A_report_writes_numbers_in_the_organisations_format_and_its_files_keep_the_stored_values()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        (await client.Tenant.UpdateAsync(new Astralytiq.Contracts.Tenancy.UpdateTenantRequest(null, null, null, "de-DE", null))).EnsureValue();
        var sales = await UploadAsync(client, Sales + "2024-03-01,east,1234.5\n");
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Umsatz", Definition(sales.Id)))).EnsureValue();
        var outside = PlatformFixture.NewEmail("de");
        var report = (await client.Reports.CreateAsync(new ReportRequest("Wochenbericht", dashboard.Id, "0 8 * * 1", ["pdf", "csv"],
            [new ReportRecipientDto(Email: outside)], "Europe/Berlin"))).EnsureValue();
        var run = (await client.Reports.SendAsync(report.Id)).EnsureValue();
        (await client.Jobs.WaitAsync(run.JobId!.Value)).EnsureValue();

        var email = await Platform.Smtp.WaitForAsync(outside, m => m.Subject?.Contains("Wochenbericht", StringComparison.Ordinal) == true);
        Assert.Contains("Total: 3.434,5", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Total: 3.434,5", email.HtmlBody, StringComparison.Ordinal);
        var files = ReportAttachments.Read(email);
        Assert.Contains("3.434,5", files.PdfText, StringComparison.Ordinal);
        Assert.Contains("2024-03-01 east 1.234,5", files.PdfText, StringComparison.Ordinal);
        Assert.DoesNotContain("3,434.5", files.PdfText, StringComparison.Ordinal);
        // Files for machines keep the stored value as it is, whatever the locale.
        Assert.Equal("total\r\n3434.5\r\n", files.Csv["umsatz-total.csv"]);
    }

    [Fact]
    public async Task The_unsubscribe_link_stops_that_address_only_and_a_forged_token_is_refused()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales board", Definition(sales.Id)))).EnsureValue();
        var (leaving, staying) = (PlatformFixture.NewEmail("leaving"), PlatformFixture.NewEmail("staying"));
        var report = (await client.Reports.CreateAsync(new ReportRequest("Daily", dashboard.Id, "30 6 * * *", ["csv"],
            [new ReportRecipientDto(Email: leaving), new ReportRecipientDto(Email: staying)], WidgetId: "total"))).EnsureValue();
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        var first = await Platform.Smtp.WaitForAsync(leaving, m => m.Subject?.StartsWith("Daily", StringComparison.Ordinal) == true);
        // A widget report carries that widget only.
        Assert.Equal(["sales-board-total.csv"], ReportAttachments.Read(first).Raw.Keys);
        Assert.StartsWith("<http://", first.Headers["List-Unsubscribe"], StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", first.Headers["List-Unsubscribe-Post"]);
        var token = UnsubscribeToken().Match(first.TextBody ?? string.Empty).Groups[1].Value;
        Assert.NotEmpty(token);
        await Platform.Smtp.WaitForAsync(staying, m => m.Subject?.StartsWith("Daily", StringComparison.Ordinal) == true);

        var anonymous = Platform.NewClient();
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.UnsubscribeFromReportAsync(forged)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.UnsubscribeFromReportAsync("not-a-token")).Status);
        var done = (await anonymous.Public.UnsubscribeFromReportAsync(token)).EnsureValue();
        Assert.Equal(("Daily", leaving), (done.ReportName, done.Email));
        (await anonymous.Public.UnsubscribeFromReportAsync(token)).EnsureValue(); // a second click changes nothing

        Assert.Equal([true, false], (await client.Reports.GetAsync(report.Id)).EnsureValue().Recipients.Select(r => r.Unsubscribed));
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        await Platform.Smtp.WaitForAsync(staying, m => m.Subject?.StartsWith("Daily", StringComparison.Ordinal) == true);
        var last = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue()[0];
        Assert.Equal([staying], last.DeliveredTo);
        Assert.Empty(Platform.Smtp.ReceivedTo(leaving));
    }

    [Fact]
    public async Task A_refusing_mail_server_is_retried_and_a_failure_that_cannot_pass_notifies_the_creator()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales board", Definition(sales.Id)))).EnsureValue();
        var (busy, fine) = (PlatformFixture.NewEmail("busy"), PlatformFixture.NewEmail("fine"));
        var report = (await client.Reports.CreateAsync(new ReportRequest("Retry me", dashboard.Id, "0 9 1 * *", ["pdf"],
            [new ReportRecipientDto(Email: fine), new ReportRecipientDto(Email: busy)]))).EnsureValue();

        Platform.Smtp.RefuseNext(busy, 1);
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        await Platform.Smtp.WaitForAsync(busy, m => m.Subject?.StartsWith("Retry me", StringComparison.Ordinal) == true);
        var run = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue()[0];
        Assert.Equal(("succeeded", 2), (run.Status, run.Attempts));
        // The retry did not send again to the address the first attempt reached.
        await Platform.Smtp.WaitForAsync(fine, m => m.Subject?.StartsWith("Retry me", StringComparison.Ordinal) == true);
        Assert.Empty(Platform.Smtp.ReceivedTo(fine));
        Assert.Equal([fine, busy], run.DeliveredTo);

        // The dataset is gone: nothing can make the report; no retry, the creator is told by email and in the app.
        (await client.Datasets.DeleteAsync(sales.Id, force: true)).EnsureSuccess(); // forced: the dashboard and the report use it
        var failing = (await client.Reports.SendAsync(report.Id)).EnsureValue();
        var job = await client.Jobs.WaitAsync(failing.JobId!.Value);
        Assert.NotEqual(Contracts.Jobs.JobStatus.Succeeded, job.Value?.Status);
        var failed = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue()[0];
        Assert.Equal(("failed", 1), (failed.Status, failed.Attempts));
        Assert.Contains("no longer exists", failed.Error, StringComparison.Ordinal);
        var notice = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject == "[Warning] Report 'Retry me' failed");
        Assert.Contains("no longer exists", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains((await client.Notifications.ListAsync()).EnsureValue().Items, n => n.Kind == "report.failed" && n.Body!.Contains("no longer exists", StringComparison.Ordinal));
        Assert.Empty(Platform.Smtp.ReceivedTo(fine));
    }

    [Fact]
    public async Task Bad_reports_are_refused_naming_the_field_and_nothing_is_made()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales board", Definition(sales.Id)))).EnsureValue();
        var other = await Platform.NewTenantAsync();
        var good = new ReportRequest("Good", dashboard.Id, "0 8 * * *", ["pdf"], [new ReportRecipientDto(Email: "a@example.com")]);
        var cases = new (ReportRequest Request, string Field)[]
        {
            (good with { Name = " " }, "name"),
            (good with { Cron = "every day" }, "cron"),
            (good with { Cron = "0 8 * * * *" }, "cron"),
            (good with { Cron = "0 0 30 2 *" }, "cron"),
            (good with { TimeZone = "Mars/Olympus" }, "time_zone"),
            (good with { Formats = [] }, "formats"),
            (good with { Formats = ["pdf", "docx"] }, "formats[1]"),
            (good with { Recipients = [] }, "recipients"),
            (good with { Recipients = [new ReportRecipientDto(Email: "not an address")] }, "recipients[0].email"),
            (good with { Recipients = [new ReportRecipientDto(other.AdminUser.Id)] }, "recipients[0].user_id"),
            (good with { Recipients = [new ReportRecipientDto()] }, "recipients[0]"),
            (good with { Recipients = Enumerable.Range(0, 51).Select(i => new ReportRecipientDto(Email: $"r{i}@example.com")).ToList() }, "recipients"),
            (good with { WidgetId = "nope" }, "widget_id"),
            (good with { Filters = ["nope:1"] }, "filters[0]"),
            (good with { DashboardId = Guid.NewGuid() }, "dashboard_id"),
            (good with { Message = new string('x', 2001) }, "message"),
        };
        foreach (var (request, field) in cases)
        {
            var refused = await client.Reports.CreateAsync(request);
            Assert.True(refused.Status == HttpStatusCode.UnprocessableEntity, $"{field}: {refused.Status}");
            Assert.Contains(refused.Error!.Error.Details!, d => d.Field == field);
        }
        Assert.Empty((await client.Reports.ListAsync()).EnsureValue());
        // Another tenant's dashboard is not one you may see.
        var foreign = await other.Admin.Reports.CreateAsync(good);
        Assert.Contains(foreign.Error!.Error.Details!, d => d.Field == "dashboard_id");
    }

    [Fact]
    public async Task A_runs_files_are_deleted_once_older_than_the_plan_keeps_history_and_the_run_stays_in_the_history()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Kept board", Definition(sales.Id)))).EnsureValue();
        var report = (await client.Reports.CreateAsync(new ReportRequest("Kept", dashboard.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(Email: "a@example.com")]))).EnsureValue();
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        var files = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue()[0].Files;
        var file = files[0];

        // The free plan keeps history 90 days: nothing goes at 89, the file goes at 91; the run and its status stay.
        var retention = Platform.Services.GetRequiredService<Astralytiq.Dashboards.Reports.ReportFileRetention>();
        var now = Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        Assert.Equal(0, await retention.PurgeAsync(now.AddDays(89), CancellationToken.None, tenant.Id));
        Assert.NotEmpty((await client.Reports.DownloadFileAsync(file)).EnsureValue());
        Assert.Equal(files.Count, await retention.PurgeAsync(now.AddDays(91), CancellationToken.None, tenant.Id));
        var run = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue().Single();
        Assert.Equal(("succeeded", 0), (run.Status, run.Files.Count));
        Assert.Equal(HttpStatusCode.NotFound, (await client.Reports.DownloadFileAsync(file)).Status);
        Assert.Equal(0, await retention.PurgeAsync(now.AddDays(92), CancellationToken.None, tenant.Id));
    }

    [Fact]
    public async Task Reports_of_dashboards_you_may_not_see_do_not_exist_for_you()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var sales = await UploadAsync(client, Sales);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Sales board", Definition(sales.Id)))).EnsureValue();
        var report = (await client.Reports.CreateAsync(new ReportRequest("Private", dashboard.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(Email: "a@example.com")]))).EnsureValue();
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        var file = (await client.Reports.ListRunsAsync(report.Id)).EnsureValue()[0].Files[0];

        var stranger = (await Platform.NewTenantAsync()).Admin;
        var (analyst, analystUser) = await Platform.AddUserAsync(tenant, Role.Analyst);
        foreach (var outsider in new[] { stranger, analyst })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Reports.GetAsync(report.Id)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Reports.ListRunsAsync(report.Id)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Reports.SendAsync(report.Id)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Reports.UpdateAsync(report.Id, new ReportRequest("Mine", dashboard.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(Email: "b@example.com")]))).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Reports.DeleteAsync(report.Id)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Reports.DownloadFileAsync(file)).Status);
            Assert.Empty((await outsider.Reports.ListAsync()).EnsureValue());
        }
        // Shared to view: the analyst sees the report and its files, but only its creator or an admin changes or sends it.
        (await client.Dashboards.ShareAsync(dashboard.Id, new ShareDashboardRequest("view", analystUser.Id))).EnsureValue();
        Assert.Equal("Private", (await analyst.Reports.GetAsync(report.Id)).EnsureValue().Name);
        Assert.NotEmpty((await analyst.Reports.DownloadFileAsync(file)).EnsureValue());
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.Reports.SendAsync(report.Id)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.Reports.DeleteAsync(report.Id)).Status);
        // Their own report of the shared dashboard is theirs to change; pausing it clears the next run.
        var own = (await analyst.Reports.CreateAsync(new ReportRequest("Mine", dashboard.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(analystUser.Id)]))).EnsureValue();
        var paused = (await analyst.Reports.UpdateAsync(own.Id, new ReportRequest("Mine", dashboard.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(analystUser.Id)], Enabled: false))).EnsureValue();
        Assert.Null(paused.NextRunAt);
        (await analyst.Reports.DeleteAsync(own.Id)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.Reports.GetAsync(own.Id)).Status);
    }
}

public sealed class ReportTests_Sqlite(SqlitePlatform platform) : ReportTests<SqlitePlatform>(platform);

public sealed class ReportTests_Postgres(PostgresPlatform platform) : ReportTests<PostgresPlatform>(platform);
