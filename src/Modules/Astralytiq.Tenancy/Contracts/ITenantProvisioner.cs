namespace Astralytiq.Tenancy.Contracts;

public sealed record ProvisionedTenant(Guid TenantId, string Name, string Slug, string Plan);

/// <summary>Creates tenants. Identity calls it when a user signs up without an invitation.</summary>
public interface ITenantProvisioner
{
    /// <summary>Provisions a tenant: settings with defaults, storage area, data key, Free plan record.</summary>
    Task<ProvisionedTenant> ProvisionAsync(string name, CancellationToken cancellationToken);

    /// <summary>Undoes a provisioning whose sign-up failed later: removes its rows, key and storage area.</summary>
    Task DeprovisionAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>Moves tenants between plans (the platform operator today; billing when a subscription changes).</summary>
public interface ITenantPlans
{
    /// <summary>
    /// Puts the tenant on <paramref name="plan"/> (a plan of the catalog, any case; version 0 is its current version) from
    /// now on; recorded in its audit log. Moving to the plan and version it is on changes nothing.
    /// </summary>
    Task<Result<ProvisionedTenant>> MoveAsync(Guid tenantId, Astralytiq.Platform.Quotas.PlanRef plan, string? reason, CancellationToken cancellationToken);

    /// <summary>The plan and version the tenant is on, read from the database (not the cache).</summary>
    Task<Astralytiq.Platform.Quotas.PlanRef?> CurrentAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>Read access to tenants for other modules.</summary>
public interface ITenantDirectory
{
    Task<bool> IsActiveAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The locale the tenant writes numbers in (Organisation settings): its reports and emails use it. en-US when unknown.</summary>
    Task<string> LocaleAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The tenant's IANA time zone (Organisation settings); UTC when unknown.</summary>
    Task<string> TimeZoneAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The tenant's name and branding, for what is sent in its name (invoices); null when there is no such tenant.</summary>
    Task<TenantProfile?> ProfileAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>The platform operator suspended a tenant: its users' sessions and keys must stop working now.</summary>
public sealed record TenantSuspended(Guid TenantId, string? Reason) : Astralytiq.Platform.Events.IIntegrationEvent;

/// <summary>A tenant's name, branding and number format, as other modules show them.</summary>
public sealed record TenantProfile(Guid TenantId, string Name, string Slug, string PrimaryColor, string Locale, string TimeZone, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
