namespace Astralytiq.Dashboards.Boards.Drill;

/// <summary>The rows behind a point of a widget.</summary>
internal static class DrillEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapGet("/{id:guid}/widgets/{widgetId}/rows", Rows);
    }

    [RequiresPermission(Permission.DashboardsRead), Errors(404, 409, 422), EndpointName("DrillDownWidget")]
    [EndpointSummary("Drill down: the dataset rows behind a widget, or behind one of its points (point=output:value, repeatable), with the dashboard filters; paged by offset and limit")]
    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> Rows(Guid id, string widgetId, string[]? filter, string[]? point, int? offset, int? limit, DrillHandler handler, CancellationToken ct) =>
        (await handler.RowsAsync(id, widgetId, filter ?? [], point ?? [], offset, limit, ct)).ToOk();
}
