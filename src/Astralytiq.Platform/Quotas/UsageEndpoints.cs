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
        TypedResults.Ok(new Astralytiq.Contracts.Tenancy.TenantPlansResponse(await resolver.PlanAsync(tenant.TenantId!.Value, ct).ConfigureAwait(false), plans.Describe(), plans.Currency));

    [RequiresPermission(Permission.SettingsRead), EndpointName("GetUsage")]
    [EndpointSummary("The plan, this period's use of each metric against its limit, and with group_by (meter, day or user) the metered use between from and to (UTC days, both included; format=csv for a file)")]
    [Errors(422)]
    private static async Task<Results<Ok<UsageResponse>, FileContentHttpResult, ApiError>> GetAsync(
        IQuotas quotas, UsageAnalytics analytics, TimeProvider time, CancellationToken ct,
        string? from = null, string? to = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_by")] string? groupBy = null, string? meter = null, string? format = null)
    {
        var now = time.GetUtcNow();
        var errors = new FieldErrors();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var start = ParseDay(from, "from", new DateOnly(today.Year, today.Month, 1), errors);
        var end = ParseDay(to, "to", today, errors);
        if (groupBy is not null && !UsageAnalytics.GroupBys.Contains(groupBy))
        {
            errors.Add("group_by", $"'{groupBy}' is not a grouping; use one of {string.Join(", ", UsageAnalytics.GroupBys)}");
        }
        var meters = meter?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (var unknown in meters.Where(m => MeterCatalog.All.All(d => d.Name != m)))
        {
            errors.Add("meter", $"'{unknown}' is not a meter; use any of {string.Join(", ", MeterCatalog.All.Select(d => d.Name))}");
        }
        if (format is not null && format is not ("json" or "csv"))
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
        if (format == "csv" && groupBy is null)
        {
            groupBy = "meter";
        }
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }

        UsageBreakdownDto? breakdown = null;
        if (groupBy is not null || from is not null || to is not null)
        {
            breakdown = await analytics.BreakdownAsync(start, end, groupBy ?? "meter", meters, ct).ConfigureAwait(false);
        }
        if (format == "csv")
        {
            var name = $"usage-{start:yyyy-MM-dd}-{end:yyyy-MM-dd}-by-{breakdown!.GroupBy}.csv";
            return TypedResults.File(Encoding.UTF8.GetBytes(UsageAnalytics.Csv(breakdown)), "text/csv; charset=utf-8", name);
        }
        var items = new List<UsageItemDto>();
        var plan = string.Empty;
        foreach (var metric in QuotaMetrics.Limitable)
        {
            var usage = await quotas.UsageAsync(metric, ct).ConfigureAwait(false);
            plan = usage.Plan;
            var monthly = QuotaMetrics.IsMonthly(metric);
            items.Add(new UsageItemDto(metric, QuotaMetrics.IsCap(metric) ? 0 : usage.Used, usage.Limit,
                monthly ? QuotaService.PeriodOf(now) : null, monthly ? QuotaService.NextPeriod(now) : null));
        }
        return TypedResults.Ok(new UsageResponse(plan, items, breakdown));
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
