namespace Astralytiq.Dashboards.Boards;

/// <summary>Finds a dashboard as the caller may act on it (view, edit, owner), and the shapes every feature answers with.</summary>
internal sealed class DashboardFinder(DashboardsDbContext db, ITenantContext tenant)
{
    public IQueryable<Dashboard> Visible() => db.Dashboards.Where(d => d.DeletedAt == null).VisibleTo(db, tenant.UserId, tenant.Role);

    /// <summary>The dashboard when the caller may act on it at <paramref name="needed"/> (view, edit or owner): 404 when they may not see it, 403 when they may only see it.</summary>
    public async Task<Result<(Dashboard Dashboard, string Level)>> FindAsync(Guid id, string needed, bool track, CancellationToken ct)
    {
        var query = track ? db.Dashboards : db.Dashboards.AsNoTracking();
        var dashboard = await query.SingleOrDefaultAsync(d => d.Id == id && d.DeletedAt == null, ct).ConfigureAwait(false);
        var level = dashboard is null ? null : await DashboardAccess.LevelAsync(db, dashboard, tenant.UserId, tenant.Role, ct).ConfigureAwait(false);
        if (dashboard is null || level is null)
        {
            return new NotFoundError("Dashboard");
        }
        var enough = needed switch
        {
            DashboardAccess.Owner => level == DashboardAccess.Owner,
            DashboardAccess.Edit => level is DashboardAccess.Owner or DashboardAccess.Edit,
            _ => true,
        };
        return enough ? (dashboard, level) : new ForbiddenError(needed == DashboardAccess.Owner
            ? "Only the dashboard's creator or an admin may do this"
            : "This dashboard is shared with you to view, not to edit");
    }

    /// <summary>For links and shares: the dashboard when the caller owns it (creator or admin).</summary>
    public async Task<Result<Unit>> RequireOwnerAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        return found.IsSuccess ? Unit.Value : found.Error!;
    }

    public static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public static DashboardDefinitionDto Definition(string json) => JsonSerializer.Deserialize<DashboardDefinitionDto>(json, ApiJson.Options)!;

    public static DashboardResponse ToResponse(Dashboard d, string level) =>
        new(d.Id, d.Name, d.Folder, d.Description, d.Version, Definition(d.DefinitionJson), d.CreatedBy, d.CreatedAt, d.UpdatedAt, level,
            level == DashboardAccess.Owner ? d.EmbedEnabled : null,
            level == DashboardAccess.Owner ? JsonSerializer.Deserialize<List<string>>(d.EmbedLockedFiltersJson ?? "[]", ApiJson.Options) : null);
}
