using Astralytiq.Contracts.Usage;

namespace Astralytiq.Platform.Quotas;

internal static class UsageEndpoints
{
    private static readonly string[] Metrics = [QuotaMetrics.StorageBytes, QuotaMetrics.Datasets, QuotaMetrics.RowsIngested, QuotaMetrics.BytesIngested, QuotaMetrics.UploadBytes];

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
    [EndpointSummary("The tenant's plan, and for each limited metric what is used this period and the limit (null: unlimited)")]
    private static async Task<Ok<UsageResponse>> GetAsync(IQuotas quotas, TimeProvider time, CancellationToken ct)
    {
        var items = new List<UsageItemDto>();
        var plan = string.Empty;
        foreach (var metric in Metrics)
        {
            var usage = await quotas.UsageAsync(metric, ct).ConfigureAwait(false);
            plan = usage.Plan;
            items.Add(new UsageItemDto(metric, metric == QuotaMetrics.UploadBytes ? 0 : usage.Used, usage.Limit,
                QuotaMetrics.IsMonthly(metric) ? time.GetUtcNow().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) : null));
        }
        return TypedResults.Ok(new UsageResponse(plan, items));
    }
}
