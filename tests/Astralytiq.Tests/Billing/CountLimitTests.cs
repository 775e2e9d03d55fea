using System.Net;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Billing;

/// <summary>A plan configured on every test host that limits what an organisation keeps.</summary>
internal static class CountedPlan
{
    public const string Name = "counted";
}

/// <summary>
/// P29 for what an organisation keeps: people (seats), dashboards, reports and alert rules are counted when made and given
/// back when removed; past the plan's limit the next one is refused with 402 naming the limit, and nothing is made.
/// </summary>
public abstract class CountLimitTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static CreateDashboardRequest Board(string name) => new(name, new DashboardDefinitionDto([]));

    private static long Used(Astralytiq.Contracts.Usage.UsageResponse usage, string metric) => usage.Items.Single(i => i.Metric == metric).Used;

    [Fact]
    public async Task Seats_are_counted_as_people_join_leave_and_return_and_an_invitation_past_the_limit_is_refused()
    {
        var tenant = await Platform.NewTenantOnPlanAsync(CountedPlan.Name);
        var admin = tenant.Admin;
        Assert.Equal(1, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "users"));
        var (_, analyst) = await Platform.AddUserAsync(tenant, Role.Analyst);
        var usage = (await admin.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Equal((2L, 2L), (Used(usage, "users"), usage.Items.Single(i => i.Metric == "users").Limit!.Value));

        var refused = await admin.Users.InviteAsync(new InviteUserRequest(PlatformFixture.NewEmail("third"), Role.Viewer));
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.Status);
        Assert.Equal("QUOTA_EXCEEDED", refused.Error!.Error.Code);
        Assert.Contains("2 users", refused.Error.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await admin.Users.ListInvitationsAsync()).EnsureValue(), i => i.Email.StartsWith("third", StringComparison.Ordinal));

        // Deactivating frees the seat; reactivating takes it back, and is refused while someone else holds it.
        (await admin.Users.DeactivateAsync(analyst.Id)).EnsureSuccess();
        Assert.Equal(1, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "users"));
        var (_, viewer) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var back = await admin.Users.ReactivateAsync(analyst.Id);
        Assert.Equal(HttpStatusCode.PaymentRequired, back.Status);
        Assert.False((await admin.Users.GetAsync(analyst.Id)).EnsureValue().IsActive);
        (await admin.Users.DeactivateAsync(viewer.Id)).EnsureSuccess();
        Assert.True((await admin.Users.ReactivateAsync(analyst.Id)).EnsureValue().IsActive);
        Assert.Equal(2, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "users"));
    }

    [Fact]
    public async Task Dashboards_racing_at_the_limit_never_pass_it_and_a_deleted_one_is_given_back()
    {
        var tenant = await Platform.NewTenantOnPlanAsync(CountedPlan.Name);
        var admin = tenant.Admin;
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => admin.Dashboards.CreateAsync(Board("Race " + i))));
        Assert.Equal(2, results.Count(r => r.Status == HttpStatusCode.Created));
        Assert.All(results.Where(r => r.Status != HttpStatusCode.Created), r => Assert.Equal("QUOTA_EXCEEDED", r.Error!.Error.Code));
        Assert.Equal(2, (await admin.Dashboards.ListAsync()).EnsureValue().Total);
        Assert.Equal(2, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "dashboards"));

        (await admin.Dashboards.DeleteAsync(results.First(r => r.IsSuccess).Value!.Id)).EnsureSuccess();
        Assert.Equal(1, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "dashboards"));
        var again = (await admin.Dashboards.CreateAsync(Board("After the delete"))).EnsureValue();

        // One report, one alert rule.
        var report = await admin.Reports.CreateAsync(new ReportRequest("Weekly", again.Id, "0 8 * * 1", ["csv"], [new ReportRecipientDto(Email: PlatformFixture.NewEmail("r"))], "UTC"));
        Assert.Equal(HttpStatusCode.Created, report.Status);
        var second = await admin.Reports.CreateAsync(new ReportRequest("Daily", again.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(Email: PlatformFixture.NewEmail("r"))], "UTC"));
        Assert.Equal((HttpStatusCode.PaymentRequired, "QUOTA_EXCEEDED"), (second.Status, second.Error!.Error.Code));
        (await admin.Reports.DeleteAsync(report.Value!.Id)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Created, (await admin.Reports.CreateAsync(new ReportRequest("Daily", again.Id, "0 8 * * *", ["csv"], [new ReportRecipientDto(Email: PlatformFixture.NewEmail("r"))], "UTC"))).Status);

        var rule = await admin.Alerts.CreateAsync(new AlertRuleRequest("First", ScriptedAlertMetric.MetricName, ">", 10, 1, 0, 1, "warning", ["in_app"], null, null));
        Assert.True(rule.IsSuccess, rule.Error?.Error.Message);
        var extra = await admin.Alerts.CreateAsync(new AlertRuleRequest("Second", ScriptedAlertMetric.MetricName, ">", 10, 1, 0, 1, "warning", ["in_app"], null, null));
        Assert.Equal((HttpStatusCode.PaymentRequired, "QUOTA_EXCEEDED"), (extra.Status, extra.Error!.Error.Code));
        Assert.Contains("1 alert rule", extra.Error.Error.Message, StringComparison.Ordinal);
        (await admin.Alerts.DeleteAsync(rule.Value!.Id)).EnsureSuccess();
        Assert.True((await admin.Alerts.CreateAsync(new AlertRuleRequest("Second", ScriptedAlertMetric.MetricName, ">", 10, 1, 0, 1, "warning", ["in_app"], null, null))).IsSuccess);
        var usage = (await admin.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Equal((2L, 1L, 1L), (Used(usage, "dashboards"), Used(usage, "reports"), Used(usage, "alert_rules")));
    }

    [Fact]
    public async Task Deployments_past_the_plan_are_refused_a_deleted_one_is_given_back_and_the_log_is_kept_as_long_as_the_plan_says()
    {
        var tenant = await Platform.NewTenantOnPlanAsync(CountedPlan.Name);
        var admin = tenant.Admin;
        var data = await Astralytiq.Tests.ML.MlData.UploadAsync(admin, Astralytiq.Tests.ML.MlData.Houses(60));
        var model = Astralytiq.Tests.ML.MlData.Unique("price");
        await Astralytiq.Tests.ML.MlData.TrainAsync(admin, new Astralytiq.Contracts.ML.TrainModelRequest(model, data.Id, "regression", "price", Features: ["rooms", "area"], Algorithm: "linear", CvFolds: 2));
        Astralytiq.Contracts.ML.CreateDeploymentRequest Deployment(string name) => new(name, [new Astralytiq.Contracts.ML.DeploymentVariantDto("main", model, Version: 1, Weight: 100)]);
        (await admin.Deployments.CreateAsync(Deployment("first"))).EnsureValue();
        var refused = await admin.Deployments.CreateAsync(Deployment("second"));
        Assert.Equal((HttpStatusCode.PaymentRequired, "QUOTA_EXCEEDED"), (refused.Status, refused.Error!.Error.Code));
        Assert.Contains("1 deployment", refused.Error.Error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await admin.Deployments.ListAsync()).EnsureValue().Total);
        Assert.Equal(1, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "deployments"));

        // The plan keeps history a week: the predictions (and their actual values) go after eight days, not after six.
        var answer = (await admin.Deployments.PredictAsync("first", new Astralytiq.Contracts.ML.DeploymentPredictRequest(Row: new System.Text.Json.Nodes.JsonObject { ["rooms"] = 2, ["area"] = 50.0 }))).EnsureValue();
        (await admin.Deployments.FeedbackAsync("first", new Astralytiq.Contracts.ML.FeedbackRequest(answer.Predictions[0].PredictionId, Actual: System.Text.Json.Nodes.JsonValue.Create(150.0)))).EnsureValue();
        var retention = Platform.Services.GetRequiredService<Astralytiq.ML.Prediction.MlRetention>();
        var now = Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        Assert.Equal(0, (await retention.PurgeAsync(now.AddDays(6), CancellationToken.None, tenant.Id)).Predictions);
        Assert.Equal(1, (await retention.PurgeAsync(now.AddDays(8), CancellationToken.None, tenant.Id)).Predictions);
        Assert.Equal(0L, (await admin.Deployments.PerformanceAsync("first", now.AddHours(-1), now.AddHours(1))).EnsureValue().Labelled);

        (await admin.Deployments.DeleteAsync("first")).EnsureSuccess();
        Assert.Equal(0, Used((await admin.Tenant.GetUsageAsync()).EnsureValue(), "deployments"));
        (await admin.Deployments.CreateAsync(Deployment("second"))).EnsureValue();
    }
}

public sealed class CountLimitTests_Sqlite(SqlitePlatform platform) : CountLimitTests<SqlitePlatform>(platform);

public sealed class CountLimitTests_Postgres(PostgresPlatform platform) : CountLimitTests<PostgresPlatform>(platform);
