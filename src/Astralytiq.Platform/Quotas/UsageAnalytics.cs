using Astralytiq.Contracts.Usage;

namespace Astralytiq.Platform.Quotas;

/// <summary>How a meter turns its events into one number (Lago's and OpenMeter's aggregations).</summary>
public enum MeterAggregation
{
    Count,
    Sum,
    Max,
    UniqueCount,
    Latest,
}

/// <summary>A meter: which metric's events it reads and how it aggregates them.</summary>
internal sealed record MeterDefinition(string Name, string Metric, MeterAggregation Aggregation, string Description)
{
    public string AggregationName => Aggregation switch
    {
        MeterAggregation.UniqueCount => "unique_count",
        _ => Aggregation.ToString().ToLowerInvariant(),
    };
}

/// <summary>The meters usage analytics reports, over the recorded usage events.</summary>
internal static class MeterCatalog
{
    public static readonly IReadOnlyList<MeterDefinition> All =
    [
        new("rows_ingested", QuotaMetrics.RowsIngested, MeterAggregation.Sum, "Rows brought in from outside: uploads, appends, imports and pipelines"),
        new("ingests", QuotaMetrics.RowsIngested, MeterAggregation.Count, "Uploads, appends and imports that brought rows in"),
        new("latest_ingest_rows", QuotaMetrics.RowsIngested, MeterAggregation.Latest, "Rows of the latest ingest"),
        new("bytes_ingested", QuotaMetrics.BytesIngested, MeterAggregation.Sum, "Bytes received from outside"),
        new("models_trained", QuotaMetrics.ModelsTrained, MeterAggregation.Sum, "Model versions trained"),
        new("training_seconds", QuotaMetrics.TrainingSeconds, MeterAggregation.Sum, "Seconds spent training, failed trainings included"),
        new("longest_training_seconds", QuotaMetrics.TrainingSeconds, MeterAggregation.Max, "Seconds of the longest training"),
        new("predictions", QuotaMetrics.Predictions, MeterAggregation.Sum, "Rows scored online and in batch"),
        new("api_calls", QuotaMetrics.ApiCalls, MeterAggregation.Sum, "Authenticated API requests"),
        new("active_users", QuotaMetrics.ApiCalls, MeterAggregation.UniqueCount, "People who used the API or the web app (API keys count as their owner)"),
        new("reports_sent", QuotaMetrics.ReportsSent, MeterAggregation.Sum, "Reports delivered"),
    ];
}

/// <summary>The current tenant's recorded use of each metric over whole UTC days (billing prices a period from it).</summary>
public interface IUsageTotals
{
    /// <summary>Each metric's summed events from <paramref name="from"/> to <paramref name="to"/>, both days included.</summary>
    Task<IReadOnlyDictionary<string, long>> TotalsAsync(DateOnly from, DateOnly to, CancellationToken ct);
}

/// <summary>Usage analytics: the recorded usage events between two days, aggregated per meter and grouped by meter, day or user.</summary>
internal sealed class UsageAnalytics(PlatformDbContext db) : IUsageTotals
{
    public async Task<IReadOnlyDictionary<string, long>> TotalsAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var days = Enumerable.Range(0, Math.Max(0, to.DayNumber - from.DayNumber + 1)).Select(i => Day(from.AddDays(i))).ToList();
        var sums = await db.Set<UsageRecord>().AsNoTracking()
            .Where(r => days.Contains(r.Day))
            .GroupBy(r => r.Metric)
            .Select(g => new { Metric = g.Key, Sum = g.Sum(r => r.Amount) })
            .ToListAsync(ct).ConfigureAwait(false);
        return sums.ToDictionary(s => s.Metric, s => s.Sum, StringComparer.Ordinal);
    }

    public static readonly IReadOnlyList<string> GroupBys = ["meter", "day", "user"];

    /// <summary>The longest range one question may cover.</summary>
    public const int MaxDays = 400;

    private sealed record Cell(string Metric, string Day, string? Subject, long Sum, long Count, long Max, DateTimeOffset LatestAt)
    {
        public long LatestAmount { get; set; }
    }

    public async Task<UsageBreakdownDto> BreakdownAsync(DateOnly from, DateOnly to, string groupBy, IReadOnlyCollection<string>? meters, CancellationToken ct)
    {
        var chosen = MeterCatalog.All.Where(m => meters is null || meters.Count == 0 || meters.Contains(m.Name)).ToList();
        var metrics = chosen.Select(m => m.Metric).Distinct().ToList();
        // Days are fixed-width text: the range is the list of its days (at most MaxDays), which every database matches exactly.
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => Day(from.AddDays(i))).ToList();
        // One pass in the database: the events summed per metric, day and subject (a small table however many events).
        var raw = await db.Set<UsageRecord>().AsNoTracking()
            .Where(r => metrics.Contains(r.Metric) && days.Contains(r.Day))
            .GroupBy(r => new { r.Metric, r.Day, r.Subject })
            .Select(g => new { g.Key.Metric, g.Key.Day, g.Key.Subject, Sum = g.Sum(r => r.Amount), Count = g.LongCount(), Max = g.Max(r => r.Amount), LatestAt = g.Max(r => r.CreatedAt) })
            .ToListAsync(ct).ConfigureAwait(false);
        var cells = raw.Select(c => new Cell(c.Metric, c.Day, c.Subject, c.Sum, c.Count, c.Max, c.LatestAt)).ToList();
        var latestMetrics = chosen.Where(m => m.Aggregation == MeterAggregation.Latest).Select(m => m.Metric).Distinct().ToList();
        if (latestMetrics.Count > 0)
        {
            var times = cells.Where(c => latestMetrics.Contains(c.Metric)).Select(c => c.LatestAt).Distinct().ToList();
            var latest = await db.Set<UsageRecord>().AsNoTracking()
                .Where(r => latestMetrics.Contains(r.Metric) && times.Contains(r.CreatedAt))
                .Select(r => new { r.Metric, r.Day, r.Subject, r.CreatedAt, r.Amount, r.Id }).ToListAsync(ct).ConfigureAwait(false);
            foreach (var cell in cells.Where(c => latestMetrics.Contains(c.Metric)))
            {
                // Two events at the same instant: the later id (ids are time-ordered) is the latest.
                cell.LatestAmount = latest.Where(r => r.Metric == cell.Metric && r.Day == cell.Day && r.Subject == cell.Subject && r.CreatedAt == cell.LatestAt)
                    .OrderByDescending(r => r.Id.ToString("N"), StringComparer.Ordinal).Select(r => r.Amount).FirstOrDefault();
            }
        }
        var groups = new List<UsageGroupDto>();
        var totals = new List<UsageGroupDto>();
        foreach (var meter in chosen)
        {
            var mine = cells.Where(c => c.Metric == meter.Metric).ToList();
            totals.Add(Aggregate(meter, null, mine));
            if (groupBy == "meter")
            {
                continue;
            }
            foreach (var group in mine.GroupBy(c => groupBy == "day" ? c.Day : c.Subject).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                groups.Add(Aggregate(meter, group.Key, [.. group]));
            }
        }
        return new UsageBreakdownDto(from, to, groupBy, groupBy == "meter" ? totals : groups, totals,
            [.. chosen.Select(m => new MeterDto(m.Name, m.Metric, m.AggregationName, m.Description))]);
    }

    private static UsageGroupDto Aggregate(MeterDefinition meter, string? key, IReadOnlyList<Cell> cells)
    {
        var events = cells.Sum(c => c.Count);
        var value = meter.Aggregation switch
        {
            MeterAggregation.Count => events,
            MeterAggregation.Sum => cells.Sum(c => c.Sum),
            MeterAggregation.Max => cells.Count == 0 ? 0 : cells.Max(c => c.Max),
            MeterAggregation.UniqueCount => cells.Where(c => c.Sum != 0 && c.Subject is not null).Select(c => c.Subject).Distinct(StringComparer.Ordinal).LongCount(),
            MeterAggregation.Latest => cells.Count == 0 ? 0 : cells.OrderByDescending(c => c.LatestAt).First().LatestAmount,
            _ => throw new InvalidOperationException("unknown aggregation " + meter.Aggregation),
        };
        return new UsageGroupDto(meter.Name, key, value, events);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The breakdown as CSV: one row per group with the meter, its key, value and events; numbers plain so spreadsheets read them.</summary>
    public static string Csv(UsageBreakdownDto breakdown)
    {
        var text = new StringBuilder();
        text.Append("meter,").Append(breakdown.GroupBy == "meter" ? "from_to" : breakdown.GroupBy).Append(",value,events\n");
        foreach (var group in breakdown.Groups)
        {
            var key = group.Key ?? (breakdown.GroupBy == "meter" ? $"{Day(breakdown.From)}..{Day(breakdown.To)}" : breakdown.GroupBy == "user" ? "(organisation)" : string.Empty);
            text.Append(group.Meter).Append(',').Append(Escape(key)).Append(',')
                .Append(group.Value.ToString(CultureInfo.InvariantCulture)).Append(',').Append(group.Events.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }

    private static string Escape(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal))
            ? "\"" + (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" : string.Empty) + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}

/// <summary>Dates usage recorded before events carried their day (<see cref="UsageRecord.Day"/>), so analytics count it too.</summary>
internal sealed class UsageDayBackfill(PlatformDbContext db, ITenantContext tenant) : Jobs.IStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var _ = tenant.BeginSystemScope();
        while (await db.Set<UsageRecord>().IgnoreQueryFilters().Where(r => r.Day == string.Empty).Select(r => new { r.Id, r.CreatedAt }).Take(500)
            .ToListAsync(cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
        {
            foreach (var record in batch)
            {
                var day = record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                await db.Set<UsageRecord>().IgnoreQueryFilters().Where(r => r.Id == record.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Day, day), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
