using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Platform.Quotas;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Billing;

/// <summary>One case of P27: the plan the organisation is on, and the feature it asks for.</summary>
public sealed record PlanFeatureCase(string Plan, string Feature)
{
    public override string ToString() => $"{Feature} on {Plan}";
}

public static class PlanFeatureCases
{
    /// <summary>The test host's plans (see PlatformFixture): free and pro have everything, team some, starter little.</summary>
    public static readonly string[] Plans = ["free", "starter", "team", "pro"];

    /// <summary>Each gated feature and a request that reaches its gate (the answer past the gate does not matter).</summary>
    public static readonly IReadOnlyDictionary<string, (HttpMethod Method, string Path)> Doors = new Dictionary<string, (HttpMethod, string)>
    {
        ["api_keys"] = (HttpMethod.Post, "api/v1/users/api-keys"),
        ["public_sharing"] = (HttpMethod.Post, $"api/v1/dashboards/{Guid.NewGuid()}/links"),
        ["scheduled_reports"] = (HttpMethod.Post, "api/v1/reports"),
        ["ml_training"] = (HttpMethod.Post, "api/v1/ml/models/train"),
        ["sql_workspace"] = (HttpMethod.Post, "api/v1/data/sql"),
        ["forecasting"] = (HttpMethod.Get, $"api/v1/ml/models/{Guid.NewGuid()}/forecast"),
        ["webhooks"] = (HttpMethod.Post, "api/v1/notifications/webhooks"),
    };

    public static Arbitrary<PlanFeatureCase> Cases() =>
        (from plan in Gen.Elements(Plans) from feature in Gen.Elements(Doors.Keys.ToArray()) select new PlanFeatureCase(plan, feature)).ToArbitrary();
}

/// <summary>P27: a feature works exactly when the organisation's plan includes it; otherwise 403 FEATURE_NOT_IN_PLAN names the cheapest plan that has it.</summary>
public abstract class PlanFeatureTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private TestTenant? _tenant;
    private Astralytiq.Contracts.Client.AstralytiqClient? _operator;
    private string _plan = "free";

    protected async Task CheckP27Async(PlanFeatureCase @case)
    {
        _tenant ??= await Platform.NewTenantAsync();
        _operator ??= await Platform.NewOperatorAsync();
        if (_plan != @case.Plan)
        {
            (await _operator.Operator.ChangeTenantPlanAsync(_tenant.Id, new ChangeTenantPlanRequest(@case.Plan, "P27"))).EnsureSuccess();
            _plan = @case.Plan;
        }
        var plans = Platform.Services.GetRequiredService<PlanSettings>();
        var (method, path) = PlanFeatureCases.Doors[@case.Feature];
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _tenant.Admin.AccessToken);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { });
        }
        using var response = await _tenant.Admin.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var code = body.StartsWith('{') && JsonDocument.Parse(body).RootElement.TryGetProperty("error", out var error) ? error.GetProperty("code").GetString() : null;
        if (plans.Includes(@case.Plan, @case.Feature))
        {
            Assert.True(code != "FEATURE_NOT_IN_PLAN", $"{@case}: refused although the plan includes it: {body}");
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("FEATURE_NOT_IN_PLAN", code);
        var details = JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("details").EnumerateArray()
            .ToDictionary(d => d.GetProperty("field").GetString()!, d => d.GetProperty("message").GetString());
        Assert.Equal(@case.Feature, details["feature"]);
        Assert.Equal(@case.Plan, details["plan"]);
        // The cheapest plan with the feature, by price: the oracle reads the fixture's prices, written apart from the platform.
        var prices = new Dictionary<string, long> { ["starter"] = 1_900, ["team"] = 2_900, ["pro"] = 4_900, ["enterprise"] = 19_900, ["free"] = 100_000 };
        var expected = prices.Keys.Where(p => plans.Includes(p, @case.Feature)).OrderBy(p => prices[p]).First();
        Assert.Equal(expected, details["upgrade_to"]);
    }

    [Fact]
    public async Task The_gate_refuses_before_anything_changes_and_the_plan_list_shows_features_and_prices()
    {
        var tenant = await Platform.NewTenantAsync();
        var ops = await Platform.NewOperatorAsync();
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("starter", "test"))).EnsureSuccess();
        var refused = await tenant.Admin.Webhooks.CreateAsync(new Contracts.Notifications.WebhookEndpointRequest("https://example.com/hook", null, ["*"], null));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("Webhooks is not in the starter plan; the team plan includes it (the platform operator moves organisations between plans; Billing compares them)", refused.Error!.Error.Message);
        Assert.Empty((await tenant.Admin.Webhooks.ListAsync()).EnsureValue());

        var listed = (await ops.Operator.ListPlansAsync()).EnsureValue();
        var starter = Assert.Single(listed, p => p.Name == "starter");
        Assert.Equal(["api_keys", "realtime_dashboards"], starter.Features!);
        Assert.Equal(1_900, starter.MonthlyPriceCents);
        Assert.Contains("webhooks", Assert.Single(listed, p => p.Name == "pro").Features!);

        // The organisation sees its plan among the others, cheapest first (the Billing page's comparison).
        var mine = (await tenant.Admin.Tenant.GetPlansAsync()).EnsureValue();
        Assert.Equal(("starter", "USD"), (mine.Current, mine.Currency));
        // Plans configured with no price are private (the operator puts tenants on them): not offered, so not listed.
        Assert.Equal(["starter", "team", "pro", "enterprise", "free"], mine.Plans.Select(p => p.Name));
        Assert.Contains(listed, p => p.Name == "metered" && !p.Public);
        var (viewer, _) = await Platform.AddUserAsync(tenant, Contracts.Identity.Role.Viewer);
        Assert.Equal("starter", (await viewer.Tenant.GetPlansAsync()).EnsureValue().Current);
    }
}

/// <summary>A dashboard's SQL widget is the SQL workspace's engine: it needs the plan's SQL workspace too.</summary>
public abstract class SqlWidgetPlanTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task A_sql_widget_stops_answering_when_the_plan_loses_the_sql_workspace_and_cannot_be_saved_without_it()
    {
        var tenant = await Platform.NewTenantAsync();
        var ops = await Platform.NewOperatorAsync();
        var client = tenant.Admin;
        var name = "Sales " + Guid.NewGuid().ToString("N")[..6];
        (await client.Datasets.UploadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("region,amount\nnorth,1\nsouth,2\n")), "s.csv", name: name)).EnsureValue();
        var widget = new Contracts.Dashboards.WidgetDto("by-sql", "bar", new Contracts.Dashboards.GridPositionDto(0, 0, 6, 4), "Total by region",
            Sql: $"SELECT region, sum(amount) AS total FROM \"{name}\" GROUP BY region ORDER BY region");
        var board = (await client.Dashboards.CreateAsync(new Contracts.Dashboards.CreateDashboardRequest("SQL board", new Contracts.Dashboards.DashboardDefinitionDto([widget])))).EnsureValue();
        (await client.Dashboards.GetWidgetDataAsync(board.Id, "by-sql")).EnsureSuccess();

        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("starter", "test"))).EnsureSuccess();
        var refused = await client.Dashboards.GetWidgetDataAsync(board.Id, "by-sql");
        Assert.Equal((HttpStatusCode.Forbidden, "FEATURE_NOT_IN_PLAN"), (refused.Status, refused.Error!.Error.Code));
        var saved = await client.Dashboards.CreateAsync(new Contracts.Dashboards.CreateDashboardRequest("Another", new Contracts.Dashboards.DashboardDefinitionDto([widget])));
        Assert.False(saved.IsSuccess);
        Assert.Contains("not in the starter plan", saved.Error!.Error.Message + string.Join(" ", saved.Error.Error.Details?.Select(d => d.Message) ?? []), StringComparison.Ordinal);
        Assert.DoesNotContain((await client.Dashboards.ListAsync()).EnsureValue().Items, d => d.Name == "Another");
    }
}

public sealed class SqlWidgetPlanTests_Sqlite(SqlitePlatform platform) : SqlWidgetPlanTests<SqlitePlatform>(platform);

public sealed class SqlWidgetPlanTests_Postgres(PostgresPlatform platform) : SqlWidgetPlanTests<PostgresPlatform>(platform);

public sealed class PlanFeatureTests_Sqlite(SqlitePlatform platform) : PlanFeatureTests<SqlitePlatform>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(PlanFeatureCases)])]
    public Task P27_a_feature_works_exactly_when_the_plan_includes_it_and_a_refusal_names_the_cheapest_plan_with_it(PlanFeatureCase @case) => CheckP27Async(@case);
}

public sealed class PlanFeatureTests_Postgres(PostgresPlatform platform) : PlanFeatureTests<PostgresPlatform>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(PlanFeatureCases)])]
    public Task P27_a_feature_works_exactly_when_the_plan_includes_it_and_a_refusal_names_the_cheapest_plan_with_it(PlanFeatureCase @case) => CheckP27Async(@case);
}
