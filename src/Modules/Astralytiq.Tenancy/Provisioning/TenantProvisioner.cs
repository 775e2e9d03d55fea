using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Astralytiq.Platform.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Astralytiq.Tenancy.Provisioning;

internal sealed class TenantProvisioner(
    TenancyDbContext db,
    ITenantContext tenantContext,
    KeyWrapper keyWrapper,
    IBlobStorage storage,
    IMemoryCache cache,
    Astralytiq.Platform.Quotas.PlanSettings plans,
    TimeProvider time) : ITenantProvisioner, ITenantDirectory
{
    public async Task<ProvisionedTenant> ProvisionAsync(string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tenantId = Guid.CreateVersion7(now);
        // A new organisation starts on the default plan's current version.
        var start = plans.Find(plans.DefaultPlan)?.Ref ?? new Astralytiq.Platform.Quotas.PlanRef(TenantDefaults.Plan, 1);
        var tenant = new Tenant
        {
            Id = tenantId,
            Name = name.Trim(),
            Slug = Slugify(name) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
            Plan = start.Code,
            PlanVersion = start.Version,
            CreatedAt = now,
            UpdatedAt = now,
        };
        tenant.SetFeatures(TenantDefaults.Features);
        var (masterKeyId, wrapped) = keyWrapper.NewWrappedDataKey(tenantId);
        using (tenantContext.BeginTenantScope(tenantId))
        {
            db.Tenants.Add(tenant);
            db.TenantKeys.Add(new TenantKey { Id = Guid.CreateVersion7(now), TenantId = tenantId, MasterKeyId = masterKeyId, WrappedKey = wrapped, CreatedAt = now });
            db.Plans.Add(new TenantPlanRecord { Id = Guid.CreateVersion7(now), TenantId = tenantId, Plan = start.Code, Version = start.Version, StartedAt = now });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await storage.EnsureTenantAreaAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return new ProvisionedTenant(tenantId, tenant.Name, tenant.Slug, tenant.Plan);
    }

    public async Task DeprovisionAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (tenantContext.BeginTenantScope(tenantId))
        {
            await db.Plans.Where(p => p.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.TenantKeys.Where(k => k.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.Tenants.Where(t => t.Id == tenantId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        cache.Remove(TenantKeyStore.CacheKey(tenantId));
        await storage.DeleteTenantAreaAsync(tenantId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsActiveAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (tenantContext.BeginTenantScope(tenantId))
        {
            return await db.Tenants.AnyAsync(t => t.Id == tenantId && t.IsActive, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<string> LocaleAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (tenantContext.BeginTenantScope(tenantId))
        {
            return await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Locale).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                ?? TenantDefaults.Locale;
        }
    }

    public async Task<string> TimeZoneAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (tenantContext.BeginTenantScope(tenantId))
        {
            return await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.TimeZone).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? "UTC";
        }
    }

    public async Task<TenantProfile?> ProfileAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (tenantContext.BeginTenantScope(tenantId))
        {
            return await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
                .Select(t => new TenantProfile(t.Id, t.Name, t.Slug, t.PrimaryColor, t.Locale, t.TimeZone, t.IsActive, t.CreatedAt, t.UpdatedAt))
                .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string Slugify(string name)
    {
        var normalized = name.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder();
        foreach (var c in normalized)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
            if (sb.Length >= 60)
            {
                break;
            }
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length == 0 ? "org" : slug;
    }
}

/// <summary>Unwraps tenants' data keys, keeping them briefly in process memory only (never in a shared cache).</summary>
internal sealed class TenantKeyStore(TenancyDbContext db, ITenantContext tenantContext, KeyWrapper keyWrapper, IMemoryCache cache) : ITenantKeyStore
{
    public static string CacheKey(Guid tenantId) => "tenant-data-key:" + tenantId.ToString("N");

    public async Task<byte[]> GetDataKeyAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(tenantId), out byte[]? cached) && cached is not null)
        {
            return cached;
        }
        TenantKey? key;
        using (tenantContext.BeginTenantScope(tenantId))
        {
            key = await db.TenantKeys.AsNoTracking().SingleOrDefaultAsync(k => k.TenantId == tenantId, cancellationToken).ConfigureAwait(false);
        }
        if (key is null)
        {
            throw new CryptographicException($"Tenant {tenantId} has no data key (never provisioned, or erased)");
        }
        var unwrapped = keyWrapper.Unwrap(tenantId, key.MasterKeyId, key.WrappedKey);
        cache.Set(CacheKey(tenantId), unwrapped, TimeSpan.FromMinutes(10));
        return unwrapped;
    }
}
