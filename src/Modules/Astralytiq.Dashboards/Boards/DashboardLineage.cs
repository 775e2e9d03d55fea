namespace Astralytiq.Dashboards.Boards;

/// <summary>
/// Dashboards and reports are consumers of the datasets they show: registered with the Data module's lineage whenever
/// a dashboard's definition or a report changes, and removed when they are deleted. The dataset's lineage graph shows
/// them and deleting a dataset they use is refused (409 naming them) unless forced.
/// </summary>
internal sealed class DashboardLineage(DashboardsDbContext db, IDatasetLineage lineage, ISqlQueries sql)
{
    public const string DashboardKind = "dashboard";
    public const string ReportKind = "report";

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
