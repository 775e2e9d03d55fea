using System.Collections.Frozen;

namespace Astralytiq.Platform.Security;

/// <summary>Every permission an endpoint can require. The matrix below is the single source of truth (docs/permissions.md mirrors it, and a test keeps them equal).</summary>
public enum Permission
{
    ProfileSelf,
    DatasetsRead,
    DatasetsWrite,
    ModelsRead,
    ModelsWrite,
    DeploymentsRead,
    DeploymentsWrite,
    DashboardsRead,
    DashboardsWrite,
    ReportsRead,
    ReportsWrite,
    JobsRead,
    JobsManage,
    ApiKeysManage,
    BillingRead,
    BillingManage,
    UsersRead,
    UsersManage,
    AuditRead,
    SettingsRead,
    SettingsManage,
    PlatformManage,
}

public static class PermissionMatrix
{
    private static readonly FrozenDictionary<Role, FrozenSet<Permission>> Grants = new Dictionary<Role, FrozenSet<Permission>>
    {
        [Role.Viewer] = new[]
        {
            Permission.ProfileSelf, Permission.DatasetsRead, Permission.ModelsRead, Permission.DeploymentsRead,
            Permission.DashboardsRead, Permission.ReportsRead, Permission.JobsRead, Permission.SettingsRead,
        }.ToFrozenSet(),
        [Role.Analyst] = new[]
        {
            Permission.ProfileSelf, Permission.DatasetsRead, Permission.DatasetsWrite, Permission.ModelsRead,
            Permission.ModelsWrite, Permission.DeploymentsRead, Permission.DeploymentsWrite, Permission.DashboardsRead,
            Permission.DashboardsWrite, Permission.ReportsRead, Permission.ReportsWrite, Permission.JobsRead,
            Permission.JobsManage, Permission.ApiKeysManage, Permission.SettingsRead, Permission.UsersRead,
        }.ToFrozenSet(),
        [Role.Admin] = Enum.GetValues<Permission>().Where(p => p != Permission.PlatformManage).ToFrozenSet(),
        [Role.Operator] = new[] { Permission.ProfileSelf, Permission.PlatformManage }.ToFrozenSet(),
    }.ToFrozenDictionary();

    public static bool Allows(Role role, Permission permission) =>
        Grants.TryGetValue(role, out var set) && set.Contains(permission);

    public static IReadOnlySet<Permission> For(Role role) => Grants.TryGetValue(role, out var set) ? set : FrozenSet<Permission>.Empty;

    /// <summary>The scope name of a permission, as API keys carry it: the resource words, then the verb (<c>api-keys:manage</c>).</summary>
    public static string ScopeName(Permission permission)
    {
        var name = permission.ToString();
        var words = new List<string>();
        var begin = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            if (i == name.Length || char.IsUpper(name[i]))
            {
                words.Add(name[begin..i].ToLowerInvariant());
                begin = i;
            }
        }
        return string.Join('-', words.Take(words.Count - 1)) + ":" + words[^1];
    }

    public static bool TryParseScope(string scope, out Permission permission)
    {
        foreach (var p in Enum.GetValues<Permission>())
        {
            if (string.Equals(ScopeName(p), scope, StringComparison.Ordinal))
            {
                permission = p;
                return true;
            }
        }
        permission = default;
        return false;
    }
}
