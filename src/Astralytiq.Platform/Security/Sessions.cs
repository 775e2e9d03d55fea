namespace Astralytiq.Platform.Security;

/// <summary>The live state of a sign-in session, checked on every request so that logout, reset, role change and deactivation take effect at once.</summary>
public sealed record SessionState(Guid TenantId, Guid UserId, string Email, Role Role);

/// <summary>Implemented by the Identity module.</summary>
public interface ISessionValidator
{
    /// <returns>The current state, or null when the session was revoked, the user deactivated or the security stamp changed.</returns>
    ValueTask<SessionState?> ValidateAsync(Guid userId, Guid sessionId, string securityStamp, CancellationToken cancellationToken);
}

public static class AuthSchemes
{
    public const string Default = "astralytiq";
    public const string Bearer = "Bearer";
    public const string ApiKey = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
}

/// <summary>The claims Astralytiq access tokens carry.</summary>
public static class TokenClaims
{
    public const string Subject = "sub";
    public const string TenantId = "tenant_id";
    public const string Role = "role";
    public const string Email = "email";
    public const string SessionId = "sid";
    public const string SecurityStamp = "sst";
    public const string Scope = "scope";
}

public sealed class TokenSettings
{
    [Required]
    public string Issuer { get; set; } = "astralytiq";

    [Required]

    public string Audience { get; set; } = "astralytiq-api";

    [Range(1, 1440)]

    public int AccessTokenMinutes { get; set; } = 15;

    [Range(1, 365)]

    public int RefreshTokenDays { get; set; } = 14;
}
