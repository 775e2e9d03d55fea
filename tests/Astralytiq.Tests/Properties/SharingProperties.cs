using System.Net;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

/// <summary>Shares made in order (a later one for the same user or role replaces the earlier): target and access.</summary>
public sealed record SharingCase(IReadOnlyList<(string Target, string Access)> Shares);

public static class SharingArbitraries
{
    public static readonly string[] Targets = ["colleague", "viewer1", "role:analyst", "role:viewer"];

    public static Arbitrary<SharingCase> Cases() =>
        (from n in Gen.Choose(0, 4)
         from shares in (from t in Gen.Elements(Targets) from a in Gen.Elements("view", "edit") select (t, a)).ListOf(n)
         select new SharingCase(shares.ToList())).ToArbitrary();
}

public abstract class SharingProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private sealed record People(AstralytiqClient Admin, AstralytiqClient Owner, AstralytiqClient Colleague, Guid ColleagueId, AstralytiqClient Viewer1, Guid Viewer1Id, AstralytiqClient Viewer2, AstralytiqClient Stranger);

    private People? _people;

    private async Task<People> PeopleAsync()
    {
        if (_people is not null)
        {
            return _people;
        }
        var tenant = await Platform.NewTenantAsync();
        var (owner, _) = await Platform.AddUserAsync(tenant, Role.Analyst);
        var (colleague, colleagueUser) = await Platform.AddUserAsync(tenant, Role.Analyst);
        var (viewer1, viewer1User) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var (viewer2, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var stranger = (await Platform.NewTenantAsync()).Admin;
        return _people = new People(tenant.Admin, owner, colleague, colleagueUser.Id, viewer1, viewer1User.Id, viewer2, stranger);
    }

    /// <summary>
    /// P25: for any shares, each person sees exactly what the rule gives — creator and admins own the dashboard; others
    /// see it only through a share to them or their role (edit wins over view); to everyone else, and to other tenants,
    /// it does not exist; editing also needs a role that may write dashboards.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(SharingArbitraries)])]
    public async Task P25_authorized_people_get_their_access_and_everyone_else_is_denied(SharingCase c)
    {
        var p = await PeopleAsync();
        var board = (await p.Owner.Dashboards.CreateAsync(new CreateDashboardRequest("p25", new DashboardDefinitionDto([])))).EnsureValue();
        var latest = new Dictionary<string, string>();
        foreach (var (target, access) in c.Shares)
        {
            var request = target switch
            {
                "colleague" => new ShareDashboardRequest(access, UserId: p.ColleagueId),
                "viewer1" => new ShareDashboardRequest(access, UserId: p.Viewer1Id),
                _ => new ShareDashboardRequest(access, Role: target["role:".Length..]),
            };
            (await p.Owner.Dashboards.ShareAsync(board.Id, request)).EnsureValue();
            latest[target] = access;
        }
        string? Level(params string[] targets)
        {
            var granted = targets.Where(latest.ContainsKey).Select(t => latest[t]).ToList();
            return granted.Contains("edit") ? "edit" : granted.Count > 0 ? "view" : null;
        }
        var expected = new (AstralytiqClient Client, string? Level)[]
        {
            (p.Admin, "owner"), (p.Owner, "owner"), (p.Colleague, Level("colleague", "role:analyst")),
            (p.Viewer1, Level("viewer1", "role:viewer")), (p.Viewer2, Level("role:viewer")), (p.Stranger, null),
        };
        foreach (var (client, level) in expected)
        {
            var got = await client.Dashboards.GetAsync(board.Id);
            Assert.Equal(level is null ? HttpStatusCode.NotFound : HttpStatusCode.OK, got.Status);
            Assert.Equal(level, got.Value?.Access);
        }
        var update = new UpdateDashboardRequest("p25 edited", new DashboardDefinitionDto([]));
        var colleagueLevel = expected[2].Level;
        Assert.Equal(colleagueLevel switch { "edit" => HttpStatusCode.OK, "view" => HttpStatusCode.Forbidden, _ => HttpStatusCode.NotFound },
            (await p.Colleague.Dashboards.UpdateAsync(board.Id, update)).Status);
        // Viewers may never write dashboards, whatever a share says.
        Assert.Equal(HttpStatusCode.Forbidden, (await p.Viewer1.Dashboards.UpdateAsync(board.Id, update)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await p.Stranger.Dashboards.UpdateAsync(board.Id, update)).Status);
    }
}

public sealed class SharingProperties_Sqlite(SqlitePlatform platform) : SharingProperties<SqlitePlatform>(platform);

public sealed class SharingProperties_Postgres(PostgresPlatform platform) : SharingProperties<PostgresPlatform>(platform);
