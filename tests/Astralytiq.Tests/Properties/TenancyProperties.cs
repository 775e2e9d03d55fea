using System.Net;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Platform.Security;
using Astralytiq.Platform.Storage;
using Astralytiq.Platform.Tenancy;
using Astralytiq.Tenancy.Persistence;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Properties;

public sealed record SettingsChange(string Name, string Primary, string Accent, string TimeZone, string Locale, bool PublicSharing);

public sealed class TenancyArbitraries
{
    private static readonly char[] NameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -&.,'äöüéñ漢字".ToCharArray();

    public static Arbitrary<Labeled> OrganizationNames() => Gen.OneOf(
        Generators.Word(2, 100, NameChars).Where(n => n.Trim().Length >= 2).Select(n => new Labeled(n, true, "name")),
        Generators.Word(0, 1, NameChars).Select(n => new Labeled(n, false, "too-short")),
        Generators.Word(101, 120, NameChars).Where(n => n.Trim().Length > 100).Select(n => new Labeled(n, false, "too-long")),
        Gen.Constant(new Labeled("   ", false, "blank"))).ToArbitrary();

    public static Arbitrary<SettingsChange> Settings() =>
        (from name in Generators.Word(2, 40)
         from primary in Gen.Choose(0, 0xFFFFFF)
         from accent in Gen.Choose(0, 0xFFFFFF)
         from zone in Gen.Elements("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
         from locale in Gen.Elements("en-US", "de-DE", "fr-FR", "ja-JP", "pt-BR")
         from sharing in Gen.Elements(true, false)
         select new SettingsChange(name, $"#{primary:X6}", $"#{accent:X6}", zone, locale, sharing)).ToArbitrary();
}

public abstract class TenancyProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private sealed record Member(TestTenant Tenant, AstralytiqClient Viewer, UserResponse ViewerUser, Guid InvitationId, Guid ApiKeyId);

    private readonly List<Member> _pool = [];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        for (var i = 0; i < 3; i++)
        {
            var tenant = await Platform.NewTenantAsync();
            var (viewer, viewerUser) = await Platform.AddUserAsync(tenant, Role.Viewer);
            var invitation = (await tenant.Admin.Users.InviteAsync(new InviteUserRequest(PlatformFixture.NewEmail("pending"), Role.Analyst))).EnsureValue();
            var key = (await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("pool", ["settings:read"], null))).EnsureValue();
            _pool.Add(new Member(tenant, viewer, viewerUser, invitation.Id, key.ApiKey.Id));
        }
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(TenancyArbitraries)])]
    public async Task P7_every_new_tenant_is_provisioned_with_settings_storage_key_and_plan(Labeled organization)
    {
        var client = Platform.NewClient();
        var response = await client.RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail(), PlatformFixture.Password, null, organization.Value, null));
        if (!organization.Valid)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.Contains(response.Error!.Error.Details!, d => d.Field == "organization_name");
            return;
        }
        var tenantId = response.EnsureValue().User.TenantId;
        var settings = (await client.Tenant.GetAsync()).EnsureValue();
        Assert.Equal((organization.Value.Trim(), "free", "UTC"), (settings.Name, settings.Plan, settings.TimeZone));
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", settings.Slug);

        await using var scope = Platform.Services.CreateAsyncScope();
        using (scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<TenancyDbContext>();
            Assert.Equal(1, await db.TenantKeys.CountAsync());
            Assert.Equal("free", (await db.Plans.SingleAsync()).Plan);
            var encryptor = scope.ServiceProvider.GetRequiredService<TenantEncryptor>();
            var payload = System.Text.Encoding.UTF8.GetBytes(organization.Value);
            Assert.Equal(payload, await encryptor.DecryptAsync(tenantId, await encryptor.EncryptAsync(tenantId, payload, "p7", default), "p7", default));
        }
        Assert.True(await scope.ServiceProvider.GetRequiredService<IBlobStorage>().TenantAreaExistsAsync(tenantId, default));
    }

    [Property(MaxTest = 100)]
    public async Task P8_no_tenant_can_read_or_change_another_tenants_resources(byte attacker, byte victimOffset, byte action)
    {
        var a = _pool[attacker % _pool.Count];
        var b = _pool[(attacker + 1 + (victimOffset % (_pool.Count - 1))) % _pool.Count];
        var admin = a.Tenant.Admin;
        var status = (action % 7) switch
        {
            0 => (await admin.Users.GetAsync(b.ViewerUser.Id)).Status,
            1 => (await admin.Users.GetAsync(b.Tenant.AdminUser.Id)).Status,
            2 => (await admin.Users.ChangeRoleAsync(b.ViewerUser.Id, Role.Admin)).Status,
            3 => (await admin.Users.DeactivateAsync(b.Tenant.AdminUser.Id)).Status,
            4 => (await admin.Users.ReactivateAsync(b.ViewerUser.Id)).Status,
            5 => (await admin.Users.RevokeInvitationAsync(b.InvitationId)).Status,
            _ => (await admin.ApiKeys.RevokeAsync(b.ApiKeyId)).Status,
        };
        Assert.Equal(HttpStatusCode.NotFound, status);
        // And the victim's data is untouched.
        var victim = (await b.Tenant.Admin.Users.GetAsync(b.ViewerUser.Id)).EnsureValue();
        Assert.Equal((Role.Viewer, true), (victim.Role, victim.IsActive));
        Assert.Null((await b.Tenant.Admin.Users.ListInvitationsAsync()).EnsureValue().Single(i => i.Id == b.InvitationId).RevokedAt);
    }

    [Property(MaxTest = 100)]
    public async Task P9_the_tenant_comes_from_the_token_whatever_the_request_claims(byte member, byte viewer, Guid spoofed)
    {
        var m = _pool[member % _pool.Count];
        var client = viewer % 2 == 0 ? m.Tenant.Admin : m.Viewer;
        using var http = Platform.NewHttpClient();
        foreach (var path in new[] { "api/v1/tenants/current", "api/v1/users/profile" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Bearer", client.AccessToken);
            request.Headers.Add("X-Tenant-Id", spoofed.ToString());
            request.Headers.Add("X-Forwarded-Host", spoofed.ToString("N") + ".example.com");
            var body = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
            Assert.Contains(m.Tenant.Id.ToString(), body, StringComparison.Ordinal);
            Assert.DoesNotContain(spoofed.ToString(), body, StringComparison.Ordinal);
        }
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(TenancyArbitraries)])]
    public async Task P10_settings_apply_to_all_of_the_tenants_users_and_to_no_other_tenant(byte member, SettingsChange change)
    {
        var before = new Dictionary<Guid, string>();
        foreach (var m in _pool)
        {
            before[m.Tenant.Id] = System.Text.Json.JsonSerializer.Serialize((await m.Viewer.Tenant.GetAsync()).EnsureValue());
        }
        var target = _pool[member % _pool.Count];
        (await target.Tenant.Admin.Tenant.UpdateAsync(new UpdateTenantRequest(change.Name, new TenantBrandingDto(null, change.Primary, change.Accent),
            change.TimeZone, change.Locale, new Dictionary<string, bool> { ["public_sharing"] = change.PublicSharing }))).EnsureValue();

        var seen = (await target.Viewer.Tenant.GetAsync()).EnsureValue();
        Assert.Equal((change.Name, change.Primary, change.Accent, change.TimeZone, change.Locale, change.PublicSharing),
            (seen.Name, seen.Branding.PrimaryColor, seen.Branding.AccentColor, seen.TimeZone, seen.Locale, seen.Features["public_sharing"]));
        foreach (var other in _pool.Where(m => m != target))
        {
            Assert.Equal(before[other.Tenant.Id], System.Text.Json.JsonSerializer.Serialize((await other.Viewer.Tenant.GetAsync()).EnsureValue()));
        }
    }
}

public sealed class TenancyProperties_Sqlite(SqlitePlatform platform) : TenancyProperties<SqlitePlatform>(platform);

public sealed class TenancyProperties_Postgres(PostgresPlatform platform) : TenancyProperties<PostgresPlatform>(platform);
