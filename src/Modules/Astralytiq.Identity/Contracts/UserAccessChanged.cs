namespace Astralytiq.Identity.Contracts;

/// <summary>
/// A user was deactivated or reactivated, or their role changed: modules that hold access beyond a request (live
/// dashboard connections) check it again. Published in the same transaction as the change.
/// </summary>
public sealed record UserAccessChanged(Guid TenantId, Guid UserId, bool IsActive, Role Role) : IIntegrationEvent;
