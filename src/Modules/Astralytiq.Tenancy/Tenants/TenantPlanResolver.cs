using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Tenancy.Tenants;

/// <summary>The tenant's plan for quota checks; cached for 30 s (a plan change on this node shows at once, on another node within that).</summary>
internal sealed class TenantPlanResolver(TenancyDbContext db, IMemoryCache cache) : IPlanResolver
{
    public async Task<string> PlanAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var key = CacheKey(tenantId);
        if (cache.TryGetValue(key, out string? plan) && plan is not null)
        {
            return plan;
        }
        plan = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Plan).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? TenantDefaults.Plan;
        cache.Set(key, plan, TimeSpan.FromSeconds(30));
        return plan;
    }

    public static string CacheKey(Guid tenantId) => PlanCache.Key(tenantId);
}
