using System.Net;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Notifications;

/// <summary>Error-rate and latency rules of an organisation, and the platform operator's own rules across every tenant.</summary>
public abstract class OperatorAlertTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task An_organisations_error_rate_and_p99_rules_see_its_own_server_errors_and_no_one_elses()
    {
        var tenant = await Platform.NewTenantAsync();
        var bystander = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        Assert.Equal(0, (await client.Alerts.SeriesAsync("error_rate", windowMinutes: 5, points: 1)).EnsureValue().Points[0].Value ?? 0);

        // Two requests meet a store that is down (503), two are answered.
        client.Http.DefaultRequestHeaders.Add(StoreFaults.Header, "data");
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.Datasets.ListAsync()).Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.Datasets.ListAsync()).Status);
        }
        finally
        {
            client.Http.DefaultRequestHeaders.Remove(StoreFaults.Header);
        }
        (await client.Datasets.ListAsync()).EnsureSuccess();

        var rate = (await client.Alerts.CreateAsync(new AlertRuleRequest("Errors", "error_rate", ">", 5, 5, 0, 1, "critical", ["in_app"], null, null))).EnsureValue();
        var fired = (await client.Alerts.EvaluateAsync(rate.Id)).EnsureValue();
        Assert.Equal("firing", fired.State);
        Assert.InRange(fired.LastValue!.Value, 5.000001, 100.0 * 2 / 3);
        var slow = (await client.Alerts.CreateAsync(new AlertRuleRequest("Slow", "p99_latency", ">", 0, 5, 0, 1, "warning", ["in_app"], null, null))).EnsureValue();
        Assert.True((await client.Alerts.EvaluateAsync(slow.Id)).EnsureValue().LastValue > 0);

        // The other organisation answered every request: its rate is 0.
        var other = (await bystander.Admin.Alerts.CreateAsync(new AlertRuleRequest("Errors", "error_rate", ">", 0, 5, 0, 1, "critical", ["in_app"], null, null))).EnsureValue();
        var calm = (await bystander.Admin.Alerts.EvaluateAsync(other.Id)).EnsureValue();
        Assert.Equal(("ok", 0.0), (calm.State, calm.LastValue));
    }

    [Fact]
    public async Task The_operators_rules_watch_every_tenant_and_are_theirs_alone()
    {
        var ops = await Platform.NewOperatorAsync();
        var metrics = (await ops.Operator.Alerts.MetricsAsync()).EnsureValue().Select(m => m.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "error_rate", "p99_latency", "job_failures", "ingest_failures", "queue_age" }, metrics);
        Assert.DoesNotContain("quota_use", metrics);
        Assert.DoesNotContain(ScriptedAlertMetric.MetricName, metrics);
        var refused = await ops.Operator.Alerts.CreateAsync(new AlertRuleRequest("Quota", "quota_use", ">", 90, 5, 0, 1, "warning", ["in_app"], null, null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);

        // A tenant's job fails for good: the operator's rule on job failures across tenants fires and tells the operator.
        var tenant = await Platform.NewTenantAsync();
        await FailedJobs.FailForGoodAsync(Platform, tenant);
        var rule = (await ops.Operator.Alerts.CreateAsync(new AlertRuleRequest("Jobs failing anywhere", "job_failures", ">=", 1, 15, 0, 1, "critical", ["in_app"], null, null))).EnsureValue();
        var fired = (await ops.Operator.Alerts.EvaluateAsync(rule.Id)).EnsureValue();
        Assert.Equal("firing", fired.State);
        Assert.True(fired.LastValue >= 1);
        Assert.Contains((await ops.Notifications.ListAsync()).EnsureValue().Items, n => n.Kind == "alert.firing" && n.Title == "Alert firing: Jobs failing anywhere");
        Assert.Contains((await ops.Operator.Alerts.EventsAsync(rule.Id)).EnsureValue().Items, e => e.Kind == "firing");

        // The tenant neither sees nor reaches it, and the operator cannot use an organisation's alert routes.
        Assert.DoesNotContain((await tenant.Admin.Alerts.ListAsync()).EnsureValue(), r => r.Id == rule.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Alerts.GetAsync(rule.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Alerts.DeleteAsync(rule.Id)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.Alerts.ListAsync()).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.Alerts.ListAsync()).Status);
        (await ops.Operator.Alerts.DeleteAsync(rule.Id)).EnsureSuccess();
    }

    [Fact]
    public async Task The_operators_status_figures_show_this_nodes_traffic_and_server_errors_with_trace_ids()
    {
        var ops = await Platform.NewOperatorAsync();
        var tenant = await Platform.NewTenantAsync();
        tenant.Admin.Http.DefaultRequestHeaders.Add(StoreFaults.Header, "data");
        var failed = await tenant.Admin.Datasets.ListAsync();
        tenant.Admin.Http.DefaultRequestHeaders.Remove(StoreFaults.Header);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        var requestId = failed.Error!.Error.RequestId;

        // The failed request is counted once its answer is sent (the exception handler's 503, not the exception).
        await Eventually.TrueAsync(async () => (await ops.Operator.MetricsAsync(15)).EnsureValue().RecentErrors.Any(e => e.RequestId == requestId),
            TimeSpan.FromSeconds(10), "the failed request is in the recent errors");
        var figures = (await ops.Operator.MetricsAsync(15)).EnsureValue();
        Assert.Equal(15, figures.PerMinute.Count);
        Assert.True(figures.Traffic.Requests >= 2 && figures.Traffic.ServerErrors >= 1 && figures.PerMinute.Sum(m => m.ServerErrors) == figures.Traffic.ServerErrors);
        var error = Assert.Single(figures.RecentErrors, e => e.RequestId == requestId);
        Assert.Equal(("GET", "/api/v1/data/datasets", 503, tenant.Id), (error.Method, error.Route, error.Status, error.TenantId));
        Assert.Matches("^[0-9a-f]{32}$", error.TraceId);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.MetricsAsync(61)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.MetricsAsync()).Status);
    }
}

public sealed class OperatorAlertTests_Sqlite(SqlitePlatform platform) : OperatorAlertTests<SqlitePlatform>(platform);

public sealed class OperatorAlertTests_Postgres(PostgresPlatform platform) : OperatorAlertTests<PostgresPlatform>(platform);

/// <summary>The in-app inbox lives in the Notifications module; notices the kernel kept before are moved into it at start-up.</summary>
public abstract class InboxMoveTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task Notices_the_kernel_kept_move_into_the_modules_inbox_once_keeping_what_was_read()
    {
        var tenant = await Platform.NewTenantAsync();
        var other = await Platform.NewTenantAsync();
        var now = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero); // kept before the move: any past time
        var (unread, read, elsewhere) = (Guid.CreateVersion7(now), Guid.CreateVersion7(now.AddMilliseconds(1)), Guid.CreateVersion7(now.AddMilliseconds(2)));
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>();
            var db = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Persistence.PlatformDbContext>();
            foreach (var (id, owner, readAt) in new[] { (unread, tenant, (DateTimeOffset?)null), (read, tenant, now), (elsewhere, other, null) })
            {
                using var _ = context.BeginTenantScope(owner.Id);
                db.Notifications.Add(new Astralytiq.Platform.Notifications.Notification
                {
                    Id = id, TenantId = owner.Id, UserId = owner.AdminUser.Id, Kind = "report.delivered", Title = "Kept by the kernel " + id, Body = "body", Link = "/x", CreatedAt = now, ReadAt = readAt,
                });
                await db.SaveChangesAsync();
            }
        }
        // Twice, as after a crash between copying and removing: nothing is doubled.
        for (var run = 0; run < 2; run++)
        {
            await using var scope = Platform.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetServices<Astralytiq.Platform.Jobs.IStartupTask>().OfType<Astralytiq.Notifications.Inbox.InboxMove>().Single().RunAsync(CancellationToken.None);
        }
        var mine = (await tenant.Admin.Notifications.ListAsync()).EnsureValue();
        Assert.Equal([read, unread], mine.Items.Select(n => n.Id));
        Assert.Equal(1, mine.Unread);
        Assert.Equal(elsewhere, Assert.Single((await other.Admin.Notifications.ListAsync()).EnsureValue().Items).Id);
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Notifications.ILegacyInbox>().ReadBatchAsync(10, CancellationToken.None));
        }
    }
}

public sealed class InboxMoveTests_Sqlite(SqlitePlatform platform) : InboxMoveTests<SqlitePlatform>(platform);

public sealed class InboxMoveTests_Postgres(PostgresPlatform platform) : InboxMoveTests<PostgresPlatform>(platform);
