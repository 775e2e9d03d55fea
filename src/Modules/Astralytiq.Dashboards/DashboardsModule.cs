using Astralytiq.Contracts;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Dashboards.Boards;
using Astralytiq.Dashboards.Persistence;
using Astralytiq.Dashboards.Reports;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Scheduling;
using Astralytiq.Platform.Auditing;
using Astralytiq.Platform.Events;
using Astralytiq.Platform.Http;
using Astralytiq.Platform.Persistence;
using Astralytiq.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Dashboards;

public static class DashboardsModule
{
    public static IServiceCollection AddDashboardsModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<DashboardsDbContext, DashboardsSqliteDbContext, DashboardsPostgresDbContext>(configuration, DashboardsDbContext.Module);
        services.AddScoped<DashboardHandlers>();
        services.AddSingleton<LiveSubscriptions>();
        services.AddScoped<PublicLinks>();
        services.AddScoped<Templates>();
        services.AddScoped<Embedding>();
        services.AddScoped<ReportHandlers>();
        services.AddScoped<ReportUnsubscribes>();
        services.AddJobHandler<ReportJob>(ReportHandlers.JobKind);
        services.AddRecurring<DashboardsDbContext, Report, ScheduledReportRun>();
        services.AddSignalR().AddJsonProtocol(o =>
        {
            // The same JSON as the API (snake_case), so clients read pushed updates with the same contracts.
            o.PayloadSerializerOptions = new System.Text.Json.JsonSerializerOptions(Astralytiq.Contracts.ApiJson.Options);
        });
        services.AddIntegrationEventHandler<Astralytiq.Data.Contracts.DatasetChanged, PushWidgetUpdates>();
        services.AddIntegrationEventHandler<Astralytiq.Identity.Contracts.UserAccessChanged, EndLiveAccess>();
        return services;
    }

    public static RouteGroupBuilder MapDashboardsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/dashboards").WithTags("Dashboards").ProducesErrors(401, 403, 429);
        group.MapPost("/", Create)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(422)
            .WithName("CreateDashboard")
            .WithSummary("Create a dashboard (version 1): name, folder, widgets on a 12-column grid each bound to a dataset query, dashboard filters; every widget's query is checked against its dataset");
        group.MapPost("/from-template", FromTemplate)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 422)
            .WithName("CreateDashboardFromTemplate")
            .WithSummary("Make a dashboard from a template (sales_overview) laid out against a dataset's columns (picked from its schema unless given)");
        group.MapGet("/", List)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(422)
            .WithName("ListDashboards")
            .WithSummary("The tenant's dashboards (search, folder: \"\" for those in none) and the folders in use");
        group.MapGet("/{id:guid}", Get)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(404)
            .WithName("GetDashboard")
            .WithSummary("A dashboard as currently saved, or as it was in a given version");
        group.MapPut("/{id:guid}", Update)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409, 422)
            .WithName("UpdateDashboard")
            .WithSummary("Save a dashboard as its next version; with base_version, a save over a newer version is refused (409)");
        group.MapDelete("/{id:guid}", Delete)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeleteDashboard")
            .WithSummary("Delete a dashboard");
        group.MapGet("/{id:guid}/versions", Versions)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(404)
            .WithName("ListDashboardVersions")
            .WithSummary("Every saved version of a dashboard, newest first");
        group.MapPost("/{id:guid}/versions/{version:int}/restore", Restore)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 409)
            .WithName("RestoreDashboardVersion")
            .WithSummary("Restore an earlier version: its content is saved as the next version");
        group.MapGet("/{id:guid}/shares", Shares)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(403, 404)
            .WithName("ListDashboardShares")
            .WithSummary("Who a dashboard is shared with (its creator or an admin)");
        group.MapPost("/{id:guid}/shares", Share)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404, 422)
            .WithName("ShareDashboard")
            .WithSummary("Share a dashboard with a user or a role, to view or to edit (its creator or an admin); sharing again changes the access");
        group.MapDelete("/{id:guid}/shares/{shareId:guid}", Unshare)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404)
            .WithName("UnshareDashboard")
            .WithSummary("Take a share back: effective on the next request and on live connections at once");
        group.MapPost("/{id:guid}/links", CreateLink)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404, 422)
            .WithName("CreateDashboardLink")
            .WithSummary("Make a public read-only link (optional expiry and password); the token is shown once");
        group.MapGet("/{id:guid}/links", Links)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(403, 404)
            .WithName("ListDashboardLinks")
            .WithSummary("A dashboard's public links (never their tokens)");
        group.MapDelete("/{id:guid}/links/{linkId:guid}", RevokeLink)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404)
            .WithName("RevokeDashboardLink")
            .WithSummary("Revoke a public link: refused from the next request");
        group.MapGet("/{id:guid}/widgets/{widgetId}/data", WidgetData)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(404, 409, 422)
            .WithName("GetWidgetData")
            .WithSummary("A widget's chart-ready data with dashboard filters applied (filter=id:value or id:from..to, repeatable); offset and limit page through it (tables); cached by dataset version, never stale after a write");
        group.MapGet("/{id:guid}/widgets/{widgetId}/rows", WidgetRows)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(404, 409, 422)
            .WithName("DrillDownWidget")
            .WithSummary("Drill down: the dataset rows behind a widget, or behind one of its points (point=output:value, repeatable), with the dashboard filters; paged by offset and limit");
        group.MapPost("/embedding/secret", RotateEmbeddingSecret)
            .RequirePermission(Permission.SettingsManage)
            .AuditedExplicitly()
            .ProducesErrors(403)
            .WithName("RotateEmbeddingSecret")
            .WithSummary("Make (or rotate) the organisation's embedding secret, shown once; tokens signed with the old one are refused from the next request");
        group.MapPut("/{id:guid}/embedding", ConfigureEmbedding)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404, 422)
            .WithName("ConfigureDashboardEmbedding")
            .WithSummary("Allow (or stop) embedding a dashboard through signed tokens, and choose the filters a token locks");
        MapReports(routes);
        return group;
    }

    private static void MapReports(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/reports").WithTags("Reports").ProducesErrors(401, 403, 429);
        group.MapPost("/", CreateReport)
            .RequirePermission(Permission.ReportsWrite)
            .AuditedExplicitly()
            .ProducesErrors(422)
            .WithName("CreateReport")
            .WithSummary("Schedule a report of a dashboard (or one widget): cron in a time zone, formats pdf/csv/xlsx, recipients (users of the organisation or addresses), dashboard filters");
        group.MapGet("/", ListReports)
            .RequirePermission(Permission.ReportsRead)
            .WithName("ListReports")
            .WithSummary("The reports of the dashboards you may see (dashboard_id for one dashboard's), with their last run");
        group.MapGet("/{id:guid}", GetReport)
            .RequirePermission(Permission.ReportsRead)
            .ProducesErrors(404)
            .WithName("GetReport")
            .WithSummary("A report: schedule, next run, formats, recipients (and who unsubscribed), last run");
        group.MapPut("/{id:guid}", UpdateReport)
            .RequirePermission(Permission.ReportsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404, 422)
            .WithName("UpdateReport")
            .WithSummary("Change a report (its creator or an admin); enabled=false pauses it");
        group.MapDelete("/{id:guid}", DeleteReport)
            .RequirePermission(Permission.ReportsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("DeleteReport")
            .WithSummary("Delete a report (its creator or an admin)");
        group.MapPost("/{id:guid}/send", SendReport)
            .RequirePermission(Permission.ReportsWrite)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("SendReport")
            .WithSummary("Send now: a run outside the schedule with the data current when it runs (follow it at /api/v1/jobs/{job_id})");
        group.MapGet("/{id:guid}/runs", ReportRuns)
            .RequirePermission(Permission.ReportsRead)
            .ProducesErrors(404, 422)
            .WithName("ListReportRuns")
            .WithSummary("A report's run history, newest first: status, attempts, error, files, who it was delivered to, dataset versions");
        group.MapGet("/{id:guid}/runs/{runId:guid}/files/{name}", ReportFile)
            .RequirePermission(Permission.ReportsRead)
            .ProducesErrors(404)
            .WithName("DownloadReportFile")
            .WithSummary("Download a file a run made (PDF, CSV or XLSX)");
    }

    private static async Task<Results<Created<ReportDto>, ApiError>> CreateReport(ReportRequest request, ReportHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(r => $"{ApiRoutes.V1}/reports/{r.Id}");

    private static async Task<Results<Ok<IReadOnlyList<ReportDto>>, ApiError>> ListReports(Guid? dashboardId, ReportHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(dashboardId, ct)).ToOk();

    private static async Task<Results<Ok<ReportDto>, ApiError>> GetReport(Guid id, ReportHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<ReportDto>, ApiError>> UpdateReport(Guid id, ReportRequest request, ReportHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> DeleteReport(Guid id, ReportHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();

    private static async Task<Results<Accepted<ReportRunDto>, ApiError>> SendReport(Guid id, ReportHandlers handler, CancellationToken ct)
    {
        var run = await handler.SendNowAsync(id, ct);
        return run.IsSuccess ? TypedResults.Accepted($"{ApiRoutes.V1}/jobs/{run.Value.JobId}", run.Value) : new ApiError(run.Error!);
    }

    private static async Task<Results<Ok<IReadOnlyList<ReportRunDto>>, ApiError>> ReportRuns(Guid id, int? limit, ReportHandlers handler, CancellationToken ct) =>
        (await handler.RunsAsync(id, limit, ct)).ToOk();

    private static async Task<Results<FileContentHttpResult, ApiError>> ReportFile(Guid id, Guid runId, string name, ReportHandlers handler, CancellationToken ct)
    {
        var file = await handler.FileAsync(id, runId, name, ct);
        return file.IsSuccess ? TypedResults.File(file.Value.Content, file.Value.ContentType, file.Value.Name) : new ApiError(file.Error!);
    }

    private static async Task<Results<Ok<EmbeddingSecretResponse>, ApiError>> RotateEmbeddingSecret(Embedding embedding, CancellationToken ct) =>
        (await embedding.RotateSecretAsync(ct)).ToOk();

    private static async Task<Results<Ok<DashboardEmbeddingDto>, ApiError>> ConfigureEmbedding(Guid id, DashboardEmbeddingRequest request, Embedding embedding, CancellationToken ct) =>
        (await embedding.ConfigureAsync(id, request, ct)).ToOk();

    private static async Task<Results<Ok<EmbeddedDashboardResponse>, ApiError>> ViewEmbedded(string token, Embedding embedding, CancellationToken ct) =>
        (await embedding.ViewAsync(token, ct)).ToOk();

    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> EmbeddedWidgetData(string token, string widgetId, string[]? filter, int? offset, int? limit, Embedding embedding, CancellationToken ct) =>
        (await embedding.WidgetDataAsync(token, widgetId, filter ?? [], offset, limit, ct)).ToOk();

    private static async Task<Results<Ok<UnsubscribeResponse>, ApiError>> Unsubscribe(string? token, ReportUnsubscribes unsubscribes, CancellationToken ct) =>
        (await unsubscribes.UnsubscribeAsync(token, ct)).ToOk();

    /// <summary>Anonymous, read-only access through public links (rate-limited per address like every anonymous call).</summary>
    public static RouteGroupBuilder MapPublicDashboardsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/public/dashboards").WithTags("Dashboards").AllowAnonymous().ProducesErrors(429);
        group.MapGet("/{token}", ViewPublic)
            .ProducesErrors(401, 404)
            .WithName("ViewPublicDashboard")
            .WithSummary("A dashboard through a public link (password in X-Link-Password when it has one); 404 for unknown, expired or revoked links");
        group.MapGet("/{token}/widgets/{widgetId}/data", PublicWidgetData)
            .ProducesErrors(401, 404, 409, 422)
            .WithName("GetPublicWidgetData")
            .WithSummary("A widget's data through a public link, with dashboard filters (filter=id:value)");
        var embed = routes.MapGroup("/embed/dashboards").WithTags("Dashboards").AllowAnonymous().ProducesErrors(429);
        embed.MapGet("/{token}", ViewEmbedded)
            .ProducesErrors(401, 404)
            .WithName("ViewEmbeddedDashboard")
            .WithSummary("A dashboard through a signed embedding token (401 when the token is invalid, expired or lacks a locked filter; 404 when embedding is off)");
        embed.MapGet("/{token}/widgets/{widgetId}/data", EmbeddedWidgetData)
            .ProducesErrors(401, 404, 409, 422)
            .WithName("GetEmbeddedWidgetData")
            .WithSummary("A widget's data through an embedding token: the token's locked filters always apply; other dashboard filters may be given");
        routes.MapPost("/public/reports/unsubscribe", Unsubscribe).WithTags("Reports").AllowAnonymous().ProducesErrors(404, 429)
            .WithName("UnsubscribeFromReport")
            .WithSummary("Stop receiving a report: the token comes from the link in its emails (also the RFC 8058 one-click target)");
        return group;
    }

    private static async Task<Results<Created<DashboardLinkCreatedResponse>, ApiError>> CreateLink(Guid id, CreateDashboardLinkRequest request, PublicLinks links, CancellationToken ct) =>
        (await links.CreateAsync(id, request, ct)).ToCreated(l => $"{ApiRoutes.V1}/dashboards/{id}/links/{l.Id}");

    private static async Task<Results<Ok<IReadOnlyList<DashboardLinkDto>>, ApiError>> Links(Guid id, PublicLinks links, CancellationToken ct) =>
        (await links.ListAsync(id, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> RevokeLink(Guid id, Guid linkId, PublicLinks links, CancellationToken ct) =>
        (await links.RevokeAsync(id, linkId, ct)).ToNoContent();

    private static async Task<Results<Ok<PublicDashboardResponse>, ApiError>> ViewPublic(string token, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "X-Link-Password")] string? password, PublicLinks links, CancellationToken ct) =>
        (await links.ViewAsync(token, password, ct)).ToOk();

    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> PublicWidgetData(
        string token, string widgetId, string[]? filter, int? offset, int? limit, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "X-Link-Password")] string? password, PublicLinks links, CancellationToken ct) =>
        (await links.WidgetDataAsync(token, password, widgetId, filter ?? [], ct, offset, limit)).ToOk();

    /// <summary>The live-update hub (outside the versioned API prefix, like SignalR hubs usually are).</summary>
    public static IEndpointRouteBuilder MapDashboardsHub(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<DashboardHub>(DashboardHub.Path);
        return routes;
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

    private static async Task<Results<Ok<IReadOnlyList<DashboardVersionDto>>, ApiError>> Versions(Guid id, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.VersionsAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<DashboardResponse>, ApiError>> Restore(Guid id, int version, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.RestoreAsync(id, version, ct)).ToOk();

    private static async Task<Results<Ok<IReadOnlyList<DashboardShareDto>>, ApiError>> Shares(Guid id, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.SharesAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<DashboardShareDto>, ApiError>> Share(Guid id, ShareDashboardRequest request, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.ShareAsync(id, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> Unshare(Guid id, Guid shareId, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.UnshareAsync(id, shareId, ct)).ToNoContent();

    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> WidgetData(Guid id, string widgetId, string[]? filter, int? offset, int? limit, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.WidgetDataAsync(id, widgetId, filter ?? [], ct, offset: offset, limit: limit)).ToOk();

    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> WidgetRows(Guid id, string widgetId, string[]? filter, string[]? point, int? offset, int? limit, DashboardHandlers handler, CancellationToken ct) =>
        (await handler.RowsAsync(id, widgetId, filter ?? [], point ?? [], offset, limit, ct)).ToOk();
}
