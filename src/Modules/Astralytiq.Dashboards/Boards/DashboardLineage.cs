using Microsoft.Extensions.Logging;

namespace Astralytiq.Dashboards.Boards;

/// <summary>
/// Dashboards and reports are consumers of the datasets they show: registered with the Data module's lineage whenever
/// a dashboard's definition or a report changes, and removed when they are deleted. The dataset's lineage graph shows
/// them and deleting a dataset they use is refused (409 naming them) unless forced. While the Data module's store is
/// down, the change is saved anyway and the registration is left to a job (<see cref="LineageSyncJob"/>) that
/// retries until the Data module is back: a Data outage never stops work on dashboards (P1).
/// </summary>
internal sealed partial class DashboardLineage(DashboardsDbContext db, IDatasetLineage lineage, ISqlQueries sql, IJobScheduler jobs, ILogger<DashboardLineage> logger)
{
    public const string DashboardKind = "dashboard";
    public const string ReportKind = "report";

    /// <summary><see cref="SyncDashboardAsync"/> now, or by a job once the Data module answers again.</summary>
    public Task SyncDashboardOrLaterAsync(Dashboard dashboard, CancellationToken ct) =>
        OrLaterAsync(() => SyncDashboardAsync(dashboard, ct), new LineageWork(DashboardKind, dashboard.Id), ct);

    /// <summary><see cref="RemoveDashboardAsync"/> now, or by a job once the Data module answers again.</summary>
    public Task RemoveDashboardOrLaterAsync(Guid dashboardId, CancellationToken ct) =>
        OrLaterAsync(() => RemoveDashboardAsync(dashboardId, ct), new LineageWork(DashboardKind, dashboardId), ct);

    /// <summary><see cref="SyncReportAsync"/> now, or by a job once the Data module answers again.</summary>
    public Task SyncReportOrLaterAsync(Reports.Report report, CancellationToken ct) =>
        OrLaterAsync(() => SyncReportAsync(report, ct), new LineageWork(ReportKind, report.Id), ct);

    private async Task OrLaterAsync(Func<Task> sync, LineageWork work, CancellationToken ct)
    {
        try
        {
            await sync().ConfigureAwait(false);
        }
        catch (Exception ex) when (DependencyFaults.IsDependencyDown(ex))
        {
            LogDeferred(logger, ex, work.Kind, work.Id);
            await jobs.EnqueueAsync(LineageSyncJob.Kind, work, LineageSyncJob.MaxAttempts, ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lineage of {Kind} {Id} not registered now (a store is down); a job will register it")]
    private static partial void LogDeferred(ILogger logger, Exception exception, string kind, Guid id);

    /// <summary>The datasets a definition's widgets read: their sources' datasets and those their SQL names.</summary>
    public async Task<IReadOnlyList<Guid>> DatasetsAsync(string definitionJson, CancellationToken ct)
    {
        var widgets = JsonSerializer.Deserialize<DashboardDefinitionDto>(definitionJson, ApiJson.Options)?.Widgets ?? [];
        var datasets = widgets.Select(w => w.Source?.DatasetId).OfType<Guid>().ToList();
        foreach (var text in widgets.Select(w => w.Sql).OfType<string>())
        {
            // A query that no longer resolves (a dataset renamed or deleted) reads nothing now: nothing to guard.
            if (await sql.DatasetsAsync(text, ct).ConfigureAwait(false) is { IsSuccess: true } reads)
            {
                datasets.AddRange(reads.Value);
            }
        }
        return datasets.Distinct().ToList();
    }

    /// <summary>Registers the dashboard (and every report of it) as consumers of exactly the datasets it shows now.</summary>
    public async Task SyncDashboardAsync(Dashboard dashboard, CancellationToken ct)
    {
        var datasets = await DatasetsAsync(dashboard.DefinitionJson, ct).ConfigureAwait(false);
        await ReplaceAsync(DashboardKind, dashboard.Id, dashboard.Name, datasets, ct).ConfigureAwait(false);
        var reports = await db.Reports.AsNoTracking().Where(r => r.DashboardId == dashboard.Id && r.DeletedAt == null)
            .Select(r => new { r.Id, r.Name }).ToListAsync(ct).ConfigureAwait(false);
        foreach (var report in reports)
        {
            await ReplaceAsync(ReportKind, report.Id, report.Name, datasets, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A deleted dashboard uses nothing, nor do its reports (which can no longer run).</summary>
    public async Task RemoveDashboardAsync(Guid dashboardId, CancellationToken ct)
    {
        await lineage.RemoveUseAsync(DashboardKind, dashboardId, ct).ConfigureAwait(false);
        var reports = await db.Reports.AsNoTracking().Where(r => r.DashboardId == dashboardId).Select(r => r.Id).ToListAsync(ct).ConfigureAwait(false);
        foreach (var report in reports)
        {
            await lineage.RemoveUseAsync(ReportKind, report, ct).ConfigureAwait(false);
        }
    }

    public async Task SyncReportAsync(Reports.Report report, CancellationToken ct)
    {
        var definition = await db.Dashboards.AsNoTracking().Where(d => d.Id == report.DashboardId && d.DeletedAt == null)
            .Select(d => d.DefinitionJson).SingleOrDefaultAsync(ct).ConfigureAwait(false);
        await ReplaceAsync(ReportKind, report.Id, report.Name, report.DeletedAt is null && definition is not null ? await DatasetsAsync(definition, ct).ConfigureAwait(false) : [], ct).ConfigureAwait(false);
    }

    private async Task ReplaceAsync(string kind, Guid consumerId, string name, IReadOnlyList<Guid> datasets, CancellationToken ct)
    {
        await lineage.RemoveUseAsync(kind, consumerId, ct).ConfigureAwait(false);
        foreach (var dataset in datasets)
        {
            // A widget over a dataset deleted meanwhile registers nothing (NotFound): nothing to guard.
            await lineage.RegisterUseAsync(dataset, null, kind, consumerId, name.Length > 200 ? name[..200] : name, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>A dashboard's or report's lineage to register again (whatever it is by then: deleted ones are removed).</summary>
internal sealed record LineageWork(string Kind, Guid Id);

/// <summary>Registers a dashboard's or report's lineage that could not be registered when it changed; retried until the Data module answers.</summary>
internal sealed class LineageSyncJob(DashboardsDbContext db, DashboardLineage lineage) : IJobHandler
{
    public const string Kind = "dashboards.lineage";
    public const int MaxAttempts = 20;

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<LineageWork>();
        if (work.Kind == DashboardLineage.ReportKind)
        {
            if (await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == work.Id, cancellationToken).ConfigureAwait(false) is { } report)
            {
                await lineage.SyncReportAsync(report, cancellationToken).ConfigureAwait(false);
            }
            return null;
        }
        var dashboard = await db.Dashboards.AsNoTracking().SingleOrDefaultAsync(d => d.Id == work.Id, cancellationToken).ConfigureAwait(false);
        if (dashboard is null || dashboard.DeletedAt is not null)
        {
            await lineage.RemoveDashboardAsync(work.Id, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await lineage.SyncDashboardAsync(dashboard, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }
}
