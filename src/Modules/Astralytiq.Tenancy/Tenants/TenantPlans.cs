using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Tenancy.Tenants;

/// <summary>
/// Moves a tenant to another plan version: the tenant's plan, a new plan record (the previous one ends), the plan cache of
/// this node and an audit entry in the tenant's own chain. Quotas apply the new plan's limits at once on this node.
/// </summary>
internal sealed class TenantPlans(
    TenancyDbContext db, ITenantContext context, PlanSettings plans, IMemoryCache cache, IAuditLog audit, TimeProvider time) : ITenantPlans
{
    public async Task<Result<ProvisionedTenant>> MoveAsync(Guid tenantId, PlanRef plan, string? reason, CancellationToken cancellationToken)
    {
        var code = plan.Code?.Trim() ?? string.Empty;
        var target = code.Length == 0 ? null : plans.Find(new PlanRef(code, plan.Version));
        if (target is null || (plan.Version > 0 && target.Version != plan.Version))
        {
            return ValidationError.For("plan", "plan must be one of: " + string.Join(", ", plans.CurrentVersions().Select(p => p.Code).Order(StringComparer.Ordinal)));
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
            var (from, fromVersion) = (tenant.Plan, tenant.PlanVersion);
            if (!string.Equals(from, target.Code, StringComparison.Ordinal) || fromVersion != target.Version)
            {
                var now = time.GetUtcNow();
                await db.Plans.Where(p => p.TenantId == tenantId && p.Status == TenantPlanRecord.Active)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, TenantPlanRecord.Ended), cancellationToken).ConfigureAwait(false);
                db.Plans.Add(new TenantPlanRecord { Id = Guid.CreateVersion7(now), TenantId = tenantId, Plan = target.Code, Version = target.Version, StartedAt = now });
                tenant.Plan = target.Code;
                tenant.PlanVersion = target.Version;
                tenant.UpdatedAt = now;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                cache.Remove(TenantPlanResolver.CacheKey(tenantId));
                var details = new Dictionary<string, string>
                {
                    ["from"] = from,
                    ["to"] = target.Code,
                    ["from_version"] = fromVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["to_version"] = target.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
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

    public async Task<PlanRef?> CurrentAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (context.BeginTenantScope(tenantId))
        {
            var row = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.Plan, t.PlanVersion })
                .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return row is null ? (PlanRef?)null : new PlanRef(row.Plan, row.PlanVersion);
        }
    }
}
