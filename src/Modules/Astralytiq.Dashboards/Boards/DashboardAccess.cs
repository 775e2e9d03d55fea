using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Astralytiq.Dashboards.Boards;

/// <summary>
/// Who may see and change a dashboard (ADR 0018): its creator and the tenant's admins own it; others see it only when
/// it is shared with them or with their role (view or edit). A dashboard someone may not see does not exist for them (404).
/// </summary>
internal static class DashboardAccess
{
    public const string Owner = "owner";
    public const string Edit = "edit";
    public const string View = "view";

    public static string RoleName(Role role) => role.ToString().ToLowerInvariant();

    public static IQueryable<Dashboard> VisibleTo(this IQueryable<Dashboard> dashboards, DashboardsDbContext db, Guid? userId, Role? role)
    {
        if (role == Role.Admin)
        {
            return dashboards;
        }
        var roleName = role is { } r ? RoleName(r) : "-";
        return dashboards.Where(d => (userId != null && d.CreatedBy == userId) || db.Shares.Any(s => s.DashboardId == d.Id && ((userId != null && s.UserId == userId) || s.Role == roleName)));
    }

    /// <summary>owner, edit, view, or null when the dashboard is not theirs to see.</summary>
    public static async Task<string?> LevelAsync(DashboardsDbContext db, Dashboard dashboard, Guid? userId, Role? role, CancellationToken ct)
    {
        if (role == Role.Admin || (userId is not null && dashboard.CreatedBy == userId))
        {
            return Owner;
        }
        var roleName = role is { } r ? RoleName(r) : "-";
        var shares = await db.Shares.AsNoTracking().Where(s => s.DashboardId == dashboard.Id && ((userId != null && s.UserId == userId) || s.Role == roleName))
            .Select(s => s.Access).ToListAsync(ct).ConfigureAwait(false);
        return shares.Contains(Edit) ? Edit : shares.Count > 0 ? View : null;
    }
}

/// <summary>
/// Which live connections follow which dashboards, with who they are, so that taking access away (an unshare, a deleted
/// dashboard) also stops what they receive at once. In-process: with several nodes this moves to the Redis backplane.
/// </summary>
internal sealed class LiveSubscriptions
{
    private sealed record Subscriber(Guid TenantId, Guid UserId, Role Role, ConcurrentDictionary<Guid, byte> Dashboards);

    private readonly ConcurrentDictionary<string, Subscriber> _connections = new();

    public void Add(string connectionId, Guid tenantId, Guid userId, Role role, Guid dashboardId) =>
        _connections.GetOrAdd(connectionId, _ => new Subscriber(tenantId, userId, role, new())).Dashboards[dashboardId] = 0;

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    public void Drop(string connectionId, Guid dashboardId)
    {
        if (_connections.TryGetValue(connectionId, out var s))
        {
            s.Dashboards.TryRemove(dashboardId, out _);
        }
    }

    public IReadOnlyList<(string ConnectionId, Guid UserId, Role Role)> Of(Guid tenantId, Guid dashboardId) =>
        _connections.Where(c => c.Value.TenantId == tenantId && c.Value.Dashboards.ContainsKey(dashboardId)).Select(c => (c.Key, c.Value.UserId, c.Value.Role)).ToList();

    /// <summary>
    /// A user's access changed: a deactivated user's connections leave every dashboard at once; after a role change each of
    /// their subscriptions is checked again with the new role.
    /// </summary>
    public async Task UserChangedAsync(DashboardsDbContext db, IHubContext<DashboardHub> hub, Guid tenantId, Guid userId, bool isActive, Role role, CancellationToken ct)
    {
        foreach (var (connectionId, subscriber) in _connections.Where(c => c.Value.TenantId == tenantId && c.Value.UserId == userId).ToList())
        {
            if (!isActive)
            {
                foreach (var dashboardId in subscriber.Dashboards.Keys)
                {
                    await hub.Groups.RemoveFromGroupAsync(connectionId, DashboardHub.Group(tenantId, dashboardId), ct).ConfigureAwait(false);
                }
                Remove(connectionId);
                continue;
            }
            _connections[connectionId] = subscriber with { Role = role };
            foreach (var dashboardId in subscriber.Dashboards.Keys)
            {
                await RecheckAsync(db, hub, tenantId, dashboardId, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes from the dashboard's group every connection whose user may no longer see it.</summary>
    public async Task RecheckAsync(DashboardsDbContext db, IHubContext<DashboardHub> hub, Guid tenantId, Guid dashboardId, CancellationToken ct)
    {
        var dashboard = await db.Dashboards.AsNoTracking().SingleOrDefaultAsync(d => d.Id == dashboardId, ct).ConfigureAwait(false);
        foreach (var (connectionId, userId, role) in Of(tenantId, dashboardId))
        {
            var level = dashboard is null || dashboard.DeletedAt is not null ? null : await DashboardAccess.LevelAsync(db, dashboard, userId, role, ct).ConfigureAwait(false);
            if (level is null)
            {
                await hub.Groups.RemoveFromGroupAsync(connectionId, DashboardHub.Group(tenantId, dashboardId), ct).ConfigureAwait(false);
                Drop(connectionId, dashboardId);
            }
        }
    }
}
