namespace Astralytiq.Dashboards.Boards.Sharing;

/// <summary>Sharing a dashboard with a user or a role, to view or to edit.</summary>
internal sealed class ShareHandler(
    DashboardsDbContext db, DashboardFinder finder, ITenantContext tenant, IAuditLog audit, TimeProvider time,
    Identity.Contracts.IUserDirectory users, LiveSubscriptions live, Microsoft.AspNetCore.SignalR.IHubContext<DashboardHub> hub)
{
    public async Task<Result<IReadOnlyList<DashboardShareDto>>> SharesAsync(Guid id, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var shares = await db.Shares.AsNoTracking().Where(s => s.DashboardId == id).OrderBy(s => s.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
        var result = new List<DashboardShareDto>(shares.Count);
        foreach (var s in shares)
        {
            var user = s.UserId is { } u ? await users.FindAsync(u, ct).ConfigureAwait(false) : null;
            result.Add(new DashboardShareDto(s.Id, s.UserId, user?.Email, s.Role, s.Access, s.CreatedBy, s.CreatedAt));
        }
        return result;
    }

    public async Task<Result<DashboardShareDto>> ShareAsync(Guid id, ShareDashboardRequest request, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var errors = new FieldErrors();
        if (request.Access is not (DashboardAccess.View or DashboardAccess.Edit))
        {
            errors.Add("access", "access must be view or edit");
        }
        if ((request.UserId is null) == (request.Role is null))
        {
            errors.Add("user_id", "share with one user (user_id) or one role (role), not both");
        }
        string? role = null;
        if (request.Role is { } roleText)
        {
            if (!Enum.TryParse<Role>(roleText, ignoreCase: true, out var parsed) || parsed == Role.Operator || !Enum.IsDefined(parsed))
            {
                errors.Add("role", "role must be viewer, analyst or admin");
            }
            else
            {
                role = DashboardAccess.RoleName(parsed);
            }
        }
        Identity.Contracts.DirectoryUser? user = null;
        if (request.UserId is { } userId)
        {
            user = await users.FindAsync(userId, ct).ConfigureAwait(false);
            if (user is null)
            {
                errors.Add("user_id", "no such user in this organization");
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var share = await db.Shares.SingleOrDefaultAsync(s => s.DashboardId == id && (request.UserId != null ? s.UserId == request.UserId : s.Role == role), ct).ConfigureAwait(false);
        if (share is null)
        {
            share = new DashboardShare { Id = Guid.CreateVersion7(time.GetUtcNow()), TenantId = tenant.TenantId!.Value, DashboardId = id, UserId = request.UserId, Role = role, CreatedBy = tenant.UserId, CreatedAt = time.GetUtcNow() };
            db.Shares.Add(share);
        }
        share.Access = request.Access;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("dashboard.shared", AuditOutcome.Success, "dashboard", id.ToString(), new Dictionary<string, string>
        {
            ["with"] = user?.Email ?? ("role " + role), ["access"] = request.Access,
        }), ct).ConfigureAwait(false);
        return new DashboardShareDto(share.Id, share.UserId, user?.Email, share.Role, share.Access, share.CreatedBy, share.CreatedAt);
    }

    /// <summary>Takes a share back: at once for requests, and live connections of people who no longer see the dashboard stop receiving.</summary>
    public async Task<Result<Unit>> UnshareAsync(Guid id, Guid shareId, CancellationToken ct)
    {
        var found = await finder.FindAsync(id, DashboardAccess.Owner, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var removed = await db.Shares.Where(s => s.Id == shareId && s.DashboardId == id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (removed == 0)
        {
            return new NotFoundError("Share");
        }
        await audit.RecordAsync(new AuditRecord("dashboard.unshared", AuditOutcome.Success, "dashboard", id.ToString(),
            new Dictionary<string, string> { ["share"] = shareId.ToString() }), ct).ConfigureAwait(false);
        await live.RecheckAsync(db, hub, tenant.TenantId!.Value, id, ct).ConfigureAwait(false);
        return Unit.Value;
    }
}
