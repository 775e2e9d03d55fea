using System.Net;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Dashboards;
using Astralytiq.Tests.Infrastructure;
using Astralytiq.Tests.ML;
using Microsoft.AspNetCore.SignalR;
using Features = Astralytiq.Platform.Tenancy.TenantFeatures;

namespace Astralytiq.Tests.Tenancy;

/// <summary>The five switches on the Organisation page each gate their feature on the server (they once changed nothing).</summary>
public abstract class FeatureSwitchTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static void AssertDisabled<T>(ApiResponse<T> response, string feature, string title)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("FEATURE_DISABLED", response.Error!.Error.Code);
        Assert.Equal($"{title} is turned off for this organisation; an Admin can turn it on under Organisation", response.Error.Error.Message);
        Assert.Equal(feature, Assert.Single(response.Error.Error.Details!).Message);
    }

    [Fact]
    public async Task Public_sharing_is_off_for_a_new_organisation_and_turning_it_off_closes_every_link()
    {
        var tenant = await Platform.NewTenantAsync();
        Assert.False((await tenant.Admin.Tenant.GetAsync()).EnsureValue().Features["public_sharing"]);
        var data = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n")), "s.csv")).EnsureValue();
        var board = (await tenant.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("Shared", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        AssertDisabled(await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest()), "public_sharing", "Public sharing and embedding");
        AssertDisabled(await tenant.Admin.Dashboards.RotateEmbeddingSecretAsync(), "public_sharing", "Public sharing and embedding");
        AssertDisabled(await tenant.Admin.Dashboards.ConfigureEmbeddingAsync(board.Id, new DashboardEmbeddingRequest(true)), "public_sharing", "Public sharing and embedding");
        Assert.Empty((await tenant.Admin.Dashboards.ListLinksAsync(board.Id)).EnsureValue());

        await tenant.SwitchAsync(Features.PublicSharing, true);
        var link = (await tenant.Admin.Dashboards.CreateLinkAsync(board.Id, new CreateDashboardLinkRequest())).EnsureValue();
        var anonymous = Platform.NewClient();
        (await anonymous.Public.GetDashboardAsync(link.Token)).EnsureSuccess();

        // Off again: the link exists but opens nothing, and says why; on again, it opens.
        await tenant.SwitchAsync(Features.PublicSharing, false);
        AssertDisabled(await anonymous.Public.GetDashboardAsync(link.Token), "public_sharing", "Public sharing and embedding");
        AssertDisabled(await anonymous.Public.GetWidgetDataAsync(link.Token, "total"), "public_sharing", "Public sharing and embedding");
        await tenant.SwitchAsync(Features.PublicSharing, true);
        (await anonymous.Public.GetDashboardAsync(link.Token)).EnsureSuccess();
    }

    [Fact]
    public async Task Model_training_scheduled_reports_and_api_keys_are_refused_while_off_and_work_when_on()
    {
        var tenant = await Platform.NewTenantAsync();
        var data = await MlData.UploadAsync(tenant.Admin, MlData.Houses(60));
        var sales = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n")), "s.csv")).EnsureValue();
        var board = (await tenant.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("Reported", DashboardTests<TPlatform>.Definition(sales.Id)))).EnsureValue();
        var key = (await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("ci", ["datasets:read"], null))).EnsureValue();
        using var withKey = Platform.NewHttpClient();
        withKey.DefaultRequestHeaders.Add("X-Api-Key", key.Key);
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync(new Uri("api/v1/data/datasets", UriKind.Relative))).StatusCode);

        await tenant.SwitchAsync(Features.MlTraining, false);
        await tenant.SwitchAsync(Features.ScheduledReports, false);
        await tenant.SwitchAsync(Features.ApiKeys, false);
        var train = new TrainModelRequest("switched", data.Id, "regression", "price", Features: ["rooms", "area"], Algorithm: "linear");
        AssertDisabled(await tenant.Admin.Models.TrainAsync(train), "ml_training", "Model training");
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Models.GetAsync("switched")).Status);
        var report = new ReportRequest("Weekly", board.Id, "0 8 * * 1", ["csv"], [new ReportRecipientDto(Email: tenant.AdminUser.Email)]);
        AssertDisabled(await tenant.Admin.Reports.CreateAsync(report), "scheduled_reports", "Scheduled reports");
        AssertDisabled(await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("another", ["datasets:read"], null)), "api_keys", "API keys");
        // A key made before stops working, saying why.
        var refused = await withKey.GetAsync(new Uri("api/v1/data/datasets", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("API keys are turned off for this organisation", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await tenant.SwitchAsync(Features.MlTraining, true);
        await tenant.SwitchAsync(Features.ScheduledReports, true);
        await tenant.SwitchAsync(Features.ApiKeys, true);
        (await tenant.Admin.Models.TrainAsync(train)).EnsureSuccess();
        (await tenant.Admin.Reports.CreateAsync(report)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync(new Uri("api/v1/data/datasets", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Live_updates_are_refused_at_subscribe_while_off()
    {
        var tenant = await Platform.NewTenantAsync();
        var data = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("day,region,amount\n2024-01-01,north,3\n")), "s.csv")).EnsureValue();
        var board = (await tenant.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("Live", DashboardTests<TPlatform>.Definition(data.Id)))).EnsureValue();
        await tenant.SwitchAsync(Features.RealtimeDashboards, false);
        await using (var live = await LiveClient.ConnectAsync(Platform, tenant.Admin.AccessToken))
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => live.SubscribeAsync(board.Id));
            Assert.Contains("Live dashboard updates is turned off for this organisation", refused.Message, StringComparison.Ordinal);
        }
        await tenant.SwitchAsync(Features.RealtimeDashboards, true);
        await using var again = await LiveClient.ConnectAsync(Platform, tenant.Admin.AccessToken);
        await again.SubscribeAsync(board.Id);
    }
}

public sealed class FeatureSwitchTests_Sqlite(SqlitePlatform platform) : FeatureSwitchTests<SqlitePlatform>(platform);

public sealed class FeatureSwitchTests_Postgres(PostgresPlatform platform) : FeatureSwitchTests<PostgresPlatform>(platform);
