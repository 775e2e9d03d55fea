using System.Net;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Data;

public abstract class PipelineTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    protected static string Unique(string stem) => stem + " " + Guid.NewGuid().ToString("N")[..8];

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>Waits for the run's job to end (the run is finished before its job is), then reads the run.</summary>
    protected static async Task<PipelineRunDto> FinishedAsync(AstralytiqClient client, Guid pipeline, Guid run)
    {
        var queued = (await client.Pipelines.ListRunsAsync(pipeline)).EnsureValue().Single(r => r.Id == run);
        var job = (await client.Jobs.WaitAsync(queued.JobId!.Value, timeout: TimeSpan.FromSeconds(60))).EnsureValue();
        Assert.True(job.Status is Astralytiq.Contracts.Jobs.JobStatus.Succeeded or Astralytiq.Contracts.Jobs.JobStatus.DeadLettered or Astralytiq.Contracts.Jobs.JobStatus.Failed,
            $"the pipeline run's job is still {job.Status} after 60 s");
        return (await client.Pipelines.ListRunsAsync(pipeline)).EnsureValue().Single(r => r.Id == run);
    }

    protected static List<string> Rows(DatasetPreviewResponse preview) => preview.Rows.Select(r => string.Join("|", r.Select(v => v?.ToString()))).ToList();

    [Fact]
    public async Task A_dataset_pipeline_makes_a_new_output_version_from_the_latest_source_on_each_run()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var source = (await client.Datasets.UploadAsync(Text("city,amount\nOslo,10\nBergen,4\nOslo,6\n"), "sales.csv", name: Unique("sales"))).EnsureValue();
        var output = Unique("oslo totals");
        var pipeline = (await client.Pipelines.CreateAsync(new PipelineRequest(Unique("Oslo"), new PipelineSourceDto("dataset", source.Id), output,
        [
            new TransformStepDto("filter", Expression: "city = 'Oslo'"),
            new TransformStepDto("group", GroupBy: ["city"], Aggregations: [new AggregationDto("sum", "amount", "total"), new AggregationDto("count", As: "sales")]),
        ]))).EnsureValue();
        Assert.Null(pipeline.Schedule);
        Assert.Null(pipeline.NextRunAt);

        var queued = await client.Pipelines.RunAsync(pipeline.Id);
        Assert.Equal(HttpStatusCode.Accepted, queued.Status);
        Assert.Equal(("manual", "queued"), (queued.Value!.Trigger, queued.Value.Status));
        var first = await FinishedAsync(client, pipeline.Id, queued.Value.Id);
        Assert.True(first.Status == "succeeded", first.Error);
        Assert.Equal((1, 1L), (first.OutputVersion, first.RowCount));
        Assert.Equal(["Oslo|16|2"], Rows((await client.Datasets.PreviewAsync(first.OutputDatasetId!.Value)).EnsureValue()));
        var made = (await client.Datasets.GetAsync(first.OutputDatasetId.Value)).EnsureValue();
        Assert.Equal((output, "pipeline"), (made.Name, made.Source.Kind));

        // The source changes; the next run reads its latest version and adds a version to the same output.
        (await client.Datasets.AppendRowsAsync(source.Id, "{\"city\":\"Oslo\",\"amount\":5}")).EnsureSuccess();
        var second = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
        Assert.Equal(("succeeded", first.OutputDatasetId, 2), (second.Status, second.OutputDatasetId, second.OutputVersion));
        Assert.Equal(["Oslo|21|3"], Rows((await client.Datasets.PreviewAsync(made.Id)).EnsureValue()));
        Assert.Equal([second.Id, first.Id], (await client.Pipelines.ListRunsAsync(pipeline.Id)).EnsureValue().Select(r => r.Id));
        Assert.Equal(second.Id, (await client.Pipelines.GetAsync(pipeline.Id)).EnsureValue().LastRun!.Id);

        // Lineage: output v2 was made from source v2; the output hangs below the source.
        var lineage = (await client.Datasets.GetLineageAsync(made.Id)).EnsureValue();
        Assert.Contains(lineage.Edges, e => e.From == $"dataset:{source.Id}:v2" && e.To == "version:2");
        Assert.Contains((await client.Datasets.GetLineageAsync(source.Id)).EnsureValue().Edges, e => e.From == "version:2" && e.To == $"dataset:{made.Id}:v2");

        // A run whose source has gone fails, and says why.
        (await client.Datasets.DeleteAsync(source.Id, force: true)).EnsureSuccess();
        var failed = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("source dataset no longer exists", failed.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await client.Datasets.GetAsync(made.Id)).EnsureValue().CurrentVersion);
    }

    [Fact]
    public async Task Schedules_are_cron_in_a_time_zone_and_the_scheduler_runs_what_is_due()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var source = (await client.Datasets.UploadAsync(Text("n\n1\n2\n"), "n.csv", name: Unique("n"))).EnsureValue();
        PipelineRequest Request(string cron, string? zone = "Europe/Oslo") =>
            new(Unique("nightly"), new PipelineSourceDto("dataset", source.Id), Unique("n out"), [], new PipelineScheduleDto(cron, zone));

        var pipeline = (await client.Pipelines.CreateAsync(Request("30 6 * * 1-5"))).EnsureValue();
        var next = pipeline.NextRunAt!.Value;
        var oslo = TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Oslo"));
        Assert.Equal((6, 30), (oslo.Hour, oslo.Minute));
        Assert.InRange(oslo.DayOfWeek, DayOfWeek.Monday, DayOfWeek.Friday);
        Assert.True(next > DateTimeOffset.UtcNow);

        foreach (var (cron, zone, field) in new[]
        {
            ("every day", "UTC", "schedule.cron"), ("* * * * *", "UTC", "schedule.cron"), ("0 0 30 2 *", "UTC", "schedule.cron"), ("0 6 * * *", "Mars/Olympus", "schedule.time_zone"),
        })
        {
            var refused = await client.Pipelines.CreateAsync(Request(cron, zone));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
            Assert.Equal(field, refused.Error!.Error.Details![0].Field);
        }

        // Make it due (a Monday, 06:30 in Oslo); the scheduler queues a run and moves the next run on.
        var due = new DateTimeOffset(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            var db = scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Persistence.DataDbContext>();
            var row = await db.Pipelines.SingleAsync(p => p.Id == pipeline.Id);
            row.NextRunAt = due;
            await db.SaveChangesAsync();
        }
        // One tick of the kernel scheduler (its timer is set to an hour in tests, so the tick here is the only one).
        var scheduler = Platform.Services.GetRequiredService<Astralytiq.Platform.Scheduling.RecurringScheduler>();
        Assert.Equal(0, await scheduler.TickAsync(due.AddSeconds(-1), CancellationToken.None, tenant.Id)); // not yet
        Assert.Equal(1, await scheduler.TickAsync(due, CancellationToken.None, tenant.Id));
        Assert.Equal(0, await scheduler.TickAsync(due.AddMinutes(1), CancellationToken.None, tenant.Id)); // claimed already
        var run = Assert.Single((await client.Pipelines.ListRunsAsync(pipeline.Id)).EnsureValue());
        Assert.Equal("schedule", run.Trigger);
        Assert.Equal("succeeded", (await FinishedAsync(client, pipeline.Id, run.Id)).Status);
        Assert.Equal(Astralytiq.Platform.Scheduling.CronSchedule.NextRun("30 6 * * 1-5", "Europe/Oslo", due), (await client.Pipelines.GetAsync(pipeline.Id)).EnsureValue().NextRunAt);
        Assert.Single((await client.Pipelines.ListRunsAsync(pipeline.Id)).EnsureValue());

        // Disabled pipelines have no next run.
        var off = (await client.Pipelines.UpdateAsync(pipeline.Id, Request("30 6 * * 1-5") with { Name = pipeline.Name, OutputName = pipeline.OutputName, Enabled = false })).EnsureValue();
        Assert.Null(off.NextRunAt);
    }

    [Fact]
    public async Task Nodes_ticking_at_the_same_moment_start_each_due_pipeline_exactly_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var source = (await client.Datasets.UploadAsync(Text("n\n1\n"), "n.csv", name: Unique("n"))).EnsureValue();
        var due = new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await client.Pipelines.CreateAsync(new PipelineRequest(Unique("hourly"), new PipelineSourceDto("dataset", source.Id), Unique("out"), [],
                new PipelineScheduleDto("0 * * * *", "UTC")))).EnsureValue().Id);
        }
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            var db = scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Persistence.DataDbContext>();
            foreach (var row in await db.Pipelines.Where(p => ids.Contains(p.Id)).ToListAsync())
            {
                row.NextRunAt = due;
            }
            await db.SaveChangesAsync();
        }

        // Four schedulers (as on four nodes) look at once: every claim is won by exactly one of them.
        var scheduler = Platform.Services.GetRequiredService<Astralytiq.Platform.Scheduling.RecurringScheduler>();
        var started = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => scheduler.TickAsync(due.AddSeconds(5), CancellationToken.None, tenant.Id))));
        Assert.Equal(3, started.Sum());
        foreach (var id in ids)
        {
            var run = Assert.Single((await client.Pipelines.ListRunsAsync(id)).EnsureValue());
            var finished = await FinishedAsync(client, id, run.Id);
            Assert.True(finished.Status == "succeeded", finished.Error);
            Assert.Equal(due.AddHours(1), (await client.Pipelines.GetAsync(id)).EnsureValue().NextRunAt);
        }
    }

    [Fact]
    public async Task Http_pipelines_keep_their_headers_sealed_and_use_them_on_every_run()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var page = 0;
        await using var server = new LocalJsonServer(_ => Interlocked.Increment(ref page) == 1
            ? "[{\"id\":1,\"temp\":3.5},{\"id\":2,\"temp\":-1.0}]"
            : "[{\"id\":1,\"temp\":4.5},{\"id\":2,\"temp\":0.5},{\"id\":3,\"temp\":9.0}]");
        var request = new PipelineRequest(Unique("weather"),
            new PipelineSourceDto("http", Http: new HttpImportRequest(null, server.Url("/readings"), new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret" })),
            Unique("readings"), [new TransformStepDto("filter", Expression: "temp > 0")]);
        var pipeline = (await client.Pipelines.CreateAsync(request)).EnsureValue();
        Assert.Equal("••••", pipeline.Source.Http!.Headers!["Authorization"]);
        Assert.DoesNotContain("s3cret", JsonSerializer.Serialize(await client.Pipelines.GetAsync(pipeline.Id)), StringComparison.Ordinal);

        var first = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
        Assert.True(first.Status == "succeeded", first.Error);
        Assert.Equal(1L, first.RowCount);

        // Saved again with the header shown as ••••: the stored value is kept.
        (await client.Pipelines.UpdateAsync(pipeline.Id, request with { Source = pipeline.Source })).EnsureSuccess();
        var second = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
        Assert.Equal(("succeeded", 2, 3L), (second.Status, second.OutputVersion, second.RowCount));
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer s3cret", a));
        Assert.Equal(2, server.Authorizations.Count);

        // The stored secret is sealed: the database row does not hold it in clear.
        await using var scope = Platform.Services.CreateAsyncScope();
        using var system = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginSystemScope();
        var row = await scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Persistence.DataDbContext>().Pipelines.AsNoTracking().SingleAsync(p => p.Id == pipeline.Id);
        Assert.DoesNotContain("s3cret", row.SealedSecrets!, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", row.SourceJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_pipelines_are_refused_and_other_tenants_and_viewers_cannot_touch_them()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var source = (await client.Datasets.UploadAsync(Text("n\n1\n"), "n.csv", name: Unique("n"))).EnsureValue();
        var good = new PipelineRequest(Unique("p"), new PipelineSourceDto("dataset", source.Id), Unique("out"));
        foreach (var (request, field) in new[]
        {
            (good with { Name = "" }, "name"),
            (good with { OutputName = null }, "output_name"),
            (good with { Source = new PipelineSourceDto("ftp") }, "source.kind"),
            (good with { Source = new PipelineSourceDto("dataset") }, "source.dataset_id"),
            (good with { Source = new PipelineSourceDto("dataset", Guid.NewGuid()) }, "source.dataset_id"),
            (good with { Source = new PipelineSourceDto("http", Http: new HttpImportRequest(null, "file:///etc/passwd")) }, "source.http.url"),
            (good with { Source = new PipelineSourceDto("database", Database: new DatabaseImportRequest(null, "postgres", new DatabaseConnectionDto("a,b", null, "d", "u", "p"), "SELECT 1")) }, "source.database.connection.host"),
            (good with { Steps = [new TransformStepDto("select", Columns: ["missing"])] }, "steps[0].columns"),
        })
        {
            var refused = await client.Pipelines.CreateAsync(request);
            Assert.True(refused.Status == HttpStatusCode.UnprocessableEntity, $"{field}: {refused.Status}");
            Assert.Equal(field, refused.Error!.Error.Details![0].Field);
        }
        Assert.Equal(HttpStatusCode.Conflict, (await client.Pipelines.CreateAsync(good with { OutputName = source.Name })).Status);
        var pipeline = (await client.Pipelines.CreateAsync(good)).EnsureValue();
        Assert.Equal(HttpStatusCode.Conflict, (await client.Pipelines.CreateAsync(good with { OutputName = Unique("other") })).Status);

        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Pipelines.GetAsync(pipeline.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Pipelines.RunAsync(pipeline.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Pipelines.ListRunsAsync(pipeline.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Pipelines.DeleteAsync(pipeline.Id)).Status);
        Assert.Empty((await other.Admin.Pipelines.ListAsync()).EnsureValue().Items);
        // A pipeline reading another tenant's dataset cannot be made.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await other.Admin.Pipelines.CreateAsync(good with { Name = "x" })).Status);

        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        Assert.Single((await viewer.Pipelines.ListAsync()).EnsureValue().Items);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Pipelines.RunAsync(pipeline.Id)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Pipelines.CreateAsync(good with { Name = "v" })).Status);

        (await client.Pipelines.DeleteAsync(pipeline.Id)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.NotFound, (await client.Pipelines.GetAsync(pipeline.Id)).Status);
    }
}

public sealed class PipelineTests_Sqlite(SqlitePlatform platform) : PipelineTests<SqlitePlatform>(platform);

public sealed class PipelineTests_Postgres(PostgresPlatform platform) : PipelineTests<PostgresPlatform>(platform)
{
    [Fact]
    public async Task A_database_pipeline_reads_the_query_afresh_on_each_run_with_its_sealed_password()
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(PostgresPlatform.AdminConnectionString);
        var schema = "pipe_" + Guid.NewGuid().ToString("N")[..8];
        async Task SqlAsync(string sql)
        {
            await using var pg = new Npgsql.NpgsqlConnection(admin.ConnectionString);
            await pg.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(sql, pg);
            await command.ExecuteNonQueryAsync();
        }
        await SqlAsync($"CREATE SCHEMA {schema}; CREATE TABLE {schema}.sales (region text, amount numeric(10,2)); INSERT INTO {schema}.sales VALUES ('north', 10), ('south', 4.5);");
        try
        {
            var client = (await Platform.NewTenantAsync()).Admin;
            var connection = new DatabaseConnectionDto(admin.Host, admin.Port, admin.Database, admin.Username, "pw-" + Guid.NewGuid().ToString("N"), "disable");
            var request = new PipelineRequest(Unique("sales sync"),
                new PipelineSourceDto("database", Database: new DatabaseImportRequest(null, "postgres", connection, $"SELECT region, amount FROM {schema}.sales ORDER BY region")),
                Unique("sales"), [new TransformStepDto("derive", Name: "with_tax", Expression: "round(amount * 1.25, 2)")]);
            var pipeline = (await client.Pipelines.CreateAsync(request)).EnsureValue();
            Assert.Null(pipeline.Source.Database!.Connection!.Password);
            Assert.DoesNotContain(connection.Password!, JsonSerializer.Serialize(await client.Pipelines.GetAsync(pipeline.Id)), StringComparison.Ordinal);

            var first = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
            Assert.True(first.Status == "succeeded", first.Error);
            Assert.Equal(["north|10|12.5", "south|4.5|5.63"], Rows((await client.Datasets.PreviewAsync(first.OutputDatasetId!.Value)).EnsureValue()));

            // The table changes; saved again without the password (kept sealed), the next run reads the new rows.
            await SqlAsync($"INSERT INTO {schema}.sales VALUES ('west', 2)");
            (await client.Pipelines.UpdateAsync(pipeline.Id, request with { Source = pipeline.Source })).EnsureSuccess();
            var second = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
            Assert.Equal(("succeeded", 2, 3L), (second.Status, second.OutputVersion, second.RowCount));
            var made = (await client.Datasets.GetAsync(second.OutputDatasetId!.Value)).EnsureValue();
            Assert.Equal("pipeline", made.Source.Kind);
            Assert.Contains($"{schema}.sales", made.Source.Query, StringComparison.Ordinal);

            // A query that fails at run time fails the run, with PostgreSQL's words.
            (await client.Pipelines.UpdateAsync(pipeline.Id, request with { Source = pipeline.Source with { Database = pipeline.Source.Database with { Query = $"SELECT nope FROM {schema}.sales" } } })).EnsureSuccess();
            var failed = await FinishedAsync(client, pipeline.Id, (await client.Pipelines.RunAsync(pipeline.Id)).EnsureValue().Id);
            Assert.Equal("failed", failed.Status);
            Assert.Contains("nope", failed.Error, StringComparison.Ordinal);
        }
        finally
        {
            await SqlAsync($"DROP SCHEMA {schema} CASCADE");
        }
    }
}
