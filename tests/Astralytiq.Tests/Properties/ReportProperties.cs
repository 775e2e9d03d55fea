using System.Globalization;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Dashboards.Reports;
using Astralytiq.Tests.Dashboards;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Properties;

/// <summary>A schedule (minute, hour, day of month, day of week in a time zone) and the rows written just before it fires.</summary>
public sealed record ScheduleCase(string Minute, int Hour, string DayOfMonth, string DayOfWeek, string Zone, IReadOnlyList<int> Appended)
{
    public string Cron => $"{Minute} {Hour} {DayOfMonth} * {DayOfWeek}";

    public override string ToString() => $"'{Cron}' in {Zone}, then {Appended.Count} row(s)";
}

public static class ReportArbitraries
{
    // Hours 5 to 22 only: in these zones clocks change between 00:00 and 04:00, where a local time can be missing or twice.
    public static Arbitrary<ScheduleCase> Cases() =>
        (from minute in Gen.OneOf(Gen.Choose(0, 59).Select(m => m.ToString(CultureInfo.InvariantCulture)), Gen.Elements("*/15", "0,30", "*"))
         from hour in Gen.Choose(5, 22)
         from weekly in ArbMap.Default.GeneratorFor<bool>()
         from dom in weekly ? Gen.Constant("*") : Gen.Elements("*", "1", "15", "28")
         from dow in weekly ? Gen.Elements("1-5", "0,6", "3", "1") : Gen.Constant("*")
         from zone in Gen.Elements("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo")
         from n in Gen.Choose(0, 3)
         from appended in Gen.Choose(-100, 1000).ListOf(n)
         select new ScheduleCase(minute, hour, dom, dow, zone, appended.ToList())).ToArbitrary();
}

/// <summary>An independent reading of the generated cron expressions: the local minutes they match, walked one by one.</summary>
public static class CronOracle
{
    /// <summary>Whether a local time matches one cron field (*, */n, a, a-b, a,b).</summary>
    private static bool Field(string field, int value) => field.Split(',').Any(part => part switch
    {
        "*" => true,
        _ when part.StartsWith("*/", StringComparison.Ordinal) => value % int.Parse(part[2..], CultureInfo.InvariantCulture) == 0,
        _ when part.Contains('-', StringComparison.Ordinal) => value >= int.Parse(part.Split('-')[0], CultureInfo.InvariantCulture) && value <= int.Parse(part.Split('-')[1], CultureInfo.InvariantCulture),
        _ => value == int.Parse(part, CultureInfo.InvariantCulture),
    });

    private static bool Matches(ScheduleCase c, DateTime local) =>
        Field(c.Minute, local.Minute) && local.Hour == c.Hour && Field(c.DayOfMonth, local.Day) && Field(c.DayOfWeek, (int)local.DayOfWeek);

    /// <summary>The first whole minute after <paramref name="after"/> whose local time matches, found by walking minute by minute.</summary>
    public static DateTimeOffset FirstMatchAfter(ScheduleCase c, DateTimeOffset after)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(c.Zone);
        var t = new DateTimeOffset(after.UtcDateTime.Ticks - after.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        for (var i = 0; i < 60 * 24 * 62; i++, t = t.AddMinutes(1))
        {
            if (Matches(c, TimeZoneInfo.ConvertTime(t, zone).DateTime))
            {
                return t;
            }
        }
        throw new InvalidOperationException($"{c.Cron} did not fire within 62 days");
    }
}

/// <summary>
/// P26's schedule arithmetic in process against the kernel's <see cref="Astralytiq.Platform.Scheduling.CronSchedule"/>:
/// from any instant, the next run is the first whole minute whose local time in the schedule's zone matches, and so is the
/// one after it.
/// </summary>
public sealed class ScheduleProperties
{
    public sealed record Start(ScheduleCase Case, DateTimeOffset After)
    {
        public override string ToString() => $"{Case} from {After:O}";
    }

    public static class Starts
    {
        public static Arbitrary<Start> Arbitrary() =>
            (from c in ReportArbitraries.Cases().Generator
             from minutes in Gen.Choose(0, 60 * 24 * 365 * 6)
             from seconds in Gen.Choose(0, 59)
             select new Start(c, new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minutes).AddSeconds(seconds))).ToArbitrary();
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Starts)])]
    public void P26_the_next_run_is_the_first_matching_minute_in_the_schedules_zone_and_so_is_the_one_after(Start start)
    {
        var next = Astralytiq.Platform.Scheduling.CronSchedule.NextRun(start.Case.Cron, start.Case.Zone, start.After);
        Assert.Equal(CronOracle.FirstMatchAfter(start.Case, start.After), next);
        Assert.Equal(CronOracle.FirstMatchAfter(start.Case, next!.Value), Astralytiq.Platform.Scheduling.CronSchedule.NextRun(start.Case.Cron, start.Case.Zone, next.Value));
    }
}

public abstract class ReportProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private TestTenant? _tenant;
    private Guid _dataset;
    private Guid _dashboard;
    private long _sum;

    private async Task<AstralytiqClient> SetUpAsync()
    {
        if (_tenant is not null)
        {
            return _tenant.Admin;
        }
        _tenant = await Platform.NewTenantAsync();
        _dataset = (await _tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("region,amount\nnorth,5\n")), "p26.csv", name: "p26")).EnsureValue().Id;
        _sum = 5;
        var total = new WidgetDto("total", "kpi", new GridPositionDto(0, 0, 3, 2), "Total", new WidgetSourceDto(_dataset, new QuerySpecDto(Measures: [new QueryMeasureDto("sum", "amount", "total")])));
        _dashboard = (await _tenant.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("p26", new DashboardDefinitionDto([total])))).EnsureValue().Id;
        return _tenant.Admin;
    }


    /// <summary>
    /// P26: a scheduled report runs at the time its schedule names in its time zone — not a second before, once however
    /// often the scheduler looks — and what it sends carries the data as it is when it runs (rows written after the report
    /// was made included); its next run moves to the following occurrence.
    /// </summary>
    /// <summary>P26 through the API, scheduler, job and email: a handful of cases (the schedule arithmetic has 200 more in process, <see cref="ScheduleProperties"/>).</summary>
    [Property(MaxTest = 12, Arbitrary = [typeof(ReportArbitraries)])]
    public async Task P26_a_scheduled_report_runs_at_its_time_in_its_zone_once_with_the_data_current_then(ScheduleCase c)
    {
        var client = await SetUpAsync();
        var scheduler = Platform.Services.GetRequiredService<Astralytiq.Platform.Scheduling.RecurringScheduler>();
        var to = PlatformFixture.NewEmail("p26");
        var report = (await client.Reports.CreateAsync(new ReportRequest("p26 " + c.Cron, _dashboard, c.Cron, ["csv"], [new ReportRecipientDto(Email: to)], c.Zone))).EnsureValue();
        try
        {
            var due = report.NextRunAt!.Value;
            Assert.Equal(CronOracle.FirstMatchAfter(c, report.UpdatedAt), due);

            Assert.Equal(0, await scheduler.TickAsync(due.AddSeconds(-1), CancellationToken.None, _tenant!.Id));
            Assert.Empty((await client.Reports.ListRunsAsync(report.Id)).EnsureValue());

            if (c.Appended.Count > 0)
            {
                var json = JsonSerializer.Serialize(c.Appended.Select(a => new Dictionary<string, object> { ["region"] = "east", ["amount"] = a }));
                (await client.Datasets.AppendRowsAsync(_dataset, json)).EnsureValue();
                _sum += c.Appended.Sum();
            }
            Assert.Equal(1, await scheduler.TickAsync(due, CancellationToken.None, _tenant.Id));
            Assert.Equal(0, await scheduler.TickAsync(due.AddSeconds(30), CancellationToken.None, _tenant.Id));
            var run = Assert.Single((await client.Reports.ListRunsAsync(report.Id)).EnsureValue());
            Assert.Equal(("schedule", due), (run.Trigger, run.ScheduledFor));
            var next = (await client.Reports.GetAsync(report.Id)).EnsureValue().NextRunAt!.Value;
            Assert.Equal(CronOracle.FirstMatchAfter(c, due), next);

            (await client.Jobs.WaitAsync(run.JobId!.Value)).EnsureValue();
            var email = await Platform.Smtp.WaitForAsync(to);
            var csv = ReportAttachments.Read(email).Csv.Single().Value;
            Assert.Equal($"total\r\n{_sum.ToString(CultureInfo.InvariantCulture)}\r\n", csv);
        }
        finally
        {
            // Only the case's own report may be due in the next case's ticks.
            (await client.Reports.DeleteAsync(report.Id)).EnsureSuccess();
        }
    }
}

public sealed class ReportProperties_Sqlite(SqlitePlatform platform) : ReportProperties<SqlitePlatform>(platform);

public sealed class ReportProperties_Postgres(PostgresPlatform platform) : ReportProperties<PostgresPlatform>(platform);
