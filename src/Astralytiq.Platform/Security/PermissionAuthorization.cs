using Astralytiq.Platform.Tenancy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Platform.Security;

/// <summary>Endpoint metadata naming the permission an endpoint needs; read by docs and tests.</summary>
public sealed record RequiresPermissionMetadata(Permission Permission);

internal sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

/// <summary>Grants a permission when the caller's current role allows it and, for API keys, the key's scopes include it.</summary>
internal sealed class PermissionAuthorizationHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }
        var tenant = http.RequestServices.GetRequiredService<ITenantContext>();
        if (tenant.Role is { } role && PermissionMatrix.Allows(role, requirement.Permission)
            && (tenant.ApiKeyScopes is null || tenant.ApiKeyScopes.Contains(PermissionMatrix.ScopeName(requirement.Permission))))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

public static class PermissionEndpointExtensions
{
    public static string PolicyName(Permission permission) => "permission:" + permission;

    /// <summary>Requires an authenticated caller whose role (and API key scopes) grant <paramref name="permission"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiresPermissionMetadata(permission));
        return builder.RequireAuthorization(PolicyName(permission));
    }

    internal static void AddPermissionPolicies(AuthorizationOptions options)
    {
        foreach (var permission in Enum.GetValues<Permission>())
        {
            options.AddPolicy(PolicyName(permission), p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
        }
    }
}
