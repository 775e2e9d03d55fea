using System.Linq.Expressions;
using Astralytiq.Platform.Jobs;

namespace Astralytiq.Platform.Quotas;

/// <summary>
/// Things a plan limits by how many the organisation keeps (users, dashboards, reports, alert rules): each is counted
/// under its own key ("dashboard:{id}") when made, through <see cref="IQuotas.ConsumeAsync"/> (so a race at the limit
/// never passes it), and given back under that key when removed. What existed before the count began is counted at start
/// by <see cref="CountedQuotaRegistration.AddCountedQuota{TContext, TEntity}"/>.
/// </summary>
public static class CountedQuotaRegistration
{
    /// <summary>The key one thing is counted under.</summary>
    public static string Key(string prefix, Guid id) => prefix + ":" + id.ToString("N");

    /// <summary>
    /// At start, counts every live <typeparamref name="TEntity"/> of <typeparamref name="TContext"/> (those
    /// <paramref name="live"/> selects) that is not counted yet under <paramref name="metric"/>; never refused.
    /// </summary>
    public static IServiceCollection AddCountedQuota<TContext, TEntity>(
        this IServiceCollection services, string metric, string prefix, Expression<Func<TEntity, bool>> live, Expression<Func<TEntity, Guid>> id)
        where TContext : DbContext
        where TEntity : class, ITenantOwned
    {
        var parameter = id.Parameters[0];
        var projection = Expression.Lambda<Func<TEntity, CountedRow>>(
            Expression.MemberInit(Expression.New(typeof(CountedRow)),
                Expression.Bind(typeof(CountedRow).GetProperty(nameof(CountedRow.TenantId))!, Expression.Property(parameter, nameof(ITenantOwned.TenantId))),
                Expression.Bind(typeof(CountedRow).GetProperty(nameof(CountedRow.Id))!, id.Body)),
            parameter);
        return services.AddScoped<IStartupTask>(sp => new CountBackfill<TContext, TEntity>(sp, metric, prefix, live, projection));
    }
}

internal sealed class CountedRow
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }
}

internal sealed class CountBackfill<TContext, TEntity>(
    IServiceProvider services, string metric, string prefix, Expression<Func<TEntity, bool>> live, Expression<Func<TEntity, CountedRow>> projection) : IStartupTask
    where TContext : DbContext
    where TEntity : class, ITenantOwned
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tenant = services.GetRequiredService<ITenantContext>();
        List<CountedRow> rows;
        HashSet<(Guid, string)> counted;
        using (tenant.BeginSystemScope())
        {
            rows = await services.GetRequiredService<TContext>().Set<TEntity>().AsNoTracking().IgnoreQueryFilters().Where(live)
                .Where(e => e.TenantId != Guid.Empty).Select(projection).ToListAsync(cancellationToken).ConfigureAwait(false);
            var keys = await services.GetRequiredService<Persistence.PlatformDbContext>().Set<UsageRecord>().AsNoTracking().IgnoreQueryFilters()
                .Where(r => r.Metric == metric).Select(r => new { r.TenantId, r.Key }).ToListAsync(cancellationToken).ConfigureAwait(false);
            counted = [.. keys.Select(k => (k.TenantId, k.Key))];
        }
        foreach (var row in rows.Where(r => !counted.Contains((r.TenantId, CountedQuotaRegistration.Key(prefix, r.Id)))))
        {
            await using var scope = services.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(row.TenantId);
            await scope.ServiceProvider.GetRequiredService<IQuotas>()
                .RecordAsync(new UsageEvent(metric, 1, CountedQuotaRegistration.Key(prefix, row.Id), Enforce: false), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// How long an organisation's history is kept: its plan's <see cref="QuotaMetrics.RetentionDays"/>, or the module's own
/// default when the plan sets none. The purge jobs (the prediction log, report files) ask it per organisation.
/// </summary>
public sealed class HistoryRetention(IPlanResolver plans, PlanSettings catalog)
{
    public const int MaxDays = 36_500;

    public async Task<int> DaysAsync(Guid tenantId, int fallbackDays, CancellationToken cancellationToken)
    {
        var plan = await plans.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return catalog.Limit(plan, QuotaMetrics.RetentionDays) is { } days and > 0 ? (int)Math.Min(days, MaxDays) : fallbackDays;
    }
}
