using Astralytiq.Platform.Health;
using Astralytiq.Identity.ApiKeys;
using Astralytiq.Identity.Invitations;
using Astralytiq.Identity.Login;
using Astralytiq.Identity.Registration;
using Astralytiq.Platform.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;

namespace Astralytiq.Identity;

public static class IdentityModule
{
    /// <summary>The key prefix an active person (a seat) is counted under against the plan's limit of users.</summary>
    internal const string UserCount = "user";

    public static IServiceCollection AddIdentityModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<IdentityDbContext, IdentitySqliteDbContext, IdentityPostgresDbContext>(configuration, IdentityDbContext.Module);
        Astralytiq.Platform.Quotas.CountedQuotaRegistration.AddCountedQuota<IdentityDbContext, Users.User>(
            services, Astralytiq.Platform.Quotas.QuotaMetrics.Users, UserCount, u => u.IsActive && u.Role != Role.Operator, u => u.Id);
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
        var users = routes.MapGroup("/users").WithTags("Users").ForModule(IdentityDbContext.Module);

        users.MapPost("/register", IdentityEndpoints.Register).AllowAnonymous().RequireSensitiveRateLimit();
        users.MapPost("/login", IdentityEndpoints.Login).AllowAnonymous().RequireSensitiveRateLimit();
        users.MapPost("/refresh", IdentityEndpoints.Refresh).AllowAnonymous().RequireSensitiveRateLimit();
        users.MapPost("/logout", IdentityEndpoints.Logout).ProducesErrors(401);
        users.MapGet("/profile", IdentityEndpoints.GetProfile);
        users.MapPut("/profile", IdentityEndpoints.UpdateProfile);
        users.MapPost("/password", IdentityEndpoints.ChangePassword);
        users.MapPost("/mfa/totp/setup", IdentityEndpoints.SetupTotp);
        users.MapPost("/mfa/totp/confirm", IdentityEndpoints.ConfirmTotp);
        users.MapPost("/mfa/totp/disable", IdentityEndpoints.DisableTotp);
        users.MapPost("/password-reset", IdentityEndpoints.RequestPasswordReset).AllowAnonymous().RequireSensitiveRateLimit();
        users.MapPost("/password-reset/confirm", IdentityEndpoints.ConfirmPasswordReset).AllowAnonymous().RequireSensitiveRateLimit();

        users.MapGet("/", IdentityEndpoints.ListUsers);
        users.MapGet("/{id:guid}", IdentityEndpoints.GetUser);
        users.MapPut("/{id:guid}/role", IdentityEndpoints.ChangeRole);
        users.MapPost("/{id:guid}/mfa/reset", IdentityEndpoints.ResetMfa);
        users.MapPost("/{id:guid}/deactivate", IdentityEndpoints.Deactivate);
        users.MapPost("/{id:guid}/reactivate", IdentityEndpoints.Reactivate);

        users.MapPost("/invitations", IdentityEndpoints.Invite);
        users.MapGet("/invitations", IdentityEndpoints.ListInvitations);
        users.MapDelete("/invitations/{id:guid}", IdentityEndpoints.RevokeInvitation);
        users.MapGet("/invitations/lookup", IdentityEndpoints.LookupInvitation).AllowAnonymous().RequireSensitiveRateLimit();

        users.MapPost("/api-keys", IdentityEndpoints.CreateApiKey).RequireTenantFeature(TenantFeatures.ApiKeys);
        users.MapGet("/api-keys", IdentityEndpoints.ListApiKeys);
        users.MapDelete("/api-keys/{id:guid}", IdentityEndpoints.RevokeApiKey);
        return users;
    }

    /// <summary>Public keys that verify access tokens, at <c>/.well-known/jwks.json</c>.</summary>
    public static IEndpointConventionBuilder MapJwks(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/.well-known/jwks.json", IdentityEndpoints.GetJwks).AllowAnonymous().WithTags("Users");
}
