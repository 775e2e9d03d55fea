namespace Astralytiq.Dashboards.Boards.Widgets;

/// <summary>A widget's data with the dashboard's filters.</summary>
internal static class WidgetEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapGet("/{id:guid}/widgets/{widgetId}/data", Data);
        dashboards.MapGet("/{id:guid}/data", All);
    }

    [RequiresPermission(Permission.DashboardsRead), Errors(404, 422), EndpointName("GetDashboardData")]
    [EndpointSummary("Every widget's data in one answer, for a page's first paint: the same filters as one widget's data; tables give their first table_limit rows (default 50); a widget that cannot be computed is listed in errors")]
    private static async Task<Results<Ok<DashboardDataResponse>, ApiError>> All(Guid id, string[]? filter, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "table_limit")] int? tableLimit, DashboardData handler, CancellationToken ct) =>
        (await handler.AllAsync(id, filter ?? [], tableLimit, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsRead), Errors(404, 409, 422), EndpointName("GetWidgetData")]
    [EndpointSummary("A widget's chart-ready data with dashboard filters applied (filter=id:value or id:from..to, repeatable); offset and limit page through it (tables); cached by dataset version, never stale after a write")]
    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> Data(Guid id, string widgetId, string[]? filter, int? offset, int? limit, WidgetData handler, CancellationToken ct) =>
        (await handler.WidgetDataAsync(id, widgetId, filter ?? [], ct, offset: offset, limit: limit)).ToOk();
}
