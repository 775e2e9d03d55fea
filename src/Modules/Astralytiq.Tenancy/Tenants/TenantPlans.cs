using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Tenancy.Tenants;

/// <summary>
/// Moves a tenant to another plan: the tenant's plan, a new plan record (the previous one ends), the plan cache of
/// this node and an audit entry in the tenant's own chain. Quotas apply the new plan's limits at once on this node.
/// </summary>
internal sealed class TenantPlans(
    TenancyDbContext db, ITenantContext context, PlanSettings plans, IMemoryCache cache, IAuditLog audit, TimeProvider time) : ITenantPlans
{
    public async Task<Result<ProvisionedTenant>> MoveAsync(Guid tenantId, string plan, string? reason, CancellationToken cancellationToken)
    {
        var known = plans.Plans.Keys.Order(StringComparer.Ordinal).ToList();
        var name = known.FirstOrDefault(p => string.Equals(p, plan?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            return ValidationError.For("plan", "plan must be one of: " + string.Join(", ", known));
        }
        reason = reason?.Trim();
        if (reason is { Length: > 500 })
        {
            return ValidationError.For("reason", "reason must be at most 500 characters");
        }
        using (context.BeginTenantScope(tenantId))
        {
            var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken).ConfigureAwait(false);
            if (tenant is null)
            {
                return new NotFoundError("Tenant");
            }
            var from = tenant.Plan;
            if (!string.Equals(from, name, StringComparison.Ordinal))
            {
                var now = time.GetUtcNow();
                await db.Plans.Where(p => p.TenantId == tenantId && p.Status == TenantPlanRecord.Active)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, TenantPlanRecord.Ended), cancellationToken).ConfigureAwait(false);
                db.Plans.Add(new TenantPlanRecord { Id = Guid.CreateVersion7(now), TenantId = tenantId, Plan = name, StartedAt = now });
                tenant.Plan = name;
                tenant.UpdatedAt = now;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                cache.Remove(TenantPlanResolver.CacheKey(tenantId));
                var details = new Dictionary<string, string> { ["from"] = from, ["to"] = name };
                if (!string.IsNullOrEmpty(reason))
                {
                    details["reason"] = reason;
                }
                await audit.RecordAsync(new AuditRecord("tenant.plan_changed", AuditOutcome.Success, "tenant", tenantId.ToString(), details)
                {
                    TenantId = tenantId,
                    ActorId = context.UserId,
                    ActorEmail = context.Email,
                }, cancellationToken).ConfigureAwait(false);
            }
            return new ProvisionedTenant(tenant.Id, tenant.Name, tenant.Slug, tenant.Plan);
        }
    }
}
