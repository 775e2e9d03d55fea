namespace Astralytiq.Contracts.Tenancy;

public sealed record TenantResponse(
    Guid Id,
    string Name,
    string Slug,
    string Plan,
    TenantBrandingDto Branding,
    string TimeZone,
    string Locale,
    IReadOnlyDictionary<string, bool> Features,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record TenantBrandingDto(string? LogoUrl, string PrimaryColor, string AccentColor);

public sealed record UpdateTenantRequest(
    string? Name,
    TenantBrandingDto? Branding,
    string? TimeZone,
    string? Locale,
    IReadOnlyDictionary<string, bool>? Features);

/// <summary>A tenant as the platform operator sees it.</summary>
public sealed record OperatorTenantResponse(
    Guid Id,
    string Name,
    string Slug,
    string Plan,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Why the operator suspends a tenant; kept in the tenant's audit log.</summary>
public sealed record SuspendTenantRequest(string? Reason);
