using System.Net;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Identity.Persistence;
using Astralytiq.Platform.Persistence;
using Astralytiq.Platform.Security;
using Astralytiq.Platform.Storage;
using Astralytiq.Platform.Tenancy;
using Astralytiq.Tenancy.Persistence;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Astralytiq.Tests.Tenancy;

public abstract class TenancyTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task Provisioning_gives_a_tenant_settings_storage_a_working_data_key_and_the_free_plan()
    {
        var tenant = await Platform.NewTenantAsync("Provisioned Ltd");
        var settings = (await tenant.Admin.Tenant.GetAsync()).EnsureValue();
        Assert.Equal(("free", "UTC", "en-US"), (settings.Plan, settings.TimeZone, settings.Locale));
        Assert.Matches("^provisioned-ltd-[0-9a-f]{6}$", settings.Slug);

        await using var scope = Platform.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        using (context.BeginTenantScope(tenant.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<TenancyDbContext>();
            Assert.Equal("free", (await db.Plans.SingleAsync()).Plan);
            Assert.Single(await db.TenantKeys.ToListAsync());
            var encryptor = scope.ServiceProvider.GetRequiredService<TenantEncryptor>();
            var sealedData = await encryptor.EncryptAsync(tenant.Id, "secret rows"u8.ToArray(), "test", CancellationToken.None);
            Assert.Equal("secret rows"u8.ToArray(), await encryptor.DecryptAsync(tenant.Id, sealedData, "test", CancellationToken.None));
        }
        Assert.True(await scope.ServiceProvider.GetRequiredService<IBlobStorage>().TenantAreaExistsAsync(tenant.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Branding_and_settings_apply_to_the_tenant_and_to_nobody_else()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        var (aViewer, _) = await Platform.AddUserAsync(a, Role.Viewer);
        var update = new UpdateTenantRequest("Acme Analytics", new TenantBrandingDto("https://cdn.example.com/logo.png", "#112233", "#aabbcc"),
            "Europe/Berlin", "de-DE", new Dictionary<string, bool> { ["public_sharing"] = true });
        var updated = (await a.Admin.Tenant.UpdateAsync(update)).EnsureValue();

        Assert.Equal("#AABBCC", updated.Branding.AccentColor);
        var seenByViewer = (await aViewer.Tenant.GetAsync()).EnsureValue();
        Assert.Equal(("Acme Analytics", "#112233", "Europe/Berlin", true), (seenByViewer.Name, seenByViewer.Branding.PrimaryColor, seenByViewer.TimeZone, seenByViewer.Features["public_sharing"]));
        var other = (await b.Admin.Tenant.GetAsync()).EnsureValue();
        Assert.NotEqual("Acme Analytics", other.Name);
        Assert.Equal(("#3949AB", "UTC", false), (other.Branding.PrimaryColor, other.TimeZone, other.Features["public_sharing"]));
    }

    [Fact]
    public async Task Invalid_settings_are_422_per_field_and_change_nothing()
    {
        var tenant = await Platform.NewTenantAsync();
        var before = (await tenant.Admin.Tenant.GetAsync()).EnsureValue();
        var bad = await tenant.Admin.Tenant.UpdateAsync(new UpdateTenantRequest("x", new TenantBrandingDto("javascript:alert(1)", "red", "#12345"),
            "Mars/Olympus", "zz-ZZ-nope", new Dictionary<string, bool> { ["teleport"] = true }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(
            ["branding.accent_color", "branding.logo_url", "branding.primary_color", "features.teleport", "locale", "name", "time_zone"],
            bad.Error!.Error.Details!.Select(d => d.Field).Order());
        var after = (await tenant.Admin.Tenant.GetAsync()).EnsureValue();
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before), System.Text.Json.JsonSerializer.Serialize(after));
    }

    [Fact]
    public async Task Another_tenants_ids_answer_404_never_403()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        var bInvite = (await b.Admin.Users.InviteAsync(new InviteUserRequest(PlatformFixture.NewEmail(), Role.Viewer))).EnsureValue();
        var bKey = (await b.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("k", ["datasets:read"], null))).EnsureValue();

        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.Users.GetAsync(b.AdminUser.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.Users.ChangeRoleAsync(b.AdminUser.Id, Role.Viewer)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.Users.DeactivateAsync(b.AdminUser.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.Users.RevokeInvitationAsync(bInvite.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.ApiKeys.RevokeAsync(bKey.ApiKey.Id)).Status);
        Assert.DoesNotContain((await a.Admin.Users.ListAsync()).EnsureValue().Items, u => u.TenantId != a.Id);
        Assert.True((await b.Admin.Users.GetAsync(b.AdminUser.Id)).IsSuccess);
    }

    [Fact]
    public async Task A_client_chosen_tenant_header_changes_nothing()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/tenants/current");
        request.Headers.Authorization = new("Bearer", a.Admin.AccessToken);
        request.Headers.Add("X-Tenant-Id", b.Id.ToString());
        request.Headers.Add("tenant_id", b.Id.ToString());
        var response = await http.SendAsync(request);

        Assert.Contains(a.Id.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveChanges_refuses_a_row_of_another_tenant()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(a.Id);
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        db.Invitations.Add(new Astralytiq.Identity.Users.Invitation { Id = Guid.NewGuid(), TenantId = b.Id, Email = "x@example.com", TokenHash = Guid.NewGuid().ToString("N") });

        await Assert.ThrowsAsync<CrossTenantWriteException>(() => db.SaveChangesAsync());
        Assert.Empty(await db.Users.Where(u => u.TenantId == b.Id).ToListAsync());
    }

    [Fact]
    public async Task A_pooled_context_sees_only_the_tenant_of_the_scope_that_rented_it()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        var lastTenantOf = new Dictionary<IdentityDbContext, Guid>(ReferenceEqualityComparer.Instance);
        var reusedAcrossTenants = 0;
        for (var rent = 0; rent < 400 && reusedAcrossTenants < 3; rent++)
        {
            await using var scope = Platform.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            // The tenant is chosen after the rent: an instance seen before always comes back under the other tenant.
            var reused = lastTenantOf.TryGetValue(db, out var before);
            var (tenant, other) = (reused ? before == a.Id : rent % 2 == 1) ? (b, a) : (a, b);
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenant.Id);
            if (reused)
            {
                reusedAcrossTenants++;
                Assert.Equal([tenant.Id], await db.Users.Select(u => u.TenantId).Distinct().ToListAsync());
            }
            lastTenantOf[db] = tenant.Id;
            // The compiled profile query carries the same filter: another tenant's user is not found.
            Assert.NotNull(await ProfileQuery.ExecuteAsync(db, tenant.AdminUser.Id, CancellationToken.None));
            Assert.Null(await ProfileQuery.ExecuteAsync(db, other.AdminUser.Id, CancellationToken.None));
        }
        // Instances did come back from the pool under the other tenant; otherwise this proved nothing about pooling.
        Assert.Equal(3, reusedAcrossTenants);
    }

    private static readonly Astralytiq.Platform.Persistence.CompiledQuery<IdentityDbContext, Guid, Astralytiq.Identity.Users.User?> ProfileQuery =
        new((context, id, _) => context.Users.AsNoTracking().SingleOrDefault(u => u.Id == id));
}

public sealed class TenancyTests_Sqlite(SqlitePlatform platform) : TenancyTests<SqlitePlatform>(platform);

public sealed class TenancyTests_Postgres(PostgresPlatform platform) : TenancyTests<PostgresPlatform>(platform)
{
    [Fact]
    public async Task Row_level_security_shows_a_connection_only_its_tenants_rows()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        await using var connection = new NpgsqlConnection(Platform.AppConnectionString);
        await connection.OpenAsync();

        async Task<List<Guid>> TenantsVisibleAsync(string? tenant, string bypass)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT set_config('app.tenant_id', @t, false), set_config('app.bypass_rls', @b, false)";
            command.Parameters.AddWithValue("t", tenant ?? string.Empty);
            command.Parameters.AddWithValue("b", bypass);
            await command.ExecuteNonQueryAsync();
            command.CommandText = "SELECT DISTINCT tenant_id FROM identity.users";
            command.Parameters.Clear();
            var seen = new List<Guid>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                seen.Add(reader.GetGuid(0));
            }
            return seen;
        }

        Assert.Equal([a.Id], await TenantsVisibleAsync(a.Id.ToString(), "off"));
        Assert.Empty(await TenantsVisibleAsync(null, "off"));
        Assert.Contains(b.Id, await TenantsVisibleAsync(null, "on"));

        await using var insert = connection.CreateCommand();
        await TenantsVisibleAsync(a.Id.ToString(), "off");
        insert.CommandText = "UPDATE identity.users SET display_name = 'pwned' WHERE tenant_id = @b";
        insert.Parameters.AddWithValue("b", b.Id);
        Assert.Equal(0, await insert.ExecuteNonQueryAsync());
    }
}
