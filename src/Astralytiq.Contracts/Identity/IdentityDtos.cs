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

public sealed record LoginRequest(string? Email, string? Password);

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
    UserProfileDto Profile);

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
