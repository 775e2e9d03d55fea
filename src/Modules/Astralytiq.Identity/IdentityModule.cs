using Astralytiq.Platform.Configuration;
using Astralytiq.Identity.ApiKeys;
using Astralytiq.Identity.Contracts;
using Astralytiq.Identity.Invitations;
using Astralytiq.Identity.Login;
using Astralytiq.Identity.Mfa;
using Astralytiq.Identity.Passwords;
using Astralytiq.Identity.Persistence;
using Astralytiq.Identity.Registration;
using Astralytiq.Identity.Sessions;
using Astralytiq.Identity.Tokens;
using Astralytiq.Identity.Users;
using Astralytiq.Platform.Events;
using Astralytiq.Tenancy.Contracts;
using Astralytiq.Platform.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Identity;

public static class IdentityModule
{
    public static IServiceCollection AddIdentityModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<IdentityDbContext, IdentitySqliteDbContext, IdentityPostgresDbContext>(configuration, IdentityDbContext.Module);
        var settings = SettingsBinder.Bind<IdentitySettings>(configuration, "Astralytiq:Identity");
        services.AddSingleton(settings);
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = settings.PasswordHashIterations);
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<Login.DecoyHash>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddScoped<Astralytiq.Identity.Contracts.IUserDirectory, UserDirectory>();
        services.AddScoped<ISessionValidator, SessionValidator>();
        services.AddScoped<SessionIssuer>();
        services.AddScoped<RegisterHandler>();
        services.AddScoped<LoginHandler>();
        services.AddScoped<RefreshHandler>();
        services.AddScoped<PasswordHandlers>();
        services.AddScoped<UserHandlers>();
        services.AddScoped<InvitationHandlers>();
        services.AddScoped<ApiKeyHandlers>();
        services.AddScoped<AccountCommands>();
        services.AddSingleton<TotpSecrets>();
        services.AddScoped<MfaHandlers>();
        services.AddIntegrationEventHandler<TenantSuspended, EndSessionsOfSuspendedTenant>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null);
        return services;
    }

    /// <summary>Administrative commands the host's CLI verbs use (seed-demo, create-operator).</summary>
    public static IAccountCommands GetAccountCommands(this IServiceProvider services) => services.GetRequiredService<AccountCommands>();

    public static RouteGroupBuilder MapIdentityEndpoints(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/users").WithTags("Users");

        users.MapPost("/register", IdentityEndpoints.Register).AllowAnonymous().RequireSensitiveRateLimit().AuditedExplicitly()
            .ProducesErrors(400, 409, 413, 429).WithName("RegisterUser")
            .WithSummary("Sign up: creates a tenant (organization_name) with you as Admin, or joins one with an invitation_token; returns tokens");
        users.MapPost("/login", IdentityEndpoints.Login).AllowAnonymous().RequireSensitiveRateLimit().AuditedExplicitly()
            .ProducesErrors(400, 401, 429).WithName("Login")
            .WithSummary("Sign in with email and password; returns a short-lived access token and a rotating refresh token");
        users.MapPost("/refresh", IdentityEndpoints.Refresh).AllowAnonymous().RequireSensitiveRateLimit().AuditedExplicitly()
            .ProducesErrors(400, 401, 429).WithName("RefreshTokens")
            .WithSummary("Exchange a refresh token for a new token pair; a reused refresh token ends its session");
        users.MapPost("/logout", IdentityEndpoints.Logout).RequirePermission(Permission.ProfileSelf).AuditedExplicitly()
            .ProducesErrors(401).WithName("Logout").WithSummary("End the current session: its access and refresh tokens stop working");
        users.MapGet("/profile", IdentityEndpoints.GetProfile).RequirePermission(Permission.ProfileSelf)
            .ProducesErrors(401, 404).WithName("GetProfile").WithSummary("The signed-in user");
        users.MapPut("/profile", IdentityEndpoints.UpdateProfile).RequirePermission(Permission.ProfileSelf).Audit("user.profile_updated", "user")
            .ProducesErrors(400, 401, 404).WithName("UpdateProfile").WithSummary("Change display name, job title, time zone, locale or theme");
        users.MapPost("/password", IdentityEndpoints.ChangePassword).RequirePermission(Permission.ProfileSelf).AuditedExplicitly()
            .ProducesErrors(400, 401).WithName("ChangePassword").WithSummary("Change your password; your other sessions end");
        users.MapPost("/mfa/totp/setup", IdentityEndpoints.SetupTotp).RequirePermission(Permission.ProfileSelf).AuditedExplicitly()
            .ProducesErrors(400, 404, 409).WithName("SetupTotp")
            .WithSummary("Start two-step sign-in: returns a new authenticator secret (text, otpauth URI, QR code); needs your password");
        users.MapPost("/mfa/totp/confirm", IdentityEndpoints.ConfirmTotp).RequirePermission(Permission.ProfileSelf).AuditedExplicitly()
            .ProducesErrors(400, 404, 409).WithName("ConfirmTotp")
            .WithSummary("Turn two-step sign-in on with a current code; returns ten single-use recovery codes, shown once");
        users.MapPost("/mfa/totp/disable", IdentityEndpoints.DisableTotp).RequirePermission(Permission.ProfileSelf).AuditedExplicitly()
            .ProducesErrors(400, 404, 409).WithName("DisableTotp")
            .WithSummary("Turn two-step sign-in off; needs your password and a current or recovery code");
        users.MapPost("/password-reset", IdentityEndpoints.RequestPasswordReset).AllowAnonymous().RequireSensitiveRateLimit().AuditedExplicitly()
            .ProducesErrors(400, 429).WithName("RequestPasswordReset")
            .WithSummary("Email a single-use reset token valid for 30 minutes; answers the same whether or not the account exists");
        users.MapPost("/password-reset/confirm", IdentityEndpoints.ConfirmPasswordReset).AllowAnonymous().RequireSensitiveRateLimit().AuditedExplicitly()
            .ProducesErrors(400, 429).WithName("ConfirmPasswordReset")
            .WithSummary("Set a new password with a reset token; every session of the account ends");

        users.MapGet("/", IdentityEndpoints.ListUsers).RequirePermission(Permission.UsersRead)
            .ProducesErrors(401, 403).WithName("ListUsers").WithSummary("The tenant's users, oldest first");
        users.MapGet("/{id:guid}", IdentityEndpoints.GetUser).RequirePermission(Permission.UsersRead)
            .ProducesErrors(401, 403, 404).WithName("GetUser").WithSummary("One user of the tenant");
        users.MapPut("/{id:guid}/role", IdentityEndpoints.ChangeRole).RequirePermission(Permission.UsersManage).AuditedExplicitly()
            .ProducesErrors(400, 401, 403, 404, 409).WithName("ChangeUserRole").WithSummary("Make a user Admin, Analyst or Viewer (Admin)");
        users.MapPost("/{id:guid}/mfa/reset", IdentityEndpoints.ResetMfa).RequirePermission(Permission.UsersManage).AuditedExplicitly()
            .ProducesErrors(401, 403, 404).WithName("ResetUserMfa")
            .WithSummary("Turn off a user's two-step sign-in after a lost authenticator; their sessions end (Admin)");
        users.MapPost("/{id:guid}/deactivate", IdentityEndpoints.Deactivate).RequirePermission(Permission.UsersManage).AuditedExplicitly()
            .ProducesErrors(401, 403, 404, 409).WithName("DeactivateUser").WithSummary("Block a user from signing in and end their sessions (Admin)");
        users.MapPost("/{id:guid}/reactivate", IdentityEndpoints.Reactivate).RequirePermission(Permission.UsersManage).AuditedExplicitly()
            .ProducesErrors(401, 403, 404).WithName("ReactivateUser").WithSummary("Let a deactivated user sign in again (Admin)");

        users.MapPost("/invitations", IdentityEndpoints.Invite).RequirePermission(Permission.UsersManage).AuditedExplicitly()
            .ProducesErrors(400, 401, 403, 409).WithName("InviteUser").WithSummary("Invite someone by email into this tenant with a role (Admin)");
        users.MapGet("/invitations", IdentityEndpoints.ListInvitations).RequirePermission(Permission.UsersManage)
            .ProducesErrors(401, 403).WithName("ListInvitations").WithSummary("The tenant's invitations, newest first (Admin)");
        users.MapDelete("/invitations/{id:guid}", IdentityEndpoints.RevokeInvitation).RequirePermission(Permission.UsersManage).AuditedExplicitly()
            .ProducesErrors(401, 403, 404, 409).WithName("RevokeInvitation").WithSummary("Revoke a pending invitation (Admin)");
        users.MapGet("/invitations/lookup", IdentityEndpoints.LookupInvitation).AllowAnonymous().RequireSensitiveRateLimit()
            .ProducesErrors(404, 429).WithName("LookupInvitation").WithSummary("What a live invitation token is for (email and role), for the sign-up page");

        users.MapPost("/api-keys", IdentityEndpoints.CreateApiKey).RequirePermission(Permission.ApiKeysManage).AuditedExplicitly()
            .ProducesErrors(400, 401, 403).WithName("CreateApiKey").WithSummary("Create a scoped API key; the key is in this response only");
        users.MapGet("/api-keys", IdentityEndpoints.ListApiKeys).RequirePermission(Permission.ApiKeysManage)
            .ProducesErrors(401, 403).WithName("ListApiKeys").WithSummary("Your API keys (Admins: all of the tenant's)");
        users.MapDelete("/api-keys/{id:guid}", IdentityEndpoints.RevokeApiKey).RequirePermission(Permission.ApiKeysManage).AuditedExplicitly()
            .ProducesErrors(401, 403, 404).WithName("RevokeApiKey").WithSummary("Revoke an API key at once");
        return users;
    }

    /// <summary>Public keys that verify access tokens, at <c>/.well-known/jwks.json</c>.</summary>
    public static IEndpointConventionBuilder MapJwks(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/.well-known/jwks.json", IdentityEndpoints.GetJwks).AllowAnonymous().WithTags("Users")
            .WithName("GetJwks").WithSummary("The JSON Web Key Set of the token-signing keys");
}
