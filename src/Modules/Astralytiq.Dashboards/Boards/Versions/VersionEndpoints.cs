using Astralytiq.Contracts.Dashboards;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Dashboards.Boards.Versions;

/// <summary>A dashboard's versions and restoring one.</summary>
internal static class VersionEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapGet("/{id:guid}/versions", Versions)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(404)
            .WithName("ListDashboardVersions")
            .WithSummary("Every saved version of a dashboard, newest first");
        dashboards.MapPost("/{id:guid}/versions/{version:int}/restore", Restore)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409)
            .WithName("RestoreDashboardVersion")
            .WithSummary("Restore an earlier version: its content is saved as the next version");
    }

    private static async Task<Results<Ok<IReadOnlyList<DashboardVersionDto>>, ApiError>> Versions(Guid id, VersionHandler handler, CancellationToken ct) =>
        (await handler.VersionsAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Restore(Guid id, int version, VersionHandler handler, CancellationToken ct) =>
        (await handler.RestoreAsync(id, version, ct)).ToOk();
}
