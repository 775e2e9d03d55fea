using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Tenancy.Tenants;

/// <summary>The tenant's plan for quota checks; cached for 30 s (a plan change on this node shows at once, on another node within that).</summary>
internal sealed class TenantPlanResolver(TenancyDbContext db, IMemoryCache cache, PlanSettings settings) : IPlanResolver
{
    public async Task<PlanRef> PlanAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var key = CacheKey(tenantId);
        if (cache.TryGetValue(key, out PlanRef plan) && plan.Code is not null)
        {
            return plan;
        }
        var row = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.Plan, t.PlanVersion }).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        plan = row is null ? new PlanRef(settings.DefaultPlan, 0) : new PlanRef(row.Plan, row.PlanVersion);
        cache.Set(key, plan, TimeSpan.FromSeconds(30));
        return plan;
    }

    public static string CacheKey(Guid tenantId) => PlanCache.Key(tenantId);
}
