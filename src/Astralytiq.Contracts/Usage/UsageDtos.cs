namespace Astralytiq.Contracts.Usage;

/// <summary>One metric of a plan: what is used in the current period (<c>period</c> "yyyy-MM" for monthly counters), and the limit (null: unlimited).</summary>
public sealed record UsageItemDto(string Metric, long Used, long? Limit, string? Period);

/// <summary>The tenant's plan and its use of each limited metric.</summary>
public sealed record UsageResponse(string Plan, IReadOnlyList<UsageItemDto> Items);
