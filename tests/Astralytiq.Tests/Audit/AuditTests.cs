using System.Net;
using Astralytiq.Audit.Persistence;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Audit;

public abstract class AuditTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task Mutations_and_security_events_are_recorded_with_actor_origin_and_request()
    {
        var tenant = await Platform.NewTenantAsync();
        await Platform.NewClient().LoginAsync(new LoginRequest(tenant.AdminUser.Email, "Wrong-password-000"));
        var (viewer, viewerUser) = await Platform.AddUserAsync(tenant, Role.Viewer);
        (await tenant.Admin.Users.ChangeRoleAsync(viewerUser.Id, Role.Analyst)).EnsureValue();
        (await tenant.Admin.Tenant.UpdateAsync(new UpdateTenantRequest(null, null, "Asia/Tokyo", null, null))).EnsureValue();
        (await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("k", ["datasets:read"], null))).EnsureValue();

        var log = (await tenant.Admin.Audit.ListAsync(limit: 200)).EnsureValue().Items;
        var actions = log.Select(e => e.Action).ToHashSet();
        Assert.Superset(new HashSet<string> { "user.registered", "user.login_failed", "user.invited", "user.role_changed", "tenant.settings_changed", "api_key.created" }, actions);
        var roleChange = log.Single(e => e.Action == "user.role_changed");
        Assert.Equal((tenant.AdminUser.Id, tenant.AdminUser.Email, "user", viewerUser.Id.ToString(), "success"),
            (roleChange.ActorId, roleChange.ActorEmail, roleChange.ResourceType, roleChange.ResourceId, roleChange.Outcome));
        Assert.Equal(("Viewer", "Analyst"), (roleChange.Details!["from"], roleChange.Details["to"]));
        Assert.False(string.IsNullOrEmpty(roleChange.IpAddress));
        Assert.StartsWith("req_", roleChange.RequestId, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Audit.ListAsync()).Status);
    }

    [Fact]
    public async Task Failed_mutations_are_recorded_as_failures()
    {
        var tenant = await Platform.NewTenantAsync();
        await tenant.Admin.Tenant.UpdateAsync(new UpdateTenantRequest(null, null, "Not/AZone", null, null));
        var failure = (await tenant.Admin.Audit.ListAsync(action: "tenant.settings_changed")).EnsureValue().Items.Single();
        Assert.Equal("failure", failure.Outcome);
        Assert.Equal("422", failure.Details!["status"]);
    }

    [Fact]
    public async Task The_chain_verifies_and_the_first_altered_entry_is_reported()
    {
        var tenant = await Platform.NewTenantAsync();
        for (var i = 0; i < 4; i++)
        {
            (await tenant.Admin.Account.UpdateProfileAsync(new UpdateProfileRequest("Name " + i, null, null, null, null))).EnsureValue();
        }
        var verified = (await tenant.Admin.Audit.VerifyAsync()).EnsureValue();
        Assert.True(verified.Valid);
        Assert.True(verified.EntriesChecked >= 5);

        await using var scope = Platform.Services.CreateAsyncScope();
        // Platform scope: on PostgreSQL row-level security would otherwise hide every row from this connection.
        using var system = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditDbContext>();
        var table = db.Database.IsNpgsql() ? "audit.entries" : "audit_entries";
#pragma warning disable EF1002 // test-only tampering with fixed identifiers
        // The database refuses edits outright...
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync($"UPDATE {table} SET action = 'x' WHERE sequence = 3"));
        // ...so a tamperer must disable that first; the chain still gives it away.
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only");
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER audit_entries_no_update");
        }
        try
        {
            await db.Database.ExecuteSqlRawAsync($"UPDATE {table} SET actor_email = 'someone-else@example.com' WHERE sequence = 3 AND tenant_id = {{0}}", tenant.Id);
        }
        finally
        {
            // The host is shared with every other test: the database's refusal comes back at once.
            await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
                ? "ALTER TABLE audit.entries ENABLE TRIGGER entries_append_only"
                : "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;");
        }
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync($"UPDATE {table} SET action = 'x' WHERE sequence = 3"));
#pragma warning restore EF1002
        var broken = (await tenant.Admin.Audit.VerifyAsync()).EnsureValue();
        Assert.False(broken.Valid);
        Assert.Equal(3, broken.FirstBrokenSequence);
    }

    [Fact]
    public async Task Audit_queries_page_and_filter_and_see_only_their_own_tenant()
    {
        var a = await Platform.NewTenantAsync();
        var b = await Platform.NewTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            (await a.Admin.Account.UpdateProfileAsync(new UpdateProfileRequest("A" + i, null, null, null, null))).EnsureValue();
        }
        var page = (await a.Admin.Audit.ListAsync(action: "user.profile_updated", limit: 2)).EnsureValue();
        Assert.Equal((3, 2), (page.Total, page.Items.Count));
        Assert.True(page.Items[0].Sequence > page.Items[1].Sequence);
        Assert.All((await a.Admin.Audit.ListAsync(limit: 200)).EnsureValue().Items, e => Assert.Equal(a.Id, e.TenantId));
        Assert.Empty((await b.Admin.Audit.ListAsync(action: "user.profile_updated")).EnsureValue().Items);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await a.Admin.Audit.ListAsync(limit: 5000)).Status);
    }
}

public sealed class AuditTests_Sqlite(SqlitePlatform platform) : AuditTests<SqlitePlatform>(platform);

public sealed class AuditTests_Postgres(PostgresPlatform platform) : AuditTests<PostgresPlatform>(platform);
