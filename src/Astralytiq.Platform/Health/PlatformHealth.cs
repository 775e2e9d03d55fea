using System.Collections.Frozen;

namespace Astralytiq.Platform.Health;

/// <summary>
/// How readiness is told per module and per dependency. Each check carries tags: <c>ready</c> (part of
/// <c>/health/ready</c>), <c>core</c> (the platform cannot serve anyone without it: readiness turns unhealthy),
/// <c>module:{name}</c> (whose dependency it is) and <c>gates:{name}</c> (that module cannot serve while the
/// check fails: its routes answer 503 <c>MODULE_UNAVAILABLE</c> and the other modules keep working).
/// </summary>
public static class PlatformHealth
{
    public const string ReadyTag = "ready";

    public const string CoreTag = "core";

    /// <summary>The kernel, sign-in and organisations: without their stores no request can be served.</summary>
    public static readonly FrozenSet<string> CoreModules = FrozenSet.Create(StringComparer.Ordinal, "platform", "identity", "tenancy");

    private static readonly FrozenDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["platform"] = "background work",
        ["identity"] = "sign-in",
        ["tenancy"] = "organisation",
        ["audit"] = "audit log",
        ["data"] = "data",
        ["ml"] = "machine learning",
        ["dashboards"] = "dashboards",
        ["notifications"] = "notifications",
        ["billing"] = "billing",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>A module as people call it ("machine learning" for <c>ml</c>).</summary>
    public static string DisplayName(string module) => Names.GetValueOrDefault(module, module);

    public static string ModuleTag(string module) => "module:" + module;

    public static string GatesTag(string module) => "gates:" + module;

    /// <summary>Marks a group's endpoints as the module's: they answer 503 <c>MODULE_UNAVAILABLE</c> while a check that gates it fails.</summary>
    public static TBuilder ForModule<TBuilder>(this TBuilder builder, string module)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ModuleEndpointMetadata(module));
}

/// <summary>Endpoint metadata: the module an endpoint belongs to.</summary>
public sealed record ModuleEndpointMetadata(string Module);
