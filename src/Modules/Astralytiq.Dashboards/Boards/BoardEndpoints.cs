namespace Astralytiq.Dashboards.Boards;

/// <summary>Dashboards: make (empty or from a template), list, read, change, delete.</summary>
internal static class BoardEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapPost("/", Create);
        dashboards.MapPost("/from-template", FromTemplate);
        dashboards.MapGet("/", List);
        dashboards.MapGet("/{id:guid}", Get);
        dashboards.MapPut("/{id:guid}", Update);
        dashboards.MapDelete("/{id:guid}", Delete);
    }

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(422), EndpointName("CreateDashboard")]
    [EndpointSummary("Create a dashboard (version 1): name, folder, widgets on a 12-column grid each bound to a dataset query, dashboard filters; every widget's query is checked against its dataset")]
    private static async Task<Results<Created<DashboardResponse>, ApiError>> Create(CreateDashboardRequest request, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/dashboards/{d.Id}");

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(404, 422), EndpointName("CreateDashboardFromTemplate")]
    [EndpointSummary("Make a dashboard from a template (sales_overview) laid out against a dataset's columns (picked from its schema unless given)")]
    private static async Task<Results<Created<DashboardResponse>, ApiError>> FromTemplate(DashboardFromTemplateRequest request, Templates templates, CancellationToken ct) =>
        (await templates.CreateAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/dashboards/{d.Id}");

    [RequiresPermission(Permission.DashboardsRead), Errors(422), EndpointName("ListDashboards")]
    [EndpointSummary("The tenant's dashboards (search, folder: \"\" for those in none) and the folders in use")]
    private static async Task<Results<Ok<DashboardListResponse>, ApiError>> List(string? search, string? folder, int? offset, int? limit, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(search, folder, offset, limit, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsRead), Errors(404), EndpointName("GetDashboard")]
    [EndpointSummary("A dashboard as currently saved, or as it was in a given version")]
    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Get(Guid id, int? version, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, version, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(404, 409, 422), EndpointName("UpdateDashboard")]
    [EndpointSummary("Save a dashboard as its next version; with base_version, a save over a newer version is refused (409)")]
    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Update(Guid id, UpdateDashboardRequest request, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(404), EndpointName("DeleteDashboard")]
    [EndpointSummary("Delete a dashboard")]
    private static async Task<Results<NoContent, ApiError>> Delete(Guid id, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();
}
