using Astralytiq.Platform.Events;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Astralytiq.Dashboards.Boards;

/// <summary>
/// Live dashboards: a signed-in client subscribes to the dashboards it may view (checked at subscribe: its tenant's,
/// not deleted, and its role may read dashboards) and receives <c>widgetUpdated</c> when their data changes.
/// </summary>
[Authorize]
internal sealed class DashboardHub(DashboardsDbContext db, ITenantContext tenant, LiveSubscriptions subscriptions, ITenantFeatureSwitches switches) : Hub
{
    public const string Path = "/hubs/dashboards";
    public const string WidgetUpdated = "widgetUpdated";

    public static string Group(Guid tenantId, Guid dashboardId) => $"dashboard:{tenantId:N}:{dashboardId:N}";

    public async Task Subscribe(Guid dashboardId)
    {
        var user = Context.User;
        if (!Guid.TryParse(user?.FindFirst(TokenClaims.TenantId)?.Value, out var tenantId) || !Guid.TryParse(user.FindFirst(TokenClaims.Subject)?.Value, out var userId)
            || !Enum.TryParse<Role>(user.FindFirst(TokenClaims.Role)?.Value, ignoreCase: true, out var role))
        {
            throw new HubException("Authentication is required");
        }
        if (!PermissionMatrix.Allows(role, Permission.DashboardsRead))
        {
            throw new HubException("You do not have permission to view dashboards");
        }
        if (!await switches.IsOnAsync(tenantId, TenantFeatures.RealtimeDashboards, Context.ConnectionAborted).ConfigureAwait(false))
        {
            throw new HubException(TenantFeatures.Disabled(TenantFeatures.RealtimeDashboards).Message);
        }
        // Hub calls run in their own scope: act for the caller's tenant so the tenant filter (and RLS) apply.
        using var scope = tenant.BeginTenantScope(tenantId, userId);
        if (!await db.Dashboards.Where(d => d.Id == dashboardId && d.DeletedAt == null).VisibleTo(db, userId, role).AnyAsync(Context.ConnectionAborted).ConfigureAwait(false))
        {
            throw new HubException("Dashboard not found");
        }
        subscriptions.Add(Context.ConnectionId, tenantId, userId, role, dashboardId);
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(tenantId, dashboardId), Context.ConnectionAborted).ConfigureAwait(false);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public async Task Unsubscribe(Guid dashboardId)
    {
        subscriptions.Drop(Context.ConnectionId, dashboardId);
        if (Guid.TryParse(Context.User?.FindFirst(TokenClaims.TenantId)?.Value, out var tenantId))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(tenantId, dashboardId), Context.ConnectionAborted).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// On a dataset change, recomputes once each widget that shows the dataset and pushes it to the dashboard's subscribers
/// (a group per tenant and dashboard, so nothing crosses tenants).
/// </summary>
internal sealed partial class PushWidgetUpdates(
    DashboardsDbContext db, Widgets.WidgetData handlers, ISqlQueries sql, IHubContext<DashboardHub> hub, ITenantFeatureSwitches switches, TimeProvider time, ILogger<PushWidgetUpdates> logger)
    : IIntegrationEventHandler<DatasetChanged>
{
    public async Task HandleAsync(DatasetChanged integrationEvent, Guid messageId, CancellationToken cancellationToken)
    {
        if (!await switches.IsOnAsync(integrationEvent.TenantId, TenantFeatures.RealtimeDashboards, cancellationToken).ConfigureAwait(false))
        {
            return; // turned off: nobody of that organisation is subscribed, and nothing is computed for them
        }
        var id = integrationEvent.DatasetId.ToString();
        // SQL widgets name their datasets instead of holding their ids: their dashboards are candidates too.
        var candidates = await db.Dashboards.AsNoTracking().Where(d => d.DeletedAt == null && (d.DefinitionJson.Contains(id) || d.DefinitionJson.Contains("\"sql\":\"")))
            .Select(d => new { d.Id, d.DefinitionJson }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var dashboard in candidates)
        {
            var definition = System.Text.Json.JsonSerializer.Deserialize<DashboardDefinitionDto>(dashboard.DefinitionJson, Contracts.ApiJson.Options)!;
            foreach (var widget in definition.Widgets)
            {
                if (widget.Source?.DatasetId != integrationEvent.DatasetId
                    && (widget.Sql is not { } text || await sql.DatasetsAsync(text, cancellationToken).ConfigureAwait(false) is not { IsSuccess: true } reads || !reads.Value.Contains(integrationEvent.DatasetId)))
                {
                    continue;
                }
                // Computed once for every subscriber (who may see it was checked when they subscribed, and again on every unshare).
                var data = await handlers.WidgetDataAsync(dashboard.Id, widget.Id, [], cancellationToken, checkAccess: false).ConfigureAwait(false);
                if (!data.IsSuccess)
                {
                    LogSkipped(logger, widget.Id, dashboard.Id, data.Error!.Message);
                    continue;
                }
                var update = new WidgetUpdateDto(dashboard.Id, widget.Id, data.Value.DatasetVersion, data.Value, integrationEvent.ChangedAt, time.GetUtcNow());
                await hub.Clients.Group(DashboardHub.Group(integrationEvent.TenantId, dashboard.Id)).SendAsync(DashboardHub.WidgetUpdated, update, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Widget {Widget} of dashboard {Dashboard} was not pushed: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string widget, Guid dashboard, string reason);
}

/// <summary>Deactivated users stop receiving live updates at once; a changed role is checked against each subscription.</summary>
internal sealed class EndLiveAccess(DashboardsDbContext db, LiveSubscriptions live, IHubContext<DashboardHub> hub, ITenantContext tenant) : IIntegrationEventHandler<Identity.Contracts.UserAccessChanged>
{
    public async Task HandleAsync(Identity.Contracts.UserAccessChanged integrationEvent, Guid messageId, CancellationToken cancellationToken)
    {
        using var scope = tenant.BeginTenantScope(integrationEvent.TenantId);
        await live.UserChangedAsync(db, hub, integrationEvent.TenantId, integrationEvent.UserId, integrationEvent.IsActive, integrationEvent.Role, cancellationToken).ConfigureAwait(false);
    }
}
