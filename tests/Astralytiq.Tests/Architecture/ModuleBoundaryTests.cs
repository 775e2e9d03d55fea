using System.Reflection;
using NetArchTest.Rules;

namespace Astralytiq.Tests.Architecture;

/// <summary>Modules touch each other only through their Contracts namespaces.</summary>
public sealed class ModuleBoundaryTests
{
    public static readonly Assembly[] Modules =
    [
        typeof(Astralytiq.Identity.IdentityModule).Assembly,
        typeof(Astralytiq.Tenancy.TenancyModule).Assembly,
        typeof(Astralytiq.Audit.AuditModule).Assembly,
        typeof(Astralytiq.Data.DataModule).Assembly,
        typeof(Astralytiq.ML.MLModule).Assembly,
        typeof(Astralytiq.Dashboards.DashboardsModule).Assembly,
        typeof(Astralytiq.Notifications.NotificationsModule).Assembly,
    ];

    private static string NameOf(Assembly a) => a.GetName().Name!;

    /// <summary>Names of another module's types a module may not use: everything but its Contracts.</summary>
    internal static IEnumerable<string> ViolationsOf(Assembly module, Assembly other)
    {
        var otherRoot = NameOf(other);
        var forbidden = other.GetTypes()
            .Where(t => t.Namespace is not null && !t.Namespace.StartsWith(otherRoot + ".Contracts", StringComparison.Ordinal)
                && !t.Name.StartsWith('<'))
            .Select(t => t.FullName!)
            .ToArray();
        if (forbidden.Length == 0)
        {
            return [];
        }
        var result = Types.InAssembly(module).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        return result.IsSuccessful ? [] : result.FailingTypeNames ?? ["(unnamed)"];
    }

    [Fact]
    public void Modules_use_each_other_only_through_contracts()
    {
        foreach (var module in Modules)
        {
            foreach (var other in Modules.Where(o => o != module))
            {
                Assert.Empty(ViolationsOf(module, other));
            }
        }
    }

    [Fact]
    public void The_rule_catches_a_real_violation()
    {
        // The server composes modules and may use their types: checked against Identity, the rule must flag it.
        var server = typeof(Astralytiq.Server.AstralytiqHost).Assembly;
        Assert.NotEmpty(ViolationsOf(server, typeof(Astralytiq.Identity.IdentityModule).Assembly));
    }

    [Fact]
    public void The_kernel_and_contracts_depend_on_no_module()
    {
        var moduleNamespaces = Modules.Select(NameOf).ToArray();
        foreach (var assembly in new[] { typeof(Astralytiq.Platform.PlatformServices).Assembly, typeof(Astralytiq.Contracts.ApiJson).Assembly })
        {
            var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(moduleNamespaces).GetResult();
            Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
        }
    }

    [Fact]
    public void Module_types_are_internal_except_the_public_surface()
    {
        foreach (var module in Modules)
        {
            var root = NameOf(module);
            var publicTypes = module.GetExportedTypes()
                .Where(t => !t.Namespace!.StartsWith(root + ".Contracts", StringComparison.Ordinal)
                    && !t.Namespace.Contains(".Migrations", StringComparison.Ordinal))
                .Select(t => t.FullName)
                .ToList();
            Assert.Equal([$"{root}.{root.Split('.')[^1]}Module"], publicTypes);
        }
    }
}
