namespace Astralytiq.Contracts.Usage;

/// <summary>
/// One metric of a plan: what is used in the current period (<c>period</c> "yyyy-MM" for monthly counters), and the limit
/// (null: unlimited); <c>resets_at</c> is when a monthly counter starts again.
/// </summary>
public sealed record UsageItemDto(string Metric, long Used, long? Limit, string? Period, DateTimeOffset? ResetsAt = null);

/// <summary>The tenant's plan and its use of each limited metric; with <c>group_by</c>, the metered use between two days as well.</summary>
public sealed record UsageResponse(string Plan, IReadOnlyList<UsageItemDto> Items, UsageBreakdownDto? Breakdown = null);

/// <summary>
/// Metered use from <c>from</c> to <c>to</c> (UTC days, both included) grouped by <c>group_by</c> (meter, day or user).
/// Each group's value is its meter's aggregation over the recorded events; totals are per meter over the whole range.
/// </summary>
public sealed record UsageBreakdownDto(DateOnly From, DateOnly To, string GroupBy, IReadOnlyList<UsageGroupDto> Groups, IReadOnlyList<UsageGroupDto> Totals, IReadOnlyList<MeterDto> Meters);

/// <summary>One group: the meter, the day ("yyyy-MM-dd") or user (an id; null for the organisation's own work) it is for, its value and how many events made it.</summary>
public sealed record UsageGroupDto(string Meter, string? Key, long Value, long Events);

/// <summary>A meter: the metric its events come from and how they are aggregated (count, sum, max, unique_count, latest).</summary>
public sealed record MeterDto(string Name, string Metric, string Aggregation, string Description);
