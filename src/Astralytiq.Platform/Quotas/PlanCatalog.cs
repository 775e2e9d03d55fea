using System.Collections.Frozen;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Platform.Quotas;

/// <summary>
/// A plan and its version: a tenant stays on the version it was put on until it is moved, so an operator's edit (a new
/// version) never changes what an existing customer pays or may use. Version 0 means "the current version of the plan".
/// A plan's code converts from a string, so <c>Limit("pro", …)</c> asks about the current version.
/// </summary>
public readonly record struct PlanRef(string Code, int Version)
{
    public static implicit operator PlanRef(string code) => new(code, 0);

    public static PlanRef FromString(string code) => new(code, 0);

    public override string ToString() => Code;
}

/// <summary>What a use past a plan's included amount costs: <see cref="Cents"/> for each <see cref="Per"/> units, charged in proportion (rounded to the cent per invoice line).</summary>
public sealed record PlanOverage(long Included, long Cents, long Per);

/// <summary>
/// One version of a plan: its price a month, currency, limits (a metric not listed is unlimited), features (null: every
/// feature), overage prices per meter, trial length, and whether tenants can pick it themselves.
/// </summary>
public sealed record PlanDefinition(
    string Code,
    int Version,
    string Name,
    long PriceCents,
    string Currency,
    IReadOnlyDictionary<string, long> Limits,
    IReadOnlyList<string>? Features,
    IReadOnlyDictionary<string, PlanOverage> Overage,
    int TrialDays = 0,
    bool Public = true,
    bool Archived = false)
{
    public PlanRef Ref => new(Code, Version);

    public bool Includes(string feature) => Features is null || Features.Contains(feature, StringComparer.OrdinalIgnoreCase);

    public long? Limit(string metric) => Limits.TryGetValue(metric, out var limit) ? limit : null;

    public PlanResponse ToResponse() =>
        new(Code, Limits.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value),
            [.. Tenancy.TenantFeatures.All.Where(Includes)], PriceCents)
        {
            Version = Version,
            DisplayName = Name,
            Currency = Currency,
            TrialDays = TrialDays,
            Public = Public,
            Archived = Archived,
            Overage = Overage.OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => new PlanOverageDto(o.Key, o.Value.Included, o.Value.Cents, o.Value.Per)).ToList(),
        };
}

/// <summary>
/// The plans: every version of every plan, and which version of each is current. Configuration
/// (<c>Astralytiq:Plans:{plan}:{metric}</c>, <c>Astralytiq:PlanFeatures</c>, <c>Astralytiq:PlanPrices</c>) seeds version 1 of
/// each plan; from then on the Billing module's stored catalog, which operators edit, is loaded here (<see cref="Load"/>).
/// The defaults are generous so a newcomer never meets them; an operator sets real ones.
/// </summary>
public sealed class PlanSettings
{
    public Dictionary<string, Dictionary<string, long>> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = new()
        {
            [QuotaMetrics.UploadBytes] = 2L << 30, [QuotaMetrics.StorageBytes] = 10L << 30, [QuotaMetrics.Datasets] = 200, [QuotaMetrics.RowsIngested] = 100_000_000,
            [QuotaMetrics.ModelsTrained] = 500, [QuotaMetrics.Predictions] = 10_000_000, [QuotaMetrics.ApiCallsPerMinute] = 6_000,
            [QuotaMetrics.Deployments] = 25, [QuotaMetrics.RetentionDays] = 90,
        },
        ["pro"] = new()
        {
            [QuotaMetrics.UploadBytes] = 10L << 30, [QuotaMetrics.StorageBytes] = 200L << 30, [QuotaMetrics.Datasets] = 5_000, [QuotaMetrics.RowsIngested] = 2_000_000_000,
            [QuotaMetrics.ModelsTrained] = 10_000, [QuotaMetrics.Predictions] = 500_000_000, [QuotaMetrics.ApiCallsPerMinute] = 30_000,
            [QuotaMetrics.Deployments] = 500, [QuotaMetrics.RetentionDays] = 365,
        },
        ["enterprise"] = new() { [QuotaMetrics.ApiCallsPerMinute] = 120_000, [QuotaMetrics.RetentionDays] = 730 },
    };

    /// <summary>
    /// The features each plan includes (<c>Astralytiq:PlanFeatures:{plan}</c>, a comma-separated list of
    /// <see cref="Tenancy.TenantFeatures"/> names, <c>*</c> for all). A plan not listed includes every feature: like the
    /// limits, the defaults keep everything open until an operator sets plans up.
    /// </summary>
    public Dictionary<string, string> Features { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What each plan costs a month, in cents (<c>Astralytiq:PlanPrices:{plan}</c>): orders the plans, so a refusal can name the cheapest that has a feature.</summary>
    public Dictionary<string, long> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = 0,
        ["pro"] = 4_900,
        ["enterprise"] = 19_900,
    };

    /// <summary>The currency of <see cref="Prices"/> (ISO 4217; <c>Astralytiq:PlanCurrency</c>).</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>The plan a tenant starts on and returns to when it cancels (<c>Astralytiq:DefaultPlan</c>).</summary>
    public string DefaultPlan { get; set; } = "free";

    private sealed record Snapshot(FrozenDictionary<PlanRef, PlanDefinition> All, FrozenDictionary<string, PlanDefinition> Current);

    private Snapshot? _snapshot;

    /// <summary>
    /// Version 1 of each configured plan: what the catalog starts from before anything is stored. A plan configured
    /// without a price is private: the operator puts tenants on it, tenants do not pick it.
    /// </summary>
    public IReadOnlyList<PlanDefinition> Seed() =>
        [.. Plans.Select(p => new PlanDefinition(
            p.Key.ToLowerInvariant(), 1, Title(p.Key), Prices.TryGetValue(p.Key, out var price) ? price : 0, Currency,
            new Dictionary<string, long>(p.Value, StringComparer.Ordinal),
            FeatureList(p.Key), new Dictionary<string, PlanOverage>(StringComparer.Ordinal), Public: Prices.ContainsKey(p.Key)))];

    /// <summary>Puts the stored catalog in force: every version, the highest one of each plan being current.</summary>
    public void Load(IEnumerable<PlanDefinition> definitions)
    {
        var all = definitions.ToList();
        Volatile.Write(ref _snapshot, new Snapshot(
            all.ToFrozenDictionary(d => new PlanRef(d.Code, d.Version), PlanRefComparer.Instance),
            all.GroupBy(d => d.Code, StringComparer.OrdinalIgnoreCase).ToFrozenDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!, StringComparer.OrdinalIgnoreCase)));
    }

    private Snapshot Current
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is null)
            {
                Load(Seed());
                snapshot = Volatile.Read(ref _snapshot)!;
            }
            return snapshot;
        }
    }

    /// <summary>The version asked for; the plan's current version when the version is 0 or not known on this node yet.</summary>
    public PlanDefinition? Find(PlanRef plan)
    {
        var snapshot = Current;
        if (plan.Code is null)
        {
            return null;
        }
        if (plan.Version > 0 && snapshot.All.TryGetValue(plan, out var exact))
        {
            return exact;
        }
        return snapshot.Current.TryGetValue(plan.Code, out var current) ? current : null;
    }

    /// <summary>The current version of every plan, archived ones included.</summary>
    public IReadOnlyList<PlanDefinition> CurrentVersions() => [.. Current.Current.Values.OrderBy(d => d.PriceCents).ThenBy(d => d.Code, StringComparer.Ordinal)];

    /// <summary>Every version of every plan.</summary>
    public IReadOnlyCollection<PlanDefinition> AllVersions() => Current.All.Values;

    public long? Limit(PlanRef plan, string metric) => Find(plan)?.Limit(metric);

    public bool Includes(PlanRef plan, string feature) => Find(plan)?.Includes(feature) ?? true;

    /// <summary>The plans a tenant may pick (current, public, not archived) with their limits, features and price, cheapest first.</summary>
    public IReadOnlyList<PlanResponse> Describe() => [.. Offered().Select(d => d.ToResponse())];

    private IEnumerable<PlanDefinition> Offered() => CurrentVersions().Where(d => d.Public && !d.Archived);

    /// <summary>The cheapest plan on offer that includes <paramref name="feature"/> (by price, then name); null when none does.</summary>
    public string? CheapestWith(string feature) => Offered().FirstOrDefault(d => d.Includes(feature))?.Code;

    private List<string>? FeatureList(string plan)
    {
        if (!Features.TryGetValue(plan, out var list))
        {
            return null;
        }
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Contains("*", StringComparer.Ordinal)
            ? null
            : [.. Tenancy.TenantFeatures.All.Where(f => names.Contains(f, StringComparer.OrdinalIgnoreCase))];
    }

    /// <summary>"pro" → "Pro", "team_plus" → "Team plus".</summary>
    public static string Title(string code) =>
        code.Length == 0 ? code : char.ToUpperInvariant(code[0]) + code[1..].Replace('_', ' ').Replace('-', ' ').ToLowerInvariant();

    private sealed class PlanRefComparer : IEqualityComparer<PlanRef>
    {
        public static readonly PlanRefComparer Instance = new();

        public bool Equals(PlanRef x, PlanRef y) => x.Version == y.Version && string.Equals(x.Code, y.Code, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(PlanRef obj) => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Code ?? string.Empty), obj.Version);
    }
}
