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

/// <summary>Move a tenant to another plan (a configured plan name: free, pro, enterprise or one the operator defined).</summary>
public sealed record ChangeTenantPlanRequest(string Plan, string? Reason);

/// <summary>A plan the operator can put tenants on, with its limits (a metric not listed is unlimited).</summary>
/// <summary>A plan: its limits (a metric not listed is unlimited), the features it includes, and its price a month in cents.</summary>
public sealed record PlanResponse(string Name, IReadOnlyDictionary<string, long> Limits, IReadOnlyList<string>? Features = null, long? MonthlyPriceCents = null);

/// <summary>The organisation's plan (<c>current</c>) and the plans it could be on, cheapest first; prices in <c>currency</c> (ISO 4217).</summary>
public sealed record TenantPlansResponse(string Current, IReadOnlyList<PlanResponse> Plans, string Currency);
