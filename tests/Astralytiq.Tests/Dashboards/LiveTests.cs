using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Dashboards;

/// <summary>A hub connection that records every pushed widget update.</summary>
internal sealed class LiveClient : IAsyncDisposable
{
    public HubConnection Connection { get; }

    public ConcurrentQueue<WidgetUpdateDto> Updates { get; } = new();

    private LiveClient(HubConnection connection) => Connection = connection;

    public static async Task<LiveClient> ConnectAsync(PlatformFixture platform, string? token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(platform.BaseAddress, "hubs/dashboards"), o => o.AccessTokenProvider = () => Task.FromResult(token))
            .AddJsonProtocol(o => o.PayloadSerializerOptions = new JsonSerializerOptions(ApiJson.Options))
            .Build();
        var client = new LiveClient(connection);
        connection.On<WidgetUpdateDto>("widgetUpdated", u => client.Updates.Enqueue(u));
        await connection.StartAsync();
        return client;
    }

    public Task SubscribeAsync(Guid dashboard) => Connection.InvokeAsync("Subscribe", dashboard);

    /// <summary>Waits (bounded) for an update matching <paramref name="match"/>.</summary>
    public async Task<WidgetUpdateDto> WaitForAsync(Func<WidgetUpdateDto, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (Updates.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException("no matching widget update arrived; received: " + string.Join(", ", Updates.Select(u => $"{u.WidgetId} v{u.DatasetVersion}")));
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

public abstract class LiveTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static async Task<(Guid Dataset, DashboardResponse Dashboard)> DashboardAsync(AstralytiqClient client)
    {
        var csv = "day,region,amount\n2024-01-05,north,10\n2024-01-20,south,5\n";
        var dataset = (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "live.csv", name: "live " + Guid.NewGuid().ToString("N")[..8])).EnsureValue();
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Live", DashboardTests<TPlatform>.Definition(dataset.Id)))).EnsureValue();
        return (dataset.Id, dashboard);
    }

    [Fact]
    public async Task A_change_reaches_the_subscribers_of_dashboards_that_show_it_and_no_one_else()
    {
        var tenant = await Platform.NewTenantAsync();
        var (dataset, dashboard) = await DashboardAsync(tenant.Admin);
        var (viewer, viewerUser) = await Platform.AddUserAsync(tenant, Role.Viewer);
        await using var live = await LiveClient.ConnectAsync(Platform, viewer.AccessToken);
        // Not shared with the viewer yet: as if it did not exist.
        Assert.Contains("not found", (await Assert.ThrowsAsync<HubException>(() => live.SubscribeAsync(dashboard.Id))).Message, StringComparison.Ordinal);
        var share = (await tenant.Admin.Dashboards.ShareAsync(dashboard.Id, new ShareDashboardRequest("view", UserId: viewerUser.Id))).EnsureValue();
        await live.SubscribeAsync(dashboard.Id);

        // Another tenant cannot subscribe to this dashboard (it does not exist for them) and hears nothing of it.
        var stranger = await Platform.NewTenantAsync();
        await using var outsider = await LiveClient.ConnectAsync(Platform, stranger.Admin.AccessToken);
        var refused = await Assert.ThrowsAsync<HubException>(() => outsider.SubscribeAsync(dashboard.Id));
        Assert.Contains("not found", refused.Message, StringComparison.Ordinal);
        // A connection of the same tenant that did not subscribe hears nothing either.
        await using var idle = await LiveClient.ConnectAsync(Platform, tenant.Admin.AccessToken);

        (await tenant.Admin.Datasets.AppendRowsAsync(dataset, "[{\"day\":\"2024-02-01\",\"region\":\"north\",\"amount\":100}]")).EnsureValue();
        var total = await live.WaitForAsync(u => u.WidgetId == "total" && u.DatasetVersion == 2);
        Assert.Equal(dashboard.Id, total.DashboardId);
        Assert.Equal(115, ((JsonElement)total.Data.Values[0][0]!).GetDouble());
        var byRegion = await live.WaitForAsync(u => u.WidgetId == "by-region" && u.DatasetVersion == 2);
        Assert.Equal(2, byRegion.Data.RowCount);
        Assert.NotNull(total.ChangedAt);
        Assert.True(total.SentAt >= total.ChangedAt);
        Assert.Empty(outsider.Updates);
        Assert.Empty(idle.Updates);

        // Unshared: the viewer's live connection stops receiving at once, and cannot subscribe again.
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await tenant.Admin.Dashboards.UnshareAsync(dashboard.Id, share.Id)).Status);
        (await tenant.Admin.Datasets.AppendRowsAsync(dataset, "[{\"day\":\"2024-02-02\",\"region\":\"south\",\"amount\":1}]")).EnsureValue();
        await using var watcher = await LiveClient.ConnectAsync(Platform, tenant.Admin.AccessToken);
        await watcher.SubscribeAsync(dashboard.Id);
        (await tenant.Admin.Datasets.AppendRowsAsync(dataset, "[{\"day\":\"2024-02-03\",\"region\":\"south\",\"amount\":1}]")).EnsureValue();
        await watcher.WaitForAsync(u => u.DatasetVersion == 4);
        // Each affected widget once per change (the text widget never), and nothing after the unshare.
        Assert.Equal(["by-region v2", "total v2"], live.Updates.Select(u => $"{u.WidgetId} v{u.DatasetVersion}").Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<HubException>(() => live.SubscribeAsync(dashboard.Id));
    }

    [Fact]
    public async Task A_deactivated_user_and_one_whose_new_role_loses_the_share_stop_receiving_at_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var (dataset, dashboard) = await DashboardAsync(tenant.Admin);
        var (leaver, leaverUser) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var (mover, moverUser) = await Platform.AddUserAsync(tenant, Role.Viewer);
        (await tenant.Admin.Dashboards.ShareAsync(dashboard.Id, new ShareDashboardRequest("view", UserId: leaverUser.Id))).EnsureValue();
        (await tenant.Admin.Dashboards.ShareAsync(dashboard.Id, new ShareDashboardRequest("view", Role: "viewer"))).EnsureValue();
        await using var leaving = await LiveClient.ConnectAsync(Platform, leaver.AccessToken);
        await using var moving = await LiveClient.ConnectAsync(Platform, mover.AccessToken);
        await leaving.SubscribeAsync(dashboard.Id);
        await moving.SubscribeAsync(dashboard.Id);

        (await tenant.Admin.Users.DeactivateAsync(leaverUser.Id)).EnsureValue();
        (await tenant.Admin.Users.ChangeRoleAsync(moverUser.Id, Role.Analyst)).EnsureValue();
        // The change travels as an event: wait (bounded) until the hub has let both go.
        var live = Platform.Services.GetRequiredService<Astralytiq.Dashboards.Boards.LiveSubscriptions>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (live.Of(tenant.Id, dashboard.Id).Any(c => c.UserId == leaverUser.Id || c.UserId == moverUser.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.DoesNotContain(live.Of(tenant.Id, dashboard.Id), c => c.UserId == leaverUser.Id || c.UserId == moverUser.Id);

        await using var watcher = await LiveClient.ConnectAsync(Platform, tenant.Admin.AccessToken);
        await watcher.SubscribeAsync(dashboard.Id);
        (await tenant.Admin.Datasets.AppendRowsAsync(dataset, "[{\"day\":\"2024-02-01\",\"region\":\"north\",\"amount\":100}]")).EnsureValue();
        await watcher.WaitForAsync(u => u.WidgetId == "total" && u.DatasetVersion == 2);
        Assert.Empty(leaving.Updates);
        Assert.Empty(moving.Updates);
    }

    [Fact]
    public async Task Connecting_needs_a_valid_token()
    {
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => LiveClient.ConnectAsync(Platform, null));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => LiveClient.ConnectAsync(Platform, "not-a-jwt"));
    }
}

public sealed class LiveTests_Sqlite(SqlitePlatform platform) : LiveTests<SqlitePlatform>(platform);

public sealed class LiveTests_Postgres(PostgresPlatform platform) : LiveTests<PostgresPlatform>(platform);
