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
                Assert.Equal("SERVICE_UNAVAILABLE", response.Error!.Error.Code);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            }
            var signIn = await Platform.NewClient().LoginAsync(new Contracts.Identity.LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.Status);

            using var http = Platform.NewHttpClient();
            var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var health = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            var database = health.RootElement.GetProperty("checks").GetProperty("database");
            Assert.Equal("unhealthy", database.GetProperty("status").GetString());
            Assert.Equal("down", database.GetProperty("data").GetProperty("data").GetString());
            Assert.Equal("healthy", health.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        }
        finally
        {
            Platform.Proxy.Start();
        }

        // Back: the pool drops the connections the outage broke and the same requests work again.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Datasets.ListAsync()).Status);
        Assert.Equal(HttpStatusCode.OK, (await Platform.NewClient().LoginAsync(new Contracts.Identity.LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password))).Status);
    }
}
