using System.Net;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;

namespace Astralytiq.Tests.Dashboards;

public abstract class SharingTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task A_dashboard_is_its_creators_until_shared_with_a_user_or_a_role_to_view_or_edit()
    {
        var tenant = await Platform.NewTenantAsync();
        var (owner, _) = await Platform.AddUserAsync(tenant, Role.Analyst);
        var (colleague, colleagueUser) = await Platform.AddUserAsync(tenant, Role.Analyst);
        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var data = (await owner.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n")), "s.csv", name: "s " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        var board = (await owner.Dashboards.CreateAsync(new CreateDashboardRequest("Mine", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        Assert.Equal("owner", board.Access);

        // Unshared: as if it did not exist, for everyone but its creator and the admins.
        foreach (var other in new[] { colleague, viewer })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.Dashboards.GetAsync(board.Id)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await other.Dashboards.GetWidgetDataAsync(board.Id, "total")).Status);
            Assert.Equal(0, (await other.Dashboards.ListAsync()).EnsureValue().Total);
        }
        Assert.Equal("owner", (await tenant.Admin.Dashboards.GetAsync(board.Id)).EnsureValue().Access);

        // Shared with the colleague to view, and with every viewer.
        var toColleague = (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("view", UserId: colleagueUser.Id))).EnsureValue();
        (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("view", Role: "viewer"))).EnsureValue();
        Assert.Equal("view", (await colleague.Dashboards.GetAsync(board.Id)).EnsureValue().Access);
        Assert.Equal("view", (await viewer.Dashboards.GetAsync(board.Id)).EnsureValue().Access);
        (await viewer.Dashboards.GetWidgetDataAsync(board.Id, "total")).EnsureValue();
        var update = new UpdateDashboardRequest("Ours", board.Definition);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Dashboards.UpdateAsync(board.Id, update)).Status);
        // Only the owner (or an admin) manages shares and deletes.
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("edit", UserId: colleagueUser.Id))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Dashboards.DeleteAsync(board.Id)).Status);

        // Sharing again changes the access: now the colleague edits.
        Assert.Equal(toColleague.Id, (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("edit", UserId: colleagueUser.Id))).EnsureValue().Id);
        Assert.Equal(2, (await colleague.Dashboards.UpdateAsync(board.Id, update)).EnsureValue().Version);
        // A viewer's role cannot write dashboards, whatever the share says.
        (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("edit", Role: "viewer"))).EnsureValue();
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Dashboards.UpdateAsync(board.Id, update)).Status);

        var shares = (await owner.Dashboards.ListSharesAsync(board.Id)).EnsureValue();
        Assert.Equal(2, shares.Count);
        Assert.Contains(shares, s => s.UserEmail is not null && s.Access == "edit");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Dashboards.UnshareAsync(board.Id, toColleague.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.Dashboards.GetAsync(board.Id)).Status);

        // Bad shares.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("own", Role: "viewer"))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("view", UserId: Guid.NewGuid()))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("view", Role: "operator"))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("view"))).Status);
        var stranger = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Dashboards.ShareAsync(board.Id, new ShareDashboardRequest("view", UserId: stranger.AdminUser.Id))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Admin.Dashboards.ListSharesAsync(board.Id)).Status);
    }
}

public sealed class SharingTests_Sqlite(SqlitePlatform platform) : SharingTests<SqlitePlatform>(platform);

public sealed class SharingTests_Postgres(PostgresPlatform platform) : SharingTests<PostgresPlatform>(platform);
