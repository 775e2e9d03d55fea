using System.Security.Claims;
using System.Text.Encodings.Web;
using Astralytiq.Contracts.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astralytiq.Identity.ApiKeys;

/// <summary>Authenticates <c>X-Api-Key</c>: the key's owner, with the owner's current role, narrowed to the key's scopes.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[AuthSchemes.ApiKeyHeader].ToString();
        if (string.IsNullOrEmpty(presented))
        {
            return AuthenticateResult.NoResult();
        }
        var keys = Context.RequestServices.GetRequiredService<ApiKeyHandlers>();
        var found = await keys.AuthenticateAsync(presented.Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (found is not { } match)
        {
            return Failed(InvalidKey);
        }
        var (key, owner) = match;
        if (owner.Role != Astralytiq.Contracts.Identity.Role.Operator
            && !await Context.RequestServices.GetRequiredService<ITenantDirectory>().IsActiveAsync(owner.TenantId, Context.RequestAborted).ConfigureAwait(false))
        {
            return Failed("The API key's organisation is suspended");
        }
        if (owner.Role != Astralytiq.Contracts.Identity.Role.Operator
            && !await Context.RequestServices.GetRequiredService<ITenantFeatureSwitches>().IsOnAsync(owner.TenantId, TenantFeatures.ApiKeys, Context.RequestAborted).ConfigureAwait(false))
        {
            return Failed("API keys are turned off for this organisation; an Admin can turn them on under Organisation");
        }
        var scopes = key.ScopeList.ToHashSet(StringComparer.Ordinal);
        Context.RequestServices.GetRequiredService<ITenantContext>()
            .SetPrincipal(owner.TenantId, owner.Id, owner.Email, owner.Role, sessionId: null, apiKeyScopes: scopes);
        var identity = new ClaimsIdentity(
        [
            new Claim(TokenClaims.Subject, owner.Id.ToString()),
            new Claim(TokenClaims.TenantId, owner.TenantId.ToString()),
            new Claim(TokenClaims.Role, owner.Role.ToString().ToLowerInvariant()),
            new Claim(TokenClaims.Scope, key.Scopes),
        ], Scheme.Name, TokenClaims.Subject, TokenClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private const string InvalidKey = "The API key is invalid, expired or revoked";

    /// <summary>Why the key was refused, for the 401 this request gets.</summary>
    private AuthenticateResult Failed(string reason)
    {
        Context.Items[typeof(ApiKeyAuthenticationHandler)] = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorWriter.WriteAsync(Context, 401, ErrorCodes.Unauthorized, Context.Items[typeof(ApiKeyAuthenticationHandler)] as string ?? InvalidKey);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorWriter.WriteAsync(Context, 403, ErrorCodes.Forbidden, "This API key's scopes or its owner's role do not allow this");
}
