using Astralytiq.Platform.Health;
using Astralytiq.Dashboards.Boards.Drill;
using Astralytiq.Dashboards.Boards.Sharing;
using Astralytiq.Dashboards.Boards.Versions;
using Astralytiq.Dashboards.Boards.Widgets;
using Astralytiq.Dashboards.Reports;
using Astralytiq.Platform.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Astralytiq.Platform.Quotas;

namespace Astralytiq.Dashboards;

public static class DashboardsModule
{
    /// <summary>The key prefixes dashboards and reports are counted under against the plan's limits.</summary>
    internal const string DashboardCount = "dashboard";
    internal const string ReportCount = "report";

    public static IServiceCollection AddDashboardsModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<DashboardsDbContext, DashboardsSqliteDbContext, DashboardsPostgresDbContext>(configuration, DashboardsDbContext.Module);
        services.AddCountedQuota<DashboardsDbContext, Dashboard>(Astralytiq.Platform.Quotas.QuotaMetrics.Dashboards, DashboardCount, d => d.DeletedAt == null, d => d.Id);
        services.AddCountedQuota<DashboardsDbContext, Reports.Report>(Astralytiq.Platform.Quotas.QuotaMetrics.Reports, ReportCount, r => r.DeletedAt == null, r => r.Id);
        services.AddScoped<DashboardFinder>();
        services.AddScoped<DefinitionValidator>();
        services.AddScoped<DashboardHandlers>();
        services.AddScoped<Boards.DashboardLineage>();
        services.AddScoped<VersionHandler>();
        services.AddScoped<WidgetData>();
        services.AddScoped<DashboardData>();
        services.AddScoped<DrillHandler>();
        services.AddScoped<ShareHandler>();
        services.AddSingleton<LiveSubscriptions>();
        services.AddScoped<PublicLinks>();
        services.AddScoped<Templates>();
        services.AddScoped<Embedding>();
        services.AddScoped<ReportHandlers>();
        services.AddScoped<ReportUnsubscribes>();
        services.AddJobHandler<ReportJob>(ReportHandlers.JobKind);
        services.AddSingleton<ReportFileRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportFileRetention>());
        services.AddJobHandler<LineageSyncJob>(LineageSyncJob.Kind);
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

    /// <summary>Every feature maps its own endpoints (its folder holds mapping, handler and checks).</summary>
    public static RouteGroupBuilder MapDashboardsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/dashboards").WithTags("Dashboards").ForModule(DashboardsDbContext.Module).ProducesErrors(401, 403, 429);
        BoardEndpoints.Map(group);
        VersionEndpoints.Map(group);
        SharingEndpoints.Map(group);
        WidgetEndpoints.Map(group);
        DrillEndpoints.Map(group);
        ReportEndpoints.Map(routes);
        return group;
    }

    /// <summary>Anonymous, read-only access through public links and embedding (rate-limited per address like every anonymous call).</summary>
    public static RouteGroupBuilder MapPublicDashboardsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = SharingEndpoints.MapPublic(routes);
        group.ForModule(DashboardsDbContext.Module);
        SharingEndpoints.MapEmbedded(routes);
        ReportEndpoints.MapUnsubscribe(routes);
        return group;
    }

    /// <summary>The live-update hub (outside the versioned API prefix, like SignalR hubs usually are).</summary>
    public static IEndpointRouteBuilder MapDashboardsHub(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<DashboardHub>(DashboardHub.Path).ForModule(DashboardsDbContext.Module);
        return routes;
    }
}
