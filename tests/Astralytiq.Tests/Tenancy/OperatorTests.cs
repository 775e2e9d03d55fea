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
