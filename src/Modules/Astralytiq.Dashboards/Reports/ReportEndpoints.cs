using Astralytiq.Platform.Health;
namespace Astralytiq.Dashboards.Reports;

/// <summary>Scheduled reports: make, list, change, delete, send now, their runs and files; unsubscribing.</summary>
internal static class ReportEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/reports").WithTags("Reports").ProducesErrors(401, 403, 429);
        group.MapPost("/", CreateReport).RequireTenantFeature(TenantFeatures.ScheduledReports);
        group.MapGet("/", ListReports);
        group.MapGet("/{id:guid}", GetReport);
        group.MapPut("/{id:guid}", UpdateReport).RequireTenantFeature(TenantFeatures.ScheduledReports);
        group.MapDelete("/{id:guid}", DeleteReport);
        group.MapPost("/{id:guid}/send", SendReport).RequireTenantFeature(TenantFeatures.ScheduledReports);
        group.MapGet("/{id:guid}/runs", ReportRuns);
        group.MapGet("/{id:guid}/runs/{runId:guid}/files/{name}", ReportFile);
    }

    public static void MapUnsubscribe(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/public/reports/unsubscribe", Unsubscribe).WithTags("Reports").AllowAnonymous().ForModule(DashboardsDbContext.Module);
    }

    [RequiresPermission(Permission.ReportsWrite), AuditedExplicitly, Errors(422), EndpointName("CreateReport")]
    [EndpointSummary("Schedule a report of a dashboard (or one widget): cron in a time zone, formats pdf/csv/xlsx, recipients (users of the organisation or addresses), dashboard filters")]
    private static async Task<Results<Created<ReportDto>, ApiError>> CreateReport(ReportRequest request, ReportHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(r => $"{ApiRoutes.V1}/reports/{r.Id}");

    [RequiresPermission(Permission.ReportsRead), EndpointName("ListReports")]
    [EndpointSummary("The reports of the dashboards you may see (dashboard_id for one dashboard's), with their last run")]
    private static async Task<Results<Ok<IReadOnlyList<ReportDto>>, ApiError>> ListReports(Guid? dashboardId, ReportHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(dashboardId, ct)).ToOk();

    [RequiresPermission(Permission.ReportsRead), Errors(404), EndpointName("GetReport")]
    [EndpointSummary("A report: schedule, next run, formats, recipients (and who unsubscribed), last run")]
    private static async Task<Results<Ok<ReportDto>, ApiError>> GetReport(Guid id, ReportHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.ReportsWrite), AuditedExplicitly, Errors(404, 422), EndpointName("UpdateReport")]
    [EndpointSummary("Change a report (its creator or an admin); enabled=false pauses it")]
    private static async Task<Results<Ok<ReportDto>, ApiError>> UpdateReport(Guid id, ReportRequest request, ReportHandlers handler, CancellationToken ct) =>
        (await handler.UpdateAsync(id, request, ct)).ToOk();

    [RequiresPermission(Permission.ReportsWrite), AuditedExplicitly, Errors(404), EndpointName("DeleteReport")]
    [EndpointSummary("Delete a report (its creator or an admin)")]
    private static async Task<Results<NoContent, ApiError>> DeleteReport(Guid id, ReportHandlers handler, CancellationToken ct) =>
        (await handler.DeleteAsync(id, ct)).ToNoContent();

    [RequiresPermission(Permission.ReportsWrite), AuditedExplicitly, Errors(404), EndpointName("SendReport")]
    [EndpointSummary("Send now: a run outside the schedule with the data current when it runs (follow it at /api/v1/jobs/{job_id})")]
    private static async Task<Results<Accepted<ReportRunDto>, ApiError>> SendReport(Guid id, ReportHandlers handler, CancellationToken ct)
    {
        var run = await handler.SendNowAsync(id, ct);
        return run.IsSuccess ? TypedResults.Accepted($"{ApiRoutes.V1}/jobs/{run.Value.JobId}", run.Value) : new ApiError(run.Error!);
    }

    [RequiresPermission(Permission.ReportsRead), Errors(404, 422), EndpointName("ListReportRuns")]
    [EndpointSummary("A report's run history, newest first: status, attempts, error, files, who it was delivered to, dataset versions")]
    private static async Task<Results<Ok<IReadOnlyList<ReportRunDto>>, ApiError>> ReportRuns(Guid id, int? limit, ReportHandlers handler, CancellationToken ct) =>
        (await handler.RunsAsync(id, limit, ct)).ToOk();

    [RequiresPermission(Permission.ReportsRead), Errors(404), EndpointName("DownloadReportFile")]
    [EndpointSummary("Download a file a run made (PDF, CSV or XLSX)")]
    private static async Task<Results<FileContentHttpResult, ApiError>> ReportFile(Guid id, Guid runId, string name, ReportHandlers handler, CancellationToken ct)
    {
        var file = await handler.FileAsync(id, runId, name, ct);
        return file.IsSuccess ? TypedResults.File(file.Value.Content, file.Value.ContentType, file.Value.Name) : new ApiError(file.Error!);
    }

    [Errors(404, 429), EndpointName("UnsubscribeFromReport")]
    [EndpointSummary("Stop receiving a report: the token comes from the link in its emails (also the RFC 8058 one-click target)")]
    private static async Task<Results<Ok<UnsubscribeResponse>, ApiError>> Unsubscribe(string? token, ReportUnsubscribes unsubscribes, CancellationToken ct) =>
        (await unsubscribes.UnsubscribeAsync(token, ct)).ToOk();
}
