namespace Astralytiq.Dashboards.Boards;

/// <summary>Dashboards: made, changed (each save a new version), read, listed and deleted.</summary>
internal sealed class DashboardHandlers(
    DashboardsDbContext db, DashboardFinder finder, DefinitionValidator validator, ITenantContext tenant, IAuditLog audit, TimeProvider time,
    LiveSubscriptions live, Microsoft.AspNetCore.SignalR.IHubContext<DashboardHub> hub, DashboardLineage lineage, Astralytiq.Platform.Quotas.IQuotas quotas)
{
    public async Task<Result<DashboardResponse>> CreateAsync(CreateDashboardRequest request, CancellationToken ct)
    {
        var checkedRequest = await validator.CheckAsync(request.Name, request.Folder, request.Description, request.Definition, ct).ConfigureAwait(false);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        var now = time.GetUtcNow();
        var dashboard = new Dashboard
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, Name = request.Name.Trim(), Folder = DashboardFinder.Clean(request.Folder),
            Description = DashboardFinder.Clean(request.Description), Version = 1, DefinitionJson = checkedRequest.Value, CreatedBy = tenant.UserId, CreatedAt = now, UpdatedAt = now,
        };
        // Counted first, atomically against the plan's limit; given back if the dashboard is not saved after all.
        var key = Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(DashboardsModule.DashboardCount, dashboard.Id);
        var counted = await quotas.ConsumeAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Dashboards, 1, key, ct).ConfigureAwait(false);
        if (!counted.IsSuccess)
        {
            return counted.Error!;
        }
        db.Dashboards.Add(dashboard);
        db.Versions.Add(Snapshot(dashboard, "created"));
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Dashboards, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await audit.RecordAsync(new AuditRecord("dashboard.created", AuditOutcome.Success, "dashboard", dashboard.Id.ToString(),
            new Dictionary<string, string> { ["name"] = dashboard.Name }), ct).ConfigureAwait(false);
        await lineage.SyncDashboardOrLaterAsync(dashboard, ct).ConfigureAwait(false);
        return DashboardFinder.ToResponse(dashboard, DashboardAccess.Owner);
    }

    public async Task<Result<DashboardResponse>> UpdateAsync(Guid id, UpdateDashboardRequest request, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.Edit, track: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dashboard, level) = found.Value;
        if (request.BaseVersion is { } baseVersion && baseVersion != dashboard.Version)
        {
            return new ConflictError($"The dashboard was saved as version {dashboard.Version} after version {baseVersion} you edited; reload it and save again");
        }
        var checkedRequest = await validator.CheckAsync(request.Name, request.Folder, request.Description, request.Definition, ct).ConfigureAwait(false);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        return await SaveVersionAsync(dashboard, request.Name.Trim(), DashboardFinder.Clean(request.Folder), DashboardFinder.Clean(request.Description), checkedRequest.Value, null, level, ct).ConfigureAwait(false);
    }

    public async Task<Result<DashboardResponse>> SaveVersionAsync(Dashboard dashboard, string name, string? folder, string? description, string definition, string? note, string level, CancellationToken ct)
    {
        var expected = dashboard.Version;
        dashboard.Name = name;
        dashboard.Folder = folder;
        dashboard.Description = description;
        dashboard.DefinitionJson = definition;
        dashboard.Version = expected + 1;
        dashboard.UpdatedAt = time.GetUtcNow();
        db.Versions.Add(Snapshot(dashboard, note));
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another save took this version number first (the unique index on versions): nothing of ours is kept.
            db.ChangeTracker.Clear();
            return new ConflictError($"The dashboard was saved by someone else at the same time (version {expected + 1}); reload it and save again");
        }
        await audit.RecordAsync(new AuditRecord(note is null ? "dashboard.updated" : "dashboard.restored", AuditOutcome.Success, "dashboard", dashboard.Id.ToString(),
            new Dictionary<string, string> { ["name"] = dashboard.Name, ["version"] = dashboard.Version.ToString(CultureInfo.InvariantCulture), ["note"] = note ?? string.Empty }), ct).ConfigureAwait(false);
        await lineage.SyncDashboardOrLaterAsync(dashboard, ct).ConfigureAwait(false);
        return DashboardFinder.ToResponse(dashboard, level);
    }

    public async Task<Result<DashboardResponse>> GetAsync(Guid id, int? version, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.View, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dashboard, level) = found.Value;
        if (version is { } number && number != dashboard.Version)
        {
            var old = await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.DashboardId == id && v.Version == number, ct).ConfigureAwait(false);
            if (old is null)
            {
                return new NotFoundError("Dashboard version");
            }
            return new DashboardResponse(dashboard.Id, old.Name, old.Folder, old.Description, old.Version, DashboardFinder.Definition(old.DefinitionJson), old.CreatedBy, dashboard.CreatedAt, old.CreatedAt, level);
        }
        return DashboardFinder.ToResponse(dashboard, level);
    }

    public async Task<Result<DashboardListResponse>> ListAsync(string? search, string? folder, int? offset, int? limit, CancellationToken ct)
    {
        var skip = offset ?? 0;
        var take = limit ?? 50;
        if (skip < 0 || take is < 1 or > 200)
        {
            return ValidationError.For("limit", "offset must be 0 or more and limit between 1 and 200");
        }
        var live = finder.Visible().AsNoTracking();
        var folders = await live.Where(d => d.Folder != null).Select(d => d.Folder!).Distinct().OrderBy(f => f).ToListAsync(ct).ConfigureAwait(false);
        var query = live;
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(d => d.Name.Contains(term));
        }
        if (folder is not null)
        {
            query = folder.Length == 0 ? query.Where(d => d.Folder == null) : query.Where(d => d.Folder == folder);
        }
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        var page = await query.OrderBy(d => d.Folder).ThenBy(d => d.Name).ThenBy(d => d.Id).Skip(skip).Take(take).ToListAsync(ct).ConfigureAwait(false);
        return new DashboardListResponse(page.Select(d => new DashboardSummaryDto(d.Id, d.Name, d.Folder, d.Description, d.Version,
            DashboardFinder.Definition(d.DefinitionJson).Widgets.Count, d.UpdatedAt)).ToList(), folders, total, skip, take);
    }

    public async Task<Result<Unit>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var now = time.GetUtcNow();
        var deleted = await db.Dashboards.Where(d => d.Id == id && d.DeletedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.DeletedAt, now), ct).ConfigureAwait(false);
        if (deleted == 0)
        {
            return new NotFoundError("Dashboard");
        }
        await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Dashboards, Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(DashboardsModule.DashboardCount, id), ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("dashboard.deleted", AuditOutcome.Success, "dashboard", id.ToString()), ct).ConfigureAwait(false);
        await lineage.RemoveDashboardOrLaterAsync(id, ct).ConfigureAwait(false);
        await live.RecheckAsync(db, hub, tenant.TenantId!.Value, id, ct).ConfigureAwait(false);
        return Unit.Value;
    }

    private DashboardVersion Snapshot(Dashboard d, string? note) => new()
    {
        Id = Guid.CreateVersion7(time.GetUtcNow()), TenantId = d.TenantId, DashboardId = d.Id, Version = d.Version, Name = d.Name, Folder = d.Folder,
        Description = d.Description, DefinitionJson = d.DefinitionJson, Note = note, CreatedBy = tenant.UserId, CreatedAt = time.GetUtcNow(),
    };
}
