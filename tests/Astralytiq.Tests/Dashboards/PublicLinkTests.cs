using System.Net;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Tests.Infrastructure;

namespace Astralytiq.Tests.Dashboards;

public abstract class PublicLinkTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task A_public_link_shows_the_dashboard_signed_out_until_revoked_and_asks_for_its_password()
    {
        var tenant = await Platform.NewTenantAsync();
        await tenant.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        var data = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n2024-01-02,south,4\n")), "s.csv", name: "s " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        var board = (await tenant.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("Public sales", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        var link = (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(Label: "site"))).EnsureValue();
        Assert.Equal($"/public/dashboards/{link.Token}", link.Path);
        Assert.True(link.Token.Length >= 43);

        var anonymous = Platform.NewClient();
        var shown = (await anonymous.Public.GetDashboardAsync(link.Token)).EnsureValue();
        Assert.Equal("Public sales", shown.Name);
        Assert.Equal(3, shown.Definition.Widgets.Count);
        var total = (await anonymous.Public.GetWidgetDataAsync(link.Token, "total")).EnsureValue();
        Assert.Equal(7, ((System.Text.Json.JsonElement)total.Values[0][0]!).GetDouble());
        var north = (await anonymous.Public.GetWidgetDataAsync(link.Token, "total", ["region:north"])).EnsureValue();
        Assert.Equal(3, ((System.Text.Json.JsonElement)north.Values[0][0]!).GetDouble());
        // Read-only: the token opens nothing else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Dashboards.GetAsync(board.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetDashboardAsync(link.Token + "x")).Status);

        var listed = Assert.Single((await tenant.Admin.Dashboards.ListLinksAsync(board.Id)).EnsureValue());
        Assert.Equal("site", listed.Label);
        Assert.NotNull(listed.LastUsedAt);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Dashboards.RevokeLinkAsync(board.Id, link.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetDashboardAsync(link.Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetWidgetDataAsync(link.Token, "total")).Status);
        Assert.True((await tenant.Admin.Dashboards.ListLinksAsync(board.Id)).EnsureValue()[0].Revoked);

        // With a password: asked for, checked.
        var guarded = (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(Password: "correct horse"))).EnsureValue();
        Assert.True(guarded.HasPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Public.GetDashboardAsync(guarded.Token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Public.GetDashboardAsync(guarded.Token, "wrong horse")).Status);
        Assert.Equal("Public sales", (await anonymous.Public.GetDashboardAsync(guarded.Token, "correct horse")).EnsureValue().Name);

        // Bad requests, and links only for the dashboard's owners.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(ExpiresAt: DateTimeOffset.UtcNow.AddDays(-1)))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(Password: "short"))).Status);
        var stranger = await Platform.NewTenantAsync();
        await stranger.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Admin.Dashboards.ListLinksAsync(board.Id)).Status);

        // Expiry: LinkExpiryTests, on a host whose clock the test moves.
    }
}

public sealed class PublicLinkTests_Sqlite(SqlitePlatform platform) : PublicLinkTests<SqlitePlatform>(platform);

public sealed class PublicLinkTests_Postgres(PostgresPlatform platform) : PublicLinkTests<PostgresPlatform>(platform);

/// <summary>A public link's expiry, on the server's own (fake) clock: no test waits for real seconds to pass.</summary>
public abstract class LinkExpiryTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IFakeClockPlatform
{
    [Fact]
    public async Task An_expiring_link_works_until_its_time_and_not_a_moment_after()
    {
        var tenant = await Platform.NewTenantAsync();
        await tenant.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        var data = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n")), "s.csv", name: "s " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        var board = (await tenant.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("Expiring", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        var now = Platform.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(ExpiresAt: now.AddSeconds(-1)))).Status);
        var link = (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest(ExpiresAt: now.AddHours(1)))).EnsureValue();
        var anonymous = Platform.NewClient();

        Platform.Clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(59));
        Assert.Equal("Expiring", (await anonymous.Public.GetDashboardAsync(link.Token)).EnsureValue().Name);
        (await anonymous.Public.GetWidgetDataAsync(link.Token, "total")).EnsureValue();
        Platform.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetDashboardAsync(link.Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetWidgetDataAsync(link.Token, "total")).Status);
    }
}

[Collection(FakeClock.Collection)]
public sealed class LinkExpiryTests_Sqlite(FakeClockSqlite platform) : LinkExpiryTests<FakeClockSqlite>(platform);

[Collection(FakeClock.Collection)]
public sealed class LinkExpiryTests_Postgres(FakeClockPostgres platform) : LinkExpiryTests<FakeClockPostgres>(platform);
