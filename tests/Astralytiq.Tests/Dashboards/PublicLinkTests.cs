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
    public async Task A_public_link_shows_the_dashboard_signed_out_until_revoked_or_expired_and_asks_for_its_password()
    {
        var tenant = await Platform.NewTenantAsync();
        var data = (await tenant.Admin.UploadDatasetAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n2024-01-02,south,4\n")), "s.csv", name: "s " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        var board = (await tenant.Admin.CreateDashboardAsync(new CreateDashboardRequest("Public sales", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        var link = (await tenant.Admin.CreateDashboardLinkAsync(board.Id, new CreateDashboardLinkRequest(Label: "site"))).EnsureValue();
        Assert.Equal($"/public/dashboards/{link.Token}", link.Path);
        Assert.True(link.Token.Length >= 43);

        var anonymous = Platform.NewClient();
        var shown = (await anonymous.GetPublicDashboardAsync(link.Token)).EnsureValue();
        Assert.Equal("Public sales", shown.Name);
        Assert.Equal(3, shown.Definition.Widgets.Count);
        var total = (await anonymous.GetPublicWidgetDataAsync(link.Token, "total")).EnsureValue();
        Assert.Equal(7, ((System.Text.Json.JsonElement)total.Values[0][0]!).GetDouble());
        var north = (await anonymous.GetPublicWidgetDataAsync(link.Token, "total", ["region:north"])).EnsureValue();
        Assert.Equal(3, ((System.Text.Json.JsonElement)north.Values[0][0]!).GetDouble());
        // Read-only: the token opens nothing else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetDashboardAsync(board.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetPublicDashboardAsync(link.Token + "x")).Status);

        var listed = Assert.Single((await tenant.Admin.ListDashboardLinksAsync(board.Id)).EnsureValue());
        Assert.Equal("site", listed.Label);
        Assert.NotNull(listed.LastUsedAt);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.RevokeDashboardLinkAsync(board.Id, link.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetPublicDashboardAsync(link.Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetPublicWidgetDataAsync(link.Token, "total")).Status);
        Assert.True((await tenant.Admin.ListDashboardLinksAsync(board.Id)).EnsureValue()[0].Revoked);

        // With a password: asked for, checked.
        var guarded = (await tenant.Admin.CreateDashboardLinkAsync(board.Id, new CreateDashboardLinkRequest(Password: "correct horse"))).EnsureValue();
        Assert.True(guarded.HasPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetPublicDashboardAsync(guarded.Token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetPublicDashboardAsync(guarded.Token, "wrong horse")).Status);
        Assert.Equal("Public sales", (await anonymous.GetPublicDashboardAsync(guarded.Token, "correct horse")).EnsureValue().Name);

        // Bad requests, and links only for the dashboard's owners.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.CreateDashboardLinkAsync(board.Id, new CreateDashboardLinkRequest(ExpiresAt: DateTimeOffset.UtcNow.AddDays(-1)))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.CreateDashboardLinkAsync(board.Id, new CreateDashboardLinkRequest(Password: "short"))).Status);
        var stranger = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Admin.CreateDashboardLinkAsync(board.Id, new CreateDashboardLinkRequest())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Admin.ListDashboardLinksAsync(board.Id)).Status);

        // An expiring link works until its time.
        var soon = (await tenant.Admin.CreateDashboardLinkAsync(board.Id, new CreateDashboardLinkRequest(ExpiresAt: DateTimeOffset.UtcNow.AddSeconds(2)))).EnsureValue();
        (await anonymous.GetPublicDashboardAsync(soon.Token)).EnsureValue();
        var status = HttpStatusCode.OK;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); status == HttpStatusCode.OK && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            status = (await anonymous.GetPublicDashboardAsync(soon.Token)).Status;
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}

public sealed class PublicLinkTests_Sqlite(SqlitePlatform platform) : PublicLinkTests<SqlitePlatform>(platform);

public sealed class PublicLinkTests_Postgres(PostgresPlatform platform) : PublicLinkTests<PostgresPlatform>(platform);
