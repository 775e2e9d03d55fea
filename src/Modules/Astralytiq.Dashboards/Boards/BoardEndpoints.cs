using Astralytiq.Contracts.Dashboards;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Dashboards.Boards;

/// <summary>Dashboards: make (empty or from a template), list, read, change, delete.</summary>
internal static class BoardEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapPost("/", Create)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(422)
            .WithName("CreateDashboard")
            .WithSummary("Create a dashboard (version 1): name, folder, widgets on a 12-column grid each bound to a dataset query, dashboard filters; every widget's query is checked against its dataset");
        dashboards.MapPost("/from-template", FromTemplate)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 422)
            .WithName("CreateDashboardFromTemplate")
            .WithSummary("Make a dashboard from a template (sales_overview) laid out against a dataset's columns (picked from its schema unless given)");
        dashboards.MapGet("/", List)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(422)
            .WithName("ListDashboards")
            .WithSummary("The tenant's dashboards (search, folder: \"\" for those in none) and the folders in use");
        dashboards.MapGet("/{id:guid}", Get)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(404)
            .WithName("GetDashboard")
            .WithSummary("A dashboard as currently saved, or as it was in a given version");
        dashboards.MapPut("/{id:guid}", Update)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409, 422)
            .WithName("UpdateDashboard")
            .WithSummary("Save a dashboard as its next version; with base_version, a save over a newer version is refused (409)");
        dashboards.MapDelete("/{id:guid}", Delete)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeleteDashboard")
            .WithSummary("Delete a dashboard");
    }

    private static async Task<Results<Created<DashboardResponse>, ApiError>> Create(CreateDashboardRequest request, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/dashboards/{d.Id}");

    private static async Task<Results<Created<DashboardResponse>, ApiError>> FromTemplate(DashboardFromTemplateRequest request, Templates templates, CancellationToken ct) =>
        (await templates.CreateAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/dashboards/{d.Id}");

    private static async Task<Results<Ok<DashboardListResponse>, ApiError>> List(string? search, string? folder, int? offset, int? limit, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(search, folder, offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Get(Guid id, int? version, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, version, ct)).ToOk();

    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Update(Guid id, UpdateDashboardRequest request, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> Delete(Guid id, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();
}
