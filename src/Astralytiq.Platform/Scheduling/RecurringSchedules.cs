using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Astralytiq.Platform.Scheduling;

/// <summary>
/// A row that recurs on a cron schedule (a pipeline, a report, …). Its module keeps <see cref="NextRunAt"/> null while
/// it must not run (disabled, deleted) and indexes it; the kernel's scheduler claims the row when that time has come.
/// </summary>
public interface IRecurring : ITenantOwned
{
    Guid Id { get; }

    /// <summary>Whom the occurrence runs as.</summary>
    Guid? CreatedBy { get; }

    string? Cron { get; }

    /// <summary>IANA zone the cron is read in; null means UTC.</summary>
    string? TimeZone { get; }

    DateTimeOffset? NextRunAt { get; set; }
}

/// <summary>One claimed occurrence of a schedule: the row, its tenant, whom it runs as and the time it was due.</summary>
public sealed record Occurrence(Guid SubjectId, Guid TenantId, Guid? ActorId, DateTimeOffset Due);

/// <summary>Starts the work of one claimed occurrence (queues a job, as a rule); runs scoped, in the occurrence's tenant.</summary>
public interface IOccurrenceHandler<TSubject>
    where TSubject : class, IRecurring
{
    Task StartAsync(Occurrence occurrence, CancellationToken cancellationToken);
}

public sealed class ScheduleSettings
{
    /// <summary>How often the scheduler looks for due occurrences.</summary>
    [Range(1, 86_400)]
    public int TickSeconds { get; set; } = 20;
}

public static class RecurringRegistration
{
    /// <summary>
    /// Makes the rows of <typeparamref name="TSubject"/> in <typeparamref name="TContext"/> recur: the kernel scheduler
    /// claims each due row once across nodes and hands it to <typeparamref name="THandler"/>.
    /// </summary>
    public static IServiceCollection AddRecurring<TContext, TSubject, THandler>(this IServiceCollection services)
        where TContext : DbContext
        where TSubject : class, IRecurring
        where THandler : class, IOccurrenceHandler<TSubject>
    {
        services.AddScoped<IOccurrenceHandler<TSubject>, THandler>();
        services.AddSingleton<IRecurringSource, RecurringSource<TContext, TSubject>>();
        services.TryAddSingleton<RecurringScheduler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RecurringScheduler>(sp => sp.GetRequiredService<RecurringScheduler>()));
        return services;
    }
}

internal interface IRecurringSource
{
    string Name { get; }

    /// <summary>Claims the occurrences due at <paramref name="now"/> (at most <paramref name="limit"/>) and returns them.</summary>
    Task<IReadOnlyList<Occurrence>> ClaimAsync(IServiceProvider services, DateTimeOffset now, int limit, Guid? onlyTenant, CancellationToken ct);

    Task StartAsync(IServiceProvider services, Occurrence occurrence, CancellationToken ct);
}

/// <summary>
/// Claims due rows of one table: one indexed query for the earliest due rows, then per row a conditional update that
/// moves its next run to the following occurrence; only the node whose update still sees the old due time wins.
/// </summary>
internal sealed class RecurringSource<TContext, TSubject> : IRecurringSource
    where TContext : DbContext
    where TSubject : class, IRecurring
{
    public string Name => typeof(TSubject).Name;

    public async Task<IReadOnlyList<Occurrence>> ClaimAsync(IServiceProvider services, DateTimeOffset now, int limit, Guid? onlyTenant, CancellationToken ct)
    {
        var db = services.GetRequiredService<TContext>();
        var set = db.Set<TSubject>();
        var due = await set.AsNoTracking()
            .Where(s => s.NextRunAt != null && s.NextRunAt <= now && (onlyTenant == null || s.TenantId == onlyTenant))
            .OrderBy(s => s.NextRunAt).Take(limit)
            .Select(s => new { s.Id, s.TenantId, s.CreatedBy, s.Cron, s.TimeZone, s.NextRunAt })
            .ToListAsync(ct).ConfigureAwait(false);
        var claimed = new List<Occurrence>(due.Count);
        foreach (var row in due)
        {
            DateTimeOffset? next;
            try
            {
                next = row.Cron is null ? null : CronSchedule.NextRun(row.Cron, row.TimeZone, now);
            }
            catch (Exception ex) when (ex is Cronos.CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                // A schedule that can no longer be read (a zone the system dropped) stops instead of firing on every tick.
                next = null;
            }
            var won = await set.Where(s => s.Id == row.Id && s.NextRunAt == row.NextRunAt)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.NextRunAt, next), ct).ConfigureAwait(false);
            if (won == 1)
            {
                claimed.Add(new Occurrence(row.Id, row.TenantId, row.CreatedBy, row.NextRunAt!.Value));
            }
        }
        return claimed;
    }

    public Task StartAsync(IServiceProvider services, Occurrence occurrence, CancellationToken ct) =>
        services.GetRequiredService<IOccurrenceHandler<TSubject>>().StartAsync(occurrence, ct);
}

/// <summary>
/// The one recurring-schedule service: every tick it asks each registered table for its due rows (never loading the
/// rest), claims them and starts each occurrence in its tenant. A failed tick is logged and the next one tries again.
/// </summary>
internal sealed partial class RecurringScheduler(
    IServiceScopeFactory scopes,
    IEnumerable<IRecurringSource> sources,
    ScheduleSettings settings,
    TimeProvider time,
    ILogger<RecurringScheduler> logger) : BackgroundService
{
    /// <summary>Rows claimed per query; a tick keeps claiming until a source has fewer due.</summary>
    internal const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.TickSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await TickAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTickFailed(logger, ex);
            }
        }
    }

    /// <summary>Starts the occurrences due at <paramref name="now"/>; <paramref name="onlyTenant"/> limits the tick to one tenant (tests).</summary>
    /// <returns>How many occurrences this call claimed and started.</returns>
    internal async Task<int> TickAsync(DateTimeOffset now, CancellationToken ct, Guid? onlyTenant = null)
    {
        var started = 0;
        foreach (var source in sources)
        {
            IReadOnlyList<Occurrence> claimed;
            do
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
                    claimed = await source.ClaimAsync(scope.ServiceProvider, now, Batch, onlyTenant, ct).ConfigureAwait(false);
                }
                foreach (var occurrence in claimed)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    using var tenantScope = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(occurrence.TenantId, occurrence.ActorId);
                    try
                    {
                        await source.StartAsync(scope.ServiceProvider, occurrence, ct).ConfigureAwait(false);
                        started++;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One occurrence that cannot start (its tenant over a quota, say) does not stop the others.
                        LogStartFailed(logger, source.Name, occurrence.SubjectId, occurrence.Due, ex);
                    }
                }
            }
            while (claimed.Count == Batch);
        }
        return started;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recurring scheduler tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled {Kind} {SubjectId} due at {Due} was not started")]
    private static partial void LogStartFailed(ILogger logger, string kind, Guid subjectId, DateTimeOffset due, Exception exception);
}
