namespace Astralytiq.Platform.Security;

/// <summary>
/// The permission an endpoint needs: on a handler method (<c>[RequiresPermission(Permission.ModelsRead)]</c>) or added by
/// <see cref="PermissionEndpointExtensions.RequirePermission"/>. It is the authorization requirement itself (its policy) and
/// the metadata the OpenAPI document and the tests read.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = false)]
public sealed class RequiresPermissionAttribute(Permission permission) : Attribute, IAuthorizeData
{
    public Permission Permission { get; } = permission;

    public string? Policy
    {
        get => PermissionEndpointExtensions.PolicyName(Permission);
        set => throw new NotSupportedException("The policy follows from the permission.");
    }

    public string? Roles { get; set; }

    public string? AuthenticationSchemes { get; set; }
}

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
        return builder.WithMetadata(new RequiresPermissionAttribute(permission));
    }

    internal static void AddPermissionPolicies(AuthorizationOptions options)
    {
        foreach (var permission in Enum.GetValues<Permission>())
        {
            options.AddPolicy(PolicyName(permission), p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
        }
    }
}
