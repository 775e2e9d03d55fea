using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Prediction;

/// <summary>
/// Keeps the prediction log (with its feedback) for as long as each organisation's plan says
/// (<see cref="Astralytiq.Platform.Quotas.QuotaMetrics.RetentionDays"/>; <see cref="MlSettings.PredictionLogRetentionDays"/>
/// when it says nothing), and the deployments' traffic figures for <see cref="MlSettings.DeploymentStatsRetentionDays"/>:
/// every hour, older rows are deleted in batches.
/// </summary>
internal sealed partial class MlRetention(IServiceScopeFactory scopes, MlSettings settings, TimeProvider time, ILogger<MlRetention> logger)
    : Platform.Hosting.PeriodicWork(time, logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);
    private const int Batch = 10_000;

    protected override TimeSpan Interval => Every;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => PurgeAsync(Clock.GetUtcNow(), cancellationToken);

    /// <summary>Deletes what is older than the retention at <paramref name="now"/> (of one organisation, if named); returns the rows deleted (log, figures).</summary>
    public async Task<(long Predictions, long Stats)> PurgeAsync(DateTimeOffset now, CancellationToken ct, Guid? onlyTenant = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<MlDbContext>();
        var retention = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Quotas.HistoryRetention>();
        var statsBefore = now.AddDays(-settings.DeploymentStatsRetentionDays);
        long predictions = 0, stats = 0;
        // Predictions come from models: the organisations with models are the ones with a log to keep short.
        var tenants = await db.Models.Where(m => onlyTenant == null || m.TenantId == onlyTenant).Select(m => m.TenantId).Distinct().ToListAsync(ct).ConfigureAwait(false);
        foreach (var tenantId in tenants)
        {
            var logBefore = now.AddDays(-await retention.DaysAsync(tenantId, settings.PredictionLogRetentionDays, ct).ConfigureAwait(false));
            while (true)
            {
                var ids = await db.Predictions.Where(p => p.TenantId == tenantId && p.CreatedAt < logBefore).Select(p => p.Id).Take(Batch).ToListAsync(ct).ConfigureAwait(false);
                if (ids.Count == 0)
                {
                    break;
                }
                predictions += await db.Predictions.Where(p => ids.Contains(p.Id)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            }
            // The actual values go with the predictions they judge: without them a metric could not be computed again.
            await db.Feedback.Where(f => f.TenantId == tenantId && f.PredictedAt < logBefore).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        }
        stats += await db.DeploymentStats.Where(s => s.Minute < statsBefore && (onlyTenant == null || s.TenantId == onlyTenant)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (predictions + stats > 0)
        {
            LogPurged(Logger, predictions, stats);
        }
        return (predictions, stats);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Predictions} prediction log rows and {Stats} deployment traffic rows")]
    private static partial void LogPurged(ILogger logger, long predictions, long stats);
}
