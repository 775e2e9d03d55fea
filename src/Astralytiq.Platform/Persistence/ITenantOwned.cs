namespace Astralytiq.Platform.Persistence;

/// <summary>
/// Marks an entity owned by one tenant. The kernel gives it the named query filter
/// <see cref="ModuleDbContext.TenantFilter"/>, refuses to save it for another tenant, and on PostgreSQL
/// adds a row-level security policy. <see cref="TenantId"/> is set from the tenant context, never from input.
/// </summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}

/// <summary>Thrown when code tries to write a row for a tenant other than the current one: a bug, never client input.</summary>
public sealed class CrossTenantWriteException(string entity)
    : InvalidOperationException($"Refused to save a {entity} that belongs to another tenant");
