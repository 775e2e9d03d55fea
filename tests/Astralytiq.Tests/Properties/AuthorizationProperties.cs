using System.Net;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Astralytiq.Platform.Security;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Properties;

/// <summary>An endpoint that declares a permission, callable with a harmless body and a random id.</summary>
public sealed record GuardedEndpoint(string Method, string Path, Permission Permission)
{
    public override string ToString() => $"{Method} {Path} ({Permission})";
}

public abstract class AuthorizationProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private TestTenant? _tenant;
    private readonly Dictionary<Role, AstralytiqClient> _clients = [];
    private List<GuardedEndpoint> _endpoints = [];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _tenant = await Platform.NewTenantAsync();
        _clients[Role.Admin] = _tenant.Admin;
        _clients[Role.Analyst] = (await Platform.AddUserAsync(_tenant, Role.Analyst)).Client;
        _clients[Role.Viewer] = (await Platform.AddUserAsync(_tenant, Role.Viewer)).Client;
        _endpoints = Platform.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (e, perm: e.Metadata.GetMetadata<RequiresPermissionAttribute>(), methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()))
            .Where(x => x.perm is not null && x.methods is not null)
            .Select(x => new GuardedEndpoint(x.methods!.HttpMethods[0], x.e.RoutePattern.RawText!, x.perm!.Permission))
            .Where(e => e.Path != "/api/v1/users/logout") // ending the session is tested on its own
            .ToList();
    }

    private async Task<HttpStatusCode> CallAsync(AstralytiqClient client, GuardedEndpoint endpoint)
    {
        var path = endpoint.Path.TrimStart('/').Replace("{id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        var body = endpoint.Method is "POST" or "PUT" ? new { } : null;
        var response = await client.SendAsync<object>(new HttpMethod(endpoint.Method), path, body, CancellationToken.None);
        return response.Status;
    }

    /// <summary>
    /// The role matrix of docs/permissions.md, written out here rather than read from <see cref="PermissionMatrix"/>:
    /// a change to the code's matrix that the documentation does not make fails P4.
    /// </summary>
    private static readonly Dictionary<Role, HashSet<Permission>> Documented = new()
    {
        [Role.Viewer] =
        [
            Permission.ProfileSelf, Permission.DatasetsRead, Permission.ModelsRead, Permission.DeploymentsRead, Permission.DashboardsRead,
            Permission.ReportsRead, Permission.JobsRead, Permission.SettingsRead,
        ],
        [Role.Analyst] =
        [
            Permission.ProfileSelf, Permission.DatasetsRead, Permission.DatasetsWrite, Permission.ModelsRead, Permission.ModelsWrite,
            Permission.DeploymentsRead, Permission.DeploymentsWrite, Permission.DashboardsRead, Permission.DashboardsWrite,
            Permission.ReportsRead, Permission.ReportsWrite, Permission.JobsRead, Permission.JobsManage, Permission.ApiKeysManage,
            Permission.UsersRead, Permission.SettingsRead,
        ],
        [Role.Admin] =
        [
            Permission.ProfileSelf, Permission.DatasetsRead, Permission.DatasetsWrite, Permission.ModelsRead, Permission.ModelsWrite,
            Permission.DeploymentsRead, Permission.DeploymentsWrite, Permission.DashboardsRead, Permission.DashboardsWrite,
            Permission.ReportsRead, Permission.ReportsWrite, Permission.JobsRead, Permission.JobsManage, Permission.ApiKeysManage,
            Permission.BillingRead, Permission.BillingManage, Permission.UsersRead, Permission.UsersManage, Permission.AuditRead,
            Permission.SettingsRead, Permission.SettingsManage,
        ],
    };

    [Property(MaxTest = 150)]
    public async Task P4_a_role_reaches_an_endpoint_exactly_when_the_matrix_grants_its_permission(PositiveInt pick, byte roleIndex)
    {
        var endpoint = _endpoints[pick.Get % _endpoints.Count];
        var role = new[] { Role.Admin, Role.Analyst, Role.Viewer }[roleIndex % 3];
        var status = await CallAsync(_clients[role], endpoint);

        if (Documented[role].Contains(endpoint.Permission))
        {
            Assert.True(status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{role} refused {endpoint}: {(int)status}");
        }
        else
        {
            Assert.True(status == HttpStatusCode.Forbidden, $"{role} got {(int)status} from {endpoint}");
        }
    }

    [Property(MaxTest = 100)]
    public async Task P5_an_api_key_reaches_exactly_what_its_scopes_and_its_owners_role_allow(PositiveInt pick, bool asAdmin, int[] scopeSeeds)
    {
        var role = asAdmin ? Role.Admin : Role.Analyst;
        var grantable = Documented[role].Order().ToList();
        var scopes = (scopeSeeds ?? []).Select(s => grantable[Math.Abs(s % grantable.Count)]).Distinct().ToList();
        if (scopes.Count == 0)
        {
            scopes.Add(grantable[pick.Get % grantable.Count]);
        }
        var created = (await _clients[role].ApiKeys.CreateAsync(new CreateApiKeyRequest("p5", scopes.Select(PermissionMatrix.ScopeName).ToList(), null))).EnsureValue();
        using var machine = Platform.NewClient();
        machine.ApiKey = created.Key;
        var endpoint = _endpoints[pick.Get % _endpoints.Count];
        var status = await CallAsync(machine, endpoint);

        if (scopes.Contains(endpoint.Permission))
        {
            Assert.True(status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"scopes {string.Join(',', scopes)} refused {endpoint}: {(int)status}");
        }
        else
        {
            Assert.True(status == HttpStatusCode.Forbidden, $"scopes {string.Join(',', scopes)} got {(int)status} from {endpoint}");
        }
        (await _clients[role].ApiKeys.RevokeAsync(created.ApiKey.Id)).EnsureSuccess();
    }

    [Property(MaxTest = 100)]
    public async Task P12_a_tampered_token_is_refused_on_every_guarded_endpoint(PositiveInt pick, PositiveInt position, byte kind)
    {
        var endpoint = _endpoints[pick.Get % _endpoints.Count];
        var genuine = _clients[Role.Admin].AccessToken!;
        var parts = genuine.Split('.');
        string tampered = (kind % 4) switch
        {
            0 => parts[0] + "." + parts[1] + "." + Flip(parts[2], position.Get),
            1 => parts[0] + "." + Flip(parts[1], position.Get) + "." + parts[2],
            2 => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".",
            _ => genuine[..(position.Get % genuine.Length)],
        };
        using var client = Platform.NewClient();
        client.AccessToken = tampered;
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(client, endpoint));
    }

    private static string Flip(string segment, int position)
    {
        var chars = segment.ToCharArray();
        var i = position % chars.Length;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}

public sealed class AuthorizationProperties_Sqlite(SqlitePlatform platform) : AuthorizationProperties<SqlitePlatform>(platform);

public sealed class AuthorizationProperties_Postgres(PostgresPlatform platform) : AuthorizationProperties<PostgresPlatform>(platform);
