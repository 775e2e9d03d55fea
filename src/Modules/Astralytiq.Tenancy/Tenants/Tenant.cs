using System.Text.Json;

namespace Astralytiq.Tenancy.Tenants;

/// <summary>An organisation. Its settings and branding apply to its own users only.</summary>
internal sealed class Tenant
{
    public Guid Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Slug { get; set; } = string.Empty;

    public string Plan { get; set; } = TenantDefaults.Plan;

    /// <summary>The version of <see cref="Plan"/> the tenant is on: it keeps it until it is moved.</summary>
    public int PlanVersion { get; set; } = 1;

    public bool IsActive { get; set; } = true;

    public string TimeZone { get; set; } = TenantDefaults.TimeZone;

    public string Locale { get; set; } = TenantDefaults.Locale;

    public string? LogoUrl { get; set; }

    public string PrimaryColor { get; set; } = TenantDefaults.PrimaryColor;

    public string AccentColor { get; set; } = TenantDefaults.AccentColor;

    public string FeaturesJson { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyDictionary<string, bool> Features
    {
        get
        {
            var stored = JsonSerializer.Deserialize<Dictionary<string, bool>>(FeaturesJson) ?? [];
            return TenantDefaults.Features.ToDictionary(kv => kv.Key, kv => stored.TryGetValue(kv.Key, out var v) ? v : kv.Value);
        }
    }

    public void SetFeatures(IReadOnlyDictionary<string, bool> features) =>
        FeaturesJson = JsonSerializer.Serialize(new SortedDictionary<string, bool>(features.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal));
}

/// <summary>The tenant's data key, wrapped by the master key. Destroying it makes the tenant's encrypted files unreadable.</summary>
internal sealed class TenantKey : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string MasterKeyId { get; set; } = string.Empty;

    public byte[] WrappedKey { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The tenant's plan; billing builds subscriptions on it.</summary>
internal sealed class TenantPlanRecord : ITenantOwned
{
    /// <summary>The record of the plan the tenant is on now; one per tenant.</summary>
    public const string Active = "active";

    /// <summary>A plan the tenant was on until the next record's start.</summary>
    public const string Ended = "ended";

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Plan { get; set; } = TenantDefaults.Plan;

    public int Version { get; set; } = 1;

    public string Status { get; set; } = Active;

    public DateTimeOffset StartedAt { get; set; }
}

internal static class TenantDefaults
{
    public const string Plan = "free";
    public const string TimeZone = "UTC";
    public const string Locale = "en-US";
    public const string PrimaryColor = "#3949AB";
    public const string AccentColor = "#00ACC1";

    /// <summary>Feature toggles a tenant Admin can switch, with their defaults.</summary>
    public static readonly IReadOnlyDictionary<string, bool> Features = new SortedDictionary<string, bool>(StringComparer.Ordinal)
    {
        ["api_keys"] = true,
        ["public_sharing"] = false,
        ["realtime_dashboards"] = true,
        ["scheduled_reports"] = true,
        ["ml_training"] = true,
    };
}
