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
    DateTimeOffset UpdatedAt)
{
    /// <summary>The version of <c>plan</c> the tenant is on.</summary>
    public int PlanVersion { get; init; } = 1;
}

/// <summary>Why the operator suspends a tenant; kept in the tenant's audit log.</summary>
public sealed record SuspendTenantRequest(string? Reason);

/// <summary>
/// Move a tenant to another plan (free, pro, enterprise or one the operator defined) at once; <c>version</c> null means
/// the plan's current version. The days on each plan are charged pro rata.
/// </summary>
public sealed record ChangeTenantPlanRequest(string Plan, string? Reason, int? Version = null);

/// <summary>
/// A plan (<c>name</c> is its code): its limits (a metric not listed is unlimited), the features it includes, its price a
/// month in cents, and the version this is (a tenant keeps the version it was put on until moved).
/// </summary>
public sealed record PlanResponse(string Name, IReadOnlyDictionary<string, long> Limits, IReadOnlyList<string>? Features = null, long? MonthlyPriceCents = null)
{
    public int Version { get; init; } = 1;

    /// <summary>What people call the plan ("Pro").</summary>
    public string? DisplayName { get; init; }

    public string? Currency { get; init; }

    /// <summary>Days of trial an operator grants by default.</summary>
    public int TrialDays { get; init; }

    /// <summary>Whether tenants can pick it themselves (a private plan is given by the operator).</summary>
    public bool Public { get; init; } = true;

    /// <summary>No longer offered; tenants on it stay until moved.</summary>
    public bool Archived { get; init; }

    /// <summary>What use past the included amount of each meter costs.</summary>
    public IReadOnlyList<PlanOverageDto> Overage { get; init; } = [];
}

/// <summary>Use of <c>metric</c> past <c>included</c> a month costs <c>cents</c> for each <c>per</c> units, in proportion.</summary>
public sealed record PlanOverageDto(string Metric, long Included, long Cents, long Per);

/// <summary>The organisation's plan (<c>current</c>) and the plans it could be on, cheapest first; prices in <c>currency</c> (ISO 4217).</summary>
public sealed record TenantPlansResponse(string Current, IReadOnlyList<PlanResponse> Plans, string Currency);
