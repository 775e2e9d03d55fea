using Astralytiq.Platform.Quotas;
using Astralytiq.Platform.Storage;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astralytiq.Dashboards.Reports;

/// <summary>
/// Keeps the files a report run made (PDF, CSV, XLSX) for as long as each organisation's plan says
/// (<see cref="QuotaMetrics.RetentionDays"/>; <see cref="DefaultDays"/> when it says nothing): every hour the files of older
/// runs are deleted from storage and the runs stay in the history, marked as having none.
/// </summary>
internal sealed partial class ReportFileRetention(IServiceScopeFactory scopes, TimeProvider time, ILogger<ReportFileRetention> logger)
    : Astralytiq.Platform.Hosting.PeriodicWork(time, logger)
{
    public const int DefaultDays = 365;
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);
    private const int Batch = 500;

    protected override TimeSpan Interval => Every;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => PurgeAsync(Clock.GetUtcNow(), cancellationToken);

    /// <summary>Deletes the files of runs older than each organisation's retention at <paramref name="now"/> (one organisation's, if named); returns the files deleted.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken ct, Guid? onlyTenant = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<DashboardsDbContext>();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStorage>();
        var retention = scope.ServiceProvider.GetRequiredService<HistoryRetention>();
        var tenants = await db.Reports.Where(r => onlyTenant == null || r.TenantId == onlyTenant).Select(r => r.TenantId).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var deleted = 0;
        foreach (var tenantId in tenants)
        {
            var before = now.AddDays(-await retention.DaysAsync(tenantId, DefaultDays, ct).ConfigureAwait(false));
            while (true)
            {
                var runs = await db.ReportRuns.Where(r => r.TenantId == tenantId && r.FilesJson != "[]" && r.QueuedAt < before).OrderBy(r => r.QueuedAt).Take(Batch)
                    .ToListAsync(ct).ConfigureAwait(false);
                if (runs.Count == 0)
                {
                    break;
                }
                foreach (var run in runs)
                {
                    foreach (var file in StoredReportFiles.Files(run))
                    {
                        deleted += await blobs.DeleteAsync(run.TenantId, StoredReportFiles.BlobPath(run, file.Name), ct).ConfigureAwait(false) ? 1 : 0;
                    }
                    run.FilesJson = "[]";
                }
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
        }
        if (deleted > 0)
        {
            LogPurged(Logger, deleted);
        }
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Files} report files past their organisation's retention")]
    private static partial void LogPurged(ILogger logger, int files);
}
