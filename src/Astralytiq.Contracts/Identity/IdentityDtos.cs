namespace Astralytiq.Contracts.Identity;

public enum Role
{
    Viewer,
    Analyst,
    Admin,
    Operator,
}

public sealed record RegisterRequest(
    string? Email,
    string? Password,
    string? DisplayName,
    string? OrganizationName,
    string? InvitationToken);

/// <summary>Sign-in. With two-step sign-in on, add the authenticator's <c>totp_code</c> or one unused <c>recovery_code</c>.</summary>
public sealed record LoginRequest(string? Email, string? Password, string? TotpCode = null, string? RecoveryCode = null);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LogoutRequest(string? RefreshToken);

public sealed record AuthResponse(
    string AccessToken,
    string TokenType,
    int ExpiresIn,
    string RefreshToken,
    DateTimeOffset RefreshTokenExpiresAt,
    UserResponse User);

public sealed record UserResponse(
    Guid Id,
    string Email,
    string DisplayName,
    Role Role,
    Guid TenantId,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt,
    UserProfileDto Profile,
    bool MfaEnabled = false);

public sealed record UserProfileDto(string? JobTitle, string? TimeZone, string? Locale, string? Theme);

public sealed record UpdateProfileRequest(string? DisplayName, string? JobTitle, string? TimeZone, string? Locale, string? Theme);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record PasswordResetRequest(string? Email);

public sealed record PasswordResetConfirmRequest(string? Token, string? NewPassword);

public sealed record AcceptedResponse(string Message);

public sealed record InviteUserRequest(string? Email, Role? Role);

public sealed record InvitationResponse(
    Guid Id,
    string Email,
    Role Role,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? RevokedAt);

public sealed record ChangeRoleRequest(Role? Role);

public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyResponse(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>Returned once, when the key is created: <see cref="Key"/> is never shown again.</summary>
public sealed record CreatedApiKeyResponse(ApiKeyResponse ApiKey, string Key);

public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

public sealed record InvitationLookupResponse(string Email, Role Role, DateTimeOffset ExpiresAt);

public sealed record JsonWebKeySet(IReadOnlyList<IReadOnlyDictionary<string, string>> Keys);

/// <summary>Starts two-step sign-in set-up; the current password proves it is the account holder.</summary>
public sealed record TotpSetupRequest(string? Password);

/// <summary>The shared secret, once: as text, as an <c>otpauth://</c> URI and as that URI in a QR code (SVG).</summary>
public sealed record TotpSetupResponse(string Secret, string OtpauthUri, string QrSvg);

/// <summary>A current code from the authenticator app, proving it holds the secret.</summary>
public sealed record TotpConfirmRequest(string? Code);

/// <summary>Single-use codes for signing in without the authenticator; shown once.</summary>
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

/// <summary>Turns two-step sign-in off: needs the password and a current code (or a recovery code).</summary>
public sealed record TotpDisableRequest(string? Password, string? Code);
