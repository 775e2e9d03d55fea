using System.Net;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Identity;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Tenancy;

public abstract class OperatorTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private async Task<AstralytiqClient> OperatorAsync()
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetAccountCommands()
            .CreateOperatorAsync(PlatformFixture.NewEmail("ops"), "Operator-Password-12", CancellationToken.None);
        var client = Platform.NewClient();
        (await client.LoginAsync(new LoginRequest(account.Email, account.Password))).EnsureSuccess();
        return client;
    }

    private async Task<HttpStatusCode> StatusWithAsync(string header, string value)
    {
        using var http = Platform.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/users/profile", UriKind.Relative));
        if (header == "Authorization")
        {
            request.Headers.Authorization = new("Bearer", value);
        }
        else
        {
            request.Headers.Add(header, value);
        }
        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task A_suspended_tenant_is_signed_out_everywhere_and_comes_back_when_reactivated()
    {
        var ops = await OperatorAsync();
        var tenant = await Platform.NewTenantAsync("Suspendable " + Guid.NewGuid().ToString("N")[..6]);
        var apiKey = (await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("ci", ["profile:self"], null))).EnsureValue().Key;
        var accessToken = tenant.Admin.AccessToken!;
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync("Authorization", accessToken));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync("X-Api-Key", apiKey));

        var listed = (await ops.Operator.ListTenantsAsync(search: "SUSPENDABLE", limit: 200)).EnsureValue();
        Assert.Contains(listed.Items, t => t.Id == tenant.Id && t.Status == "active");

        var suspended = (await ops.Operator.SuspendTenantAsync(tenant.Id, new SuspendTenantRequest("Unpaid invoices"))).EnsureValue();
        Assert.Equal("suspended", suspended.Status);
        Assert.Equal("suspended", (await ops.Operator.GetTenantAsync(tenant.Id)).EnsureValue().Status);

        // The session ends as soon as the outbox delivers TenantSuspended (or its cached state expires).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await StatusWithAsync("Authorization", accessToken) != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync("Authorization", accessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync("X-Api-Key", apiKey));
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.Admin.RefreshAsync()).Status);
        var relogin = Platform.NewClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await relogin.LoginAsync(new LoginRequest(tenant.AdminUser.Email, tenant.AdminPassword))).Status);
        Assert.Contains((await ops.Operator.ListTenantsAsync(search: "suspendable", limit: 200)).EnsureValue().Items, t => t.Id == tenant.Id && t.Status == "suspended");

        Assert.Equal("active", (await ops.Operator.ReactivateTenantAsync(tenant.Id)).EnsureValue().Status);
        (await relogin.LoginAsync(new LoginRequest(tenant.AdminUser.Email, tenant.AdminPassword))).EnsureSuccess();
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync("X-Api-Key", apiKey));

        // The tenant's own audit log says who suspended it and why.
        var entries = (await relogin.Audit.ListAsync(action: "tenant.suspended")).EnsureValue().Items;
        var entry = Assert.Single(entries);
        Assert.Equal("Unpaid invoices", entry.Details!["reason"]);
        Assert.Equal((await ops.Account.GetProfileAsync()).EnsureValue().Email, entry.ActorEmail);
        Assert.Single((await relogin.Audit.ListAsync(action: "tenant.reactivated")).EnsureValue().Items);
        Assert.True((await relogin.Audit.VerifyAsync()).EnsureValue().Valid);
    }

    [Fact]
    public async Task The_operator_moves_a_tenant_between_plans_and_its_limits_follow_at_once()
    {
        var ops = await Platform.NewOperatorAsync();
        var tenant = await Platform.NewTenantAsync();
        var plans = (await ops.Operator.ListPlansAsync()).EnsureValue();
        // Cheapest first; a plan without a price last.
        Assert.Equal(plans.OrderBy(p => p.MonthlyPriceCents ?? long.MaxValue).ThenBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name), plans.Select(p => p.Name));
        Assert.Contains(plans, p => p.Name == "pro" && p.Limits["datasets"] == 5_000);
        // Enterprise limits nothing but its (large) request rate, and keeps history two years.
        Assert.Equal(["api_calls_per_minute", "retention_days"], plans.Single(p => p.Name == "enterprise").Limits.Keys);
        Assert.Equal(730, plans.Single(p => p.Name == "enterprise").Limits["retention_days"]);
        Assert.Equal("free", (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Plan);

        // Any case names the plan; the tenant's usage shows the new plan's limits on its next request.
        var moved = (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest(" PRO ", "Upgraded by sales"))).EnsureValue();
        Assert.Equal("pro", moved.Plan);
        Assert.Equal("pro", (await ops.Operator.GetTenantAsync(tenant.Id)).EnsureValue().Plan);
        var usage = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Equal("pro", usage.Plan);
        Assert.Equal(5_000L, usage.Items.Single(i => i.Metric == "datasets").Limit);

        // Moving to the plan it is on changes nothing and records nothing.
        Assert.Equal("pro", (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("pro", null))).EnsureValue().Plan);
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("enterprise", null))).EnsureSuccess();
        Assert.Null((await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == "datasets").Limit);

        // The tenant's Admins see each move in their audit log, with who and why; the chain stays valid.
        var entries = (await tenant.Admin.Audit.ListAsync(action: "tenant.plan_changed")).EnsureValue().Items.OrderBy(e => e.Sequence).ToList();
        Assert.Equal([("free", "pro"), ("pro", "enterprise")], entries.Select(e => (e.Details!["from"], e.Details["to"])));
        Assert.Equal("Upgraded by sales", entries[0].Details!["reason"]);
        Assert.Equal((await ops.Account.GetProfileAsync()).EnsureValue().Email, entries[0].ActorEmail);
        Assert.True((await tenant.Admin.Audit.VerifyAsync()).EnsureValue().Valid);

        // Unknown plans, missing plans and unknown tenants are refused and change nothing.
        var unknown = await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("platinum", null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.Status);
        Assert.Equal("plan", Assert.Single(unknown.Error!.Error.Details!).Field);
        Assert.Contains("free", unknown.Error.Error.Details![0].Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest(" ", null))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("free", new string('x', 501)))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Operator.ChangeTenantPlanAsync(Guid.NewGuid(), new ChangeTenantPlanRequest("pro", null))).Status);
        Assert.Equal("enterprise", (await ops.Operator.GetTenantAsync(tenant.Id)).EnsureValue().Plan);
        Assert.Equal(2, (await tenant.Admin.Audit.ListAsync(action: "tenant.plan_changed")).EnsureValue().Items.Count);

        // A tenant's own Admin cannot change its plan here.
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("enterprise", null))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.ListPlansAsync()).Status);
    }

    [Fact]
    public async Task Only_operators_reach_the_operator_endpoints_and_bad_requests_change_nothing()
    {
        var tenant = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.ListTenantsAsync()).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.SuspendTenantAsync(tenant.Id, new SuspendTenantRequest(null))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Platform.NewClient().Operator.ListTenantsAsync()).Status);

        var ops = await OperatorAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Operator.SuspendTenantAsync(Guid.NewGuid(), new SuspendTenantRequest(null))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Operator.GetTenantAsync(Guid.NewGuid())).Status);
        var tooLong = await ops.Operator.SuspendTenantAsync(tenant.Id, new SuspendTenantRequest(new string('x', 501)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.Status);
        Assert.Equal("reason", Assert.Single(tooLong.Error!.Error.Details!).Field);
        Assert.Equal("active", (await ops.Operator.GetTenantAsync(tenant.Id)).EnsureValue().Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.ListTenantsAsync(limit: 0)).Status);
        // An operator has no tenant of its own to read.
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.Tenant.GetAsync()).Status);
    }
}

public sealed class OperatorTests_Sqlite(SqlitePlatform platform) : OperatorTests<SqlitePlatform>(platform);

public sealed class OperatorTests_Postgres(PostgresPlatform platform) : OperatorTests<PostgresPlatform>(platform);
