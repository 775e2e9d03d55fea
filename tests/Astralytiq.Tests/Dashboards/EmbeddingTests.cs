using System.Net;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Astralytiq.Tests.Dashboards;

public abstract class EmbeddingTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private const string Sales = "day,region,amount\n2024-01-05,north,10\n2024-01-20,south,5\n2024-02-03,north,7\n";

    /// <summary>What the tenant's own server does: sign a token for a dashboard with its embedding secret.</summary>
    internal static string Sign(string secretHex, Guid tenantId, Guid dashboardId, IDictionary<string, object>? parameters, DateTime expires, string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var claims = new Dictionary<string, object>
        {
            ["tenant"] = tenantId.ToString(),
            ["resource"] = new Dictionary<string, object> { ["dashboard"] = dashboardId.ToString() },
        };
        if (parameters is not null)
        {
            claims["params"] = parameters;
        }
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromHexString(secretHex)), algorithm),
        });
    }

    private static double Number(WidgetDataResponse data) => ((JsonElement)data.Values[0][0]!).GetDouble();

    [Fact]
    public async Task A_signed_token_shows_an_enabled_dashboard_with_its_locked_filters_until_disabled_or_rotated()
    {
        var tenant = await Platform.NewTenantAsync();
        await tenant.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        var client = tenant.Admin;
        var sales = (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(Sales)), "sales.csv", name: "embed " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Embedded", DashboardTests<TPlatform>.Definition(sales.Id)))).EnsureValue();
        var anonymous = Platform.NewClient();
        var hour = DateTime.UtcNow.AddHours(1);
        var north = new Dictionary<string, object> { ["region"] = "north" };

        // No secret yet: nothing signed can be valid.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Public.GetEmbeddedDashboardAsync(Sign(new string('a', 64), tenant.Id, dashboard.Id, north, hour))).Status);
        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Dashboards.RotateEmbeddingSecretAsync()).Status);
        var secret = (await client.Dashboards.RotateEmbeddingSecretAsync()).EnsureValue();
        Assert.Equal(64, secret.Secret.Length);
        var token = Sign(secret.Secret, tenant.Id, dashboard.Id, north, hour);
        // Not enabled for embedding yet: as if it did not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetEmbeddedDashboardAsync(token)).Status);
        var refused = await client.Dashboards.ConfigureEmbeddingAsync(dashboard.Id, new DashboardEmbeddingRequest(true, ["nope"]));
        Assert.Contains(refused.Error!.Error.Details!, d => d.Field == "locked_filters[0]");
        var configured = (await client.Dashboards.ConfigureEmbeddingAsync(dashboard.Id, new DashboardEmbeddingRequest(true, ["region"]))).EnsureValue();
        Assert.Equal((true, true), (configured.Enabled, configured.TenantHasSecret));

        var view = (await anonymous.Public.GetEmbeddedDashboardAsync(token)).EnsureValue();
        Assert.Equal("Embedded", view.Name);
        Assert.Equal("north", view.LockedFilters["region"]);
        Assert.Equal(17, Number((await anonymous.Public.GetEmbeddedWidgetDataAsync(token, "total")).EnsureValue()));
        // Unlocked filters still work in the iframe; a locked one cannot be changed.
        Assert.Equal(10, Number((await anonymous.Public.GetEmbeddedWidgetDataAsync(token, "total", ["period:2024-01-01..2024-01-31"])).EnsureValue()));
        var overriding = await anonymous.Public.GetEmbeddedWidgetDataAsync(token, "total", ["region:south"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, overriding.Status);

        // Tokens that must be refused: missing the locked filter, expired, too long-lived, signed with another key, unsigned.
        foreach (var bad in new[]
        {
            Sign(secret.Secret, tenant.Id, dashboard.Id, null, hour),
            Sign(secret.Secret, tenant.Id, dashboard.Id, north, DateTime.UtcNow.AddMinutes(-5)),
            Sign(secret.Secret, tenant.Id, dashboard.Id, north, DateTime.UtcNow.AddDays(60)),
            Sign(new string('b', 64), tenant.Id, dashboard.Id, north, hour),
            token[..token.LastIndexOf('.')] + ".",
            "not-a-token",
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Public.GetEmbeddedWidgetDataAsync(bad, "total")).Status);
        }
        // Another tenant's dashboard cannot be reached with this tenant's secret.
        var other = await Platform.NewTenantAsync();
        await other.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        var otherSales = (await other.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(Sales)), "sales.csv", name: "other")).EnsureValue();
        var otherBoard = (await other.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("Theirs", DashboardTests<TPlatform>.Definition(otherSales.Id)))).EnsureValue();
        (await other.Admin.Dashboards.ConfigureEmbeddingAsync(otherBoard.Id, new DashboardEmbeddingRequest(true))).EnsureValue();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetEmbeddedDashboardAsync(Sign(secret.Secret, tenant.Id, otherBoard.Id, north, hour))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Public.GetEmbeddedDashboardAsync(Sign(secret.Secret, other.Id, otherBoard.Id, north, hour))).Status);

        // Disabled: refused from the next request; enabled again and the secret rotated: the old token is refused.
        (await client.Dashboards.ConfigureEmbeddingAsync(dashboard.Id, new DashboardEmbeddingRequest(false, ["region"]))).EnsureValue();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.GetEmbeddedWidgetDataAsync(token, "total")).Status);
        (await client.Dashboards.ConfigureEmbeddingAsync(dashboard.Id, new DashboardEmbeddingRequest(true, ["region"]))).EnsureValue();
        (await anonymous.Public.GetEmbeddedWidgetDataAsync(token, "total")).EnsureValue();
        var rotated = (await client.Dashboards.RotateEmbeddingSecretAsync()).EnsureValue();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Public.GetEmbeddedWidgetDataAsync(token, "total")).Status);
        (await anonymous.Public.GetEmbeddedWidgetDataAsync(Sign(rotated.Secret, tenant.Id, dashboard.Id, north, hour), "total")).EnsureValue();
    }

    [Fact]
    public async Task Embedded_pages_may_be_framed_and_every_other_page_may_not()
    {
        using var http = new HttpClient { BaseAddress = Platform.BaseAddress };
        using var embedded = await http.GetAsync(new Uri("embed/dashboards/anything", UriKind.Relative));
        Assert.False(embedded.Headers.Contains("X-Frame-Options"));
        Assert.Contains("frame-ancestors *", embedded.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var app = await http.GetAsync(new Uri("dashboards", UriKind.Relative));
        Assert.Equal("DENY", app.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", app.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}

public sealed class EmbeddingTests_Sqlite(SqlitePlatform platform) : EmbeddingTests<SqlitePlatform>(platform);

public sealed class EmbeddingTests_Postgres(PostgresPlatform platform) : EmbeddingTests<PostgresPlatform>(platform);
