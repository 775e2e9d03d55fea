using System.Globalization;
using System.Text.RegularExpressions;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Tenancy.Settings;

internal static partial class TenantSettingsEndpoints
{
    [RequiresPermission(Permission.SettingsRead), EndpointName("GetCurrentTenant")]
    [EndpointSummary("The caller's tenant: name, plan, branding, time zone, locale and feature toggles")]
    public static async Task<Results<Ok<TenantResponse>, ApiError>> GetCurrent(TenancyDbContext db, ITenantContext tenant, CancellationToken ct)
    {
        var entity = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenant.TenantId, ct);
        return entity is null ? new ApiError(new NotFoundError("Tenant")) : TypedResults.Ok(ToResponse(entity));
    }

    [RequiresPermission(Permission.SettingsManage), Audited("tenant.settings_changed", "tenant"), Errors(400, 413), EndpointName("UpdateCurrentTenant")]
    [EndpointSummary("Change the tenant's name, branding, time zone, locale or feature toggles (Admin)")]
    public static async Task<Results<Ok<TenantResponse>, ApiError>> UpdateCurrent(
        UpdateTenantRequest request, TenancyDbContext db, ITenantContext tenant, TimeProvider time, Microsoft.Extensions.Caching.Memory.IMemoryCache cache, CancellationToken ct)
    {
        var errors = Validate(request);
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        var entity = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenant.TenantId, ct);
        if (entity is null)
        {
            return new ApiError(new NotFoundError("Tenant"));
        }
        if (request.Name is not null)
        {
            entity.Name = request.Name.Trim();
        }
        if (request.Branding is { } branding)
        {
            entity.LogoUrl = string.IsNullOrWhiteSpace(branding.LogoUrl) ? null : branding.LogoUrl.Trim();
            entity.PrimaryColor = branding.PrimaryColor.ToUpperInvariant();
            entity.AccentColor = branding.AccentColor.ToUpperInvariant();
        }
        if (request.TimeZone is not null)
        {
            entity.TimeZone = request.TimeZone;
        }
        if (request.Locale is not null)
        {
            entity.Locale = CultureInfo.GetCultureInfo(request.Locale).Name;
        }
        if (request.Features is not null)
        {
            var merged = entity.Features.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var (key, value) in request.Features)
            {
                merged[key] = value;
            }
            entity.SetFeatures(merged);
        }
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        // The switches apply from the next request on this node (other nodes within the cache's 30 s).
        cache.Remove(TenantFeatureSwitches.CacheKey(entity.Id));
        return TypedResults.Ok(ToResponse(entity));
    }

    internal static FieldErrors Validate(UpdateTenantRequest request)
    {
        var errors = new FieldErrors();
        if (request.Name is not null && request.Name.Trim().Length is < 2 or > 100)
        {
            errors.Add("name", "name must be 2 to 100 characters");
        }
        if (request.Branding is { } b)
        {
            if (b.PrimaryColor is null || !HexColor().IsMatch(b.PrimaryColor))
            {
                errors.Add("branding.primary_color", "primary_color must be a colour like #3949AB");
            }
            if (b.AccentColor is null || !HexColor().IsMatch(b.AccentColor))
            {
                errors.Add("branding.accent_color", "accent_color must be a colour like #00ACC1");
            }
            if (!string.IsNullOrWhiteSpace(b.LogoUrl) && !IsAcceptableLogo(b.LogoUrl.Trim()))
            {
                errors.Add("branding.logo_url", "logo_url must be an https URL or a data:image/(png|jpeg|svg+xml|webp);base64 URI under 256 KB");
            }
        }
        if (request.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(request.TimeZone, out _))
        {
            errors.Add("time_zone", "time_zone must be an IANA time zone such as Europe/Berlin");
        }
        if (request.Locale is not null && !IsKnownLocale(request.Locale))
        {
            errors.Add("locale", "locale must be a culture name such as en-US or de-DE");
        }
        if (request.Features is not null)
        {
            foreach (var key in request.Features.Keys.Where(k => !TenantDefaults.Features.ContainsKey(k)))
            {
                errors.Add($"features.{key}", $"unknown feature; known: {string.Join(", ", TenantDefaults.Features.Keys)}");
            }
        }
        return errors;
    }

    private static bool IsKnownLocale(string name)
    {
        if (name.Length is < 2 or > 20)
        {
            return false;
        }
        try
        {
            var culture = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            return !culture.Equals(CultureInfo.InvariantCulture);
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    private static bool IsAcceptableLogo(string value)
    {
        if (value.Length > 256 * 1024)
        {
            return false;
        }
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
        {
            return true;
        }
        return DataImage().IsMatch(value);
    }

    internal static TenantResponse ToResponse(Tenant t) => new(
        t.Id, t.Name, t.Slug, t.Plan, new TenantBrandingDto(t.LogoUrl, t.PrimaryColor, t.AccentColor),
        t.TimeZone, t.Locale, t.Features, t.CreatedAt, t.UpdatedAt);

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex HexColor();

    [GeneratedRegex(@"^data:image/(png|jpeg|svg\+xml|webp);base64,[A-Za-z0-9+/]+={0,2}$")]
    private static partial Regex DataImage();
}
