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
    /// <summary>Puts the tenant on <paramref name="plan"/> (a configured plan, any case) from now on; recorded in its audit log. Moving to the current plan changes nothing.</summary>
    Task<Result<ProvisionedTenant>> MoveAsync(Guid tenantId, string plan, string? reason, CancellationToken cancellationToken);
}

/// <summary>Read access to tenants for other modules.</summary>
public interface ITenantDirectory
{
    Task<bool> IsActiveAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The locale the tenant writes numbers in (Organisation settings): its reports and emails use it. en-US when unknown.</summary>
    Task<string> LocaleAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The tenant's IANA time zone (Organisation settings); UTC when unknown.</summary>
    Task<string> TimeZoneAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>The platform operator suspended a tenant: its users' sessions and keys must stop working now.</summary>
public sealed record TenantSuspended(Guid TenantId, string? Reason) : Astralytiq.Platform.Events.IIntegrationEvent;
