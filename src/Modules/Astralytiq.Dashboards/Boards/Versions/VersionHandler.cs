namespace Astralytiq.Dashboards.Boards.Versions;

/// <summary>A dashboard's saved versions, and restoring one (as the next version: history is never rewritten).</summary>
internal sealed class VersionHandler(DashboardsDbContext db, DashboardFinder finder, DashboardHandlers dashboards)
{
    public async Task<Result<IReadOnlyList<DashboardVersionDto>>> VersionsAsync(Guid id, CancellationToken ct)
    {
        if (!await finder.Visible().AnyAsync(d => d.Id == id, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Dashboard");
        }
        var versions = await db.Versions.AsNoTracking().Where(v => v.DashboardId == id).OrderByDescending(v => v.Version).ToListAsync(ct).ConfigureAwait(false);
        return versions.Select(v => new DashboardVersionDto(v.Version, v.Name, DashboardFinder.Definition(v.DefinitionJson).Widgets.Count, v.Note, v.CreatedBy, v.CreatedAt)).ToList();
    }

    /// <summary>Restoring saves the old version's content as the next version: history is never rewritten.</summary>
    public async Task<Result<DashboardResponse>> RestoreAsync(Guid id, int version, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.Edit, track: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dashboard, level) = found.Value;
        var old = await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.DashboardId == id && v.Version == version, ct).ConfigureAwait(false);
        if (old is null)
        {
            return new NotFoundError("Dashboard version");
        }
        return await dashboards.SaveVersionAsync(dashboard, old.Name, old.Folder, old.Description, old.DefinitionJson, $"restored from version {version}", level, ct).ConfigureAwait(false);
    }
}
