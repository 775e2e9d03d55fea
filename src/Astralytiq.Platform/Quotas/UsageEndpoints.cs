using Astralytiq.Contracts.Usage;

namespace Astralytiq.Platform.Quotas;

internal static class UsageEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/usage", GetAsync).WithTags("Usage").ProducesErrors(401, 403, 429);
        routes.MapGet("/plans", PlansAsync).WithTags("Usage").ProducesErrors(401, 403, 429);
    }

    [RequiresPermission(Permission.SettingsRead), EndpointName("ListPlansForTenant")]
    [EndpointSummary("The organisation's plan and every plan it could be on: limits, features and price a month, cheapest first")]
    private static async Task<Ok<Astralytiq.Contracts.Tenancy.TenantPlansResponse>> PlansAsync(PlanSettings plans, IPlanResolver resolver, ITenantContext tenant, CancellationToken ct) =>
        TypedResults.Ok(new Astralytiq.Contracts.Tenancy.TenantPlansResponse((await resolver.PlanAsync(tenant.TenantId!.Value, ct).ConfigureAwait(false)).Code, plans.Describe(), plans.Currency));

    [RequiresPermission(Permission.SettingsRead), EndpointName("GetUsage")]
    [EndpointSummary("The plan, this period's use of each metric against its limit, and with group_by (meter, day or user) the metered use between from and to (UTC days, both included; format=csv for a file)")]
    [Errors(422)]
    private static async Task<Results<Ok<UsageResponse>, FileContentHttpResult, ApiError>> GetAsync(
        UsageReports reports, CancellationToken ct,
        string? from = null, string? to = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_by")] string? groupBy = null, string? meter = null, string? format = null) =>
        UsageReports.Answer(await reports.ReadAsync(new UsageQuery(from, to, groupBy, meter, format), ct).ConfigureAwait(false));
}

/// <summary>A usage question as asked over HTTP: the days (yyyy-MM-dd), the grouping, the meters (comma-separated) and the format, each optional.</summary>
public sealed record UsageQuery(string? From, string? To, string? GroupBy, string? Meter, string? Format);

/// <summary>The usage answered, and whether it was asked for as CSV.</summary>
public sealed record UsageReport(UsageResponse Usage, bool Csv);

/// <summary>Answers usage questions for the current tenant: the organisation's own page, and the operator's view of one tenant.</summary>
public sealed class UsageReports
{
    private readonly IQuotas _quotas;
    private readonly UsageAnalytics _analytics;
    private readonly TimeProvider _time;

    internal UsageReports(IQuotas quotas, UsageAnalytics analytics, TimeProvider time) => (_quotas, _analytics, _time) = (quotas, analytics, time);

    /// <summary>The answer to a usage question: the usage as JSON, its breakdown as a CSV file, or the error.</summary>
    public static Results<Ok<UsageResponse>, FileContentHttpResult, ApiError> Answer(Result<UsageReport> report)
    {
        if (!report.IsSuccess)
        {
            return new ApiError(report.Error!);
        }
        var (usage, csv) = (report.Value.Usage, report.Value.Csv);
        if (csv)
        {
            var b = usage.Breakdown!;
            return TypedResults.File(Encoding.UTF8.GetBytes(UsageAnalytics.Csv(b)), "text/csv; charset=utf-8",
                $"usage-{b.From:yyyy-MM-dd}-{b.To:yyyy-MM-dd}-by-{b.GroupBy}.csv");
        }
        return TypedResults.Ok(usage);
    }

    public async Task<Result<UsageReport>> ReadAsync(UsageQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = _time.GetUtcNow();
        var errors = new FieldErrors();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var start = ParseDay(query.From, "from", new DateOnly(today.Year, today.Month, 1), errors);
        var end = ParseDay(query.To, "to", today, errors);
        var groupBy = query.GroupBy;
        if (groupBy is not null && !UsageAnalytics.GroupBys.Contains(groupBy))
        {
            errors.Add("group_by", $"'{(groupBy.Length > 40 ? groupBy[..40] + "…" : groupBy)}' is not a grouping; use one of {string.Join(", ", UsageAnalytics.GroupBys)}");
        }
        var meters = query.Meter?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (var unknown in meters.Where(m => MeterCatalog.All.All(d => d.Name != m)).Take(5))
        {
            errors.Add("meter", $"'{(unknown.Length > 40 ? unknown[..40] + "…" : unknown)}' is not a meter; use any of {string.Join(", ", MeterCatalog.All.Select(d => d.Name))}");
        }
        if (query.Format is not (null or "json" or "csv"))
        {
            errors.Add("format", "format is json (the default) or csv");
        }
        if (start > end)
        {
            errors.Add("from", "from must be on or before to");
        }
        else if (end.DayNumber - start.DayNumber + 1 > UsageAnalytics.MaxDays)
        {
            errors.Add("to", $"ask for at most {UsageAnalytics.MaxDays} days at a time");
        }
        var csv = query.Format == "csv";
        if (csv && groupBy is null)
        {
            groupBy = "meter";
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        UsageBreakdownDto? breakdown = null;
        if (groupBy is not null || query.From is not null || query.To is not null)
        {
            breakdown = await _analytics.BreakdownAsync(start, end, groupBy ?? "meter", meters, ct).ConfigureAwait(false);
        }
        var items = new List<UsageItemDto>();
        var plan = string.Empty;
        foreach (var metric in QuotaMetrics.Limitable)
        {
            var usage = await _quotas.UsageAsync(metric, ct).ConfigureAwait(false);
            plan = usage.Plan;
            var monthly = QuotaMetrics.IsMonthly(metric);
            items.Add(new UsageItemDto(metric, QuotaMetrics.IsCap(metric) ? 0 : usage.Used, usage.Limit,
                monthly ? QuotaService.PeriodOf(now) : null, monthly ? QuotaService.NextPeriod(now) : null));
        }
        return new UsageReport(new UsageResponse(plan, items, breakdown), csv);
    }

    private static DateOnly ParseDay(string? text, string field, DateOnly fallback, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        errors.Add(field, $"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not a day; write it as yyyy-MM-dd (2026-12-01)");
        return fallback;
    }
}
