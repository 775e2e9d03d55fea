using System.Net;
using System.Text.Json;
using Astralytiq.Tests.Infrastructure;
using Npgsql;

namespace Astralytiq.Tests.Hardening;

/// <summary>The platform on PostgreSQL reached through a proxy the test can cut: the database going away and coming back.</summary>
public sealed class PostgresBehindProxy : PostgresPlatform
{
    public TcpProxy? Proxy { get; private set; }

    protected override string ConnectionString(PostgresDatabase database)
    {
        var admin = new NpgsqlConnectionStringBuilder(PostgresDatabase.AdminConnectionString);
        Proxy = new TcpProxy(admin.Host!, admin.Port);
        Proxy.Start();
        return database.AppConnectionString("127.0.0.1", Proxy.Port);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}

public sealed class DependencyDownTests(PostgresBehindProxy platform) : PlatformTest<PostgresBehindProxy>(platform)
{
    [Fact]
    public async Task With_the_database_down_requests_answer_503_with_retry_after_health_names_it_and_all_recovers_when_it_is_back()
    {
        var tenant = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Datasets.ListAsync()).Status);

        Platform.Proxy!.Stop();
        try
        {
            foreach (var response in new[] { await tenant.Admin.Datasets.ListAsync(), await tenant.Admin.Datasets.ListAsync() })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
                // Whichever store the request reached first answers: the data module's (MODULE_UNAVAILABLE naming it) or,
                // when the sign-in check reached the database first, the platform's.
                Assert.Contains(response.Error!.Error.Code, new[] { "MODULE_UNAVAILABLE", "SERVICE_UNAVAILABLE" });
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            }
            var signIn = await Platform.NewClient().LoginAsync(new Contracts.Identity.LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.Status);

            using var http = Platform.NewHttpClient();
            var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var health = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", health.RootElement.GetProperty("status").GetString());
            foreach (var module in StoreFaults.Modules)
            {
                Assert.Equal("unhealthy", health.RootElement.GetProperty("checks").GetProperty("database:" + module).GetProperty("status").GetString());
                Assert.Contains("database:" + module, health.RootElement.GetProperty("failing").EnumerateArray().Select(f => f.GetString()));
            }
            Assert.Equal("healthy", health.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());

            // Readiness knows the core is down: every module's routes answer at once, without waiting on the database.
            var gated = await tenant.Admin.Models.ListAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, gated.Status);
            Assert.Equal("SERVICE_UNAVAILABLE", gated.Error!.Error.Code);
        }
        finally
        {
            Platform.Proxy.Start();
        }

        // Back: the pool drops the connections the outage broke and the same requests work again, without a restart.
        await Eventually.TrueAsync(async () => (await tenant.Admin.Datasets.ListAsync()).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "datasets answer again");
        using (var http = Platform.NewHttpClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("health/ready", UriKind.Relative))).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await Platform.NewClient().LoginAsync(new Contracts.Identity.LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password))).Status);
    }
}
