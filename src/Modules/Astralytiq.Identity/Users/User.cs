namespace Astralytiq.Identity.Users;

internal sealed class User : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Normalized: trimmed, lower-case, IDN domain in ASCII. Unique across the platform.</summary>
    public string Email { get; set; } = string.Empty;

    public string DisplayName { get; set; } = string.Empty;

    public string PasswordHash { get; set; } = string.Empty;

    public Role Role { get; set; }

    public bool IsActive { get; set; } = true;

    /// <summary>Changes when every session must end (password reset, deactivation).</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    public int FailedLoginCount { get; set; }

    public DateTimeOffset? LockoutEnd { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }

    public string? JobTitle { get; set; }

    public string? TimeZone { get; set; }

    public string? Locale { get; set; }

    public string? Theme { get; set; }

    /// <summary>The TOTP secret once two-step sign-in is on, sealed with the master key (see <c>TotpSecrets</c>).</summary>
    public string? TotpSecret { get; set; }

    /// <summary>A secret handed out by set-up and not yet confirmed with a code.</summary>
    public string? TotpPendingSecret { get; set; }

    public DateTimeOffset? TotpEnabledAt { get; set; }

    /// <summary>The last 30-second step a code was accepted for: a code is never accepted twice.</summary>
    public long TotpLastStep { get; set; }

    public UserResponse ToResponse() => new(Id, Email, DisplayName, Role, TenantId, IsActive, CreatedAt, LastLoginAt,
        new UserProfileDto(JobTitle, TimeZone, Locale, Theme), TotpEnabledAt is not null);
}

/// <summary>A sign-in session: one family of rotating refresh tokens. Its id is the access token's <c>sid</c>.</summary>
internal sealed class Session : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedReason { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }
}

internal sealed class RefreshToken : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid SessionId { get; set; }

    /// <summary>SHA-256 of the token; the token itself is never stored.</summary>
    public string TokenHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set when exchanged; presenting it again is reuse and revokes the whole session.</summary>
    public DateTimeOffset? ConsumedAt { get; set; }
}

internal sealed class PasswordResetToken : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string TokenHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class Invitation : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Email { get; set; } = string.Empty;

    public Role Role { get; set; }

    public string TokenHash { get; set; } = string.Empty;

    public Guid InvitedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public InvitationResponse ToResponse() => new(Id, Email, Role, ExpiresAt, CreatedAt, AcceptedAt, RevokedAt);
}

internal sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary>The public, non-secret part of the key, used to find it.</summary>
    public string Prefix { get; set; } = string.Empty;

    public string KeyHash { get; set; } = string.Empty;

    public string Scopes { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public ApiKeyResponse ToResponse() => new(Id, Name, Prefix, ScopeList, CreatedAt, ExpiresAt, LastUsedAt, RevokedAt);
}

/// <summary>A single-use code for signing in without the authenticator app; only its SHA-256 is kept.</summary>
internal sealed class RecoveryCode : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string CodeHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
