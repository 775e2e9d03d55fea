using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Tenancy.Tenants;

/// <summary>
/// Whether a feature works for an organisation: its plan includes it, and its own switch (settings) is on; the switches
/// are cached for 30 s (a change on this node shows at once).
/// </summary>
internal sealed class TenantFeatureSwitches(TenancyDbContext db, ITenantContext context, IMemoryCache cache, IPlanResolver planResolver, PlanSettings plans) : ITenantFeatureSwitches
{
    public async Task<bool> IsOnAsync(Guid tenantId, string feature, CancellationToken cancellationToken)
    {
        if (!plans.Includes(await planResolver.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false), feature))
        {
            return false;
        }
        var key = CacheKey(tenantId);
        if (!cache.TryGetValue(key, out IReadOnlyDictionary<string, bool>? features) || features is null)
        {
            string? json;
            using (context.BeginTenantScope(tenantId))
            {
                json = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.FeaturesJson).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            }
            features = json is null ? TenantDefaults.Features : new Tenant { FeaturesJson = json }.Features;
            cache.Set(key, features, TimeSpan.FromSeconds(30));
        }
        return features.TryGetValue(feature, out var on) ? on : true;
    }

    public static string CacheKey(Guid tenantId) => "tenant-features:" + tenantId.ToString("N");
}
