namespace Astralytiq.Dashboards.Boards.Versions;

/// <summary>A dashboard's versions and restoring one.</summary>
internal static class VersionEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapGet("/{id:guid}/versions", Versions);
        dashboards.MapPost("/{id:guid}/versions/{version:int}/restore", Restore);
    }

    [RequiresPermission(Permission.DashboardsRead), Errors(404), EndpointName("ListDashboardVersions")]
    [EndpointSummary("Every saved version of a dashboard, newest first")]
    private static async Task<Results<Ok<IReadOnlyList<DashboardVersionDto>>, ApiError>> Versions(Guid id, VersionHandler handler, CancellationToken ct) =>
        (await handler.VersionsAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(404, 409), EndpointName("RestoreDashboardVersion")]
    [EndpointSummary("Restore an earlier version: its content is saved as the next version")]
    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Restore(Guid id, int version, VersionHandler handler, CancellationToken ct) =>
        (await handler.RestoreAsync(id, version, ct)).ToOk();
}
