using Astralytiq.Notifications.Alerts;
using Astralytiq.Notifications.Delivery;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Health;
using Microsoft.Extensions.Configuration;

namespace Astralytiq.Notifications;

/// <summary>
/// Notifications: the <see cref="INotify"/> contract's implementation (in-app, email, signed webhooks with retries,
/// dead letter, replay and a delivery log) and alerting (rules on the metrics modules register, evaluated by the shared
/// schedule service; pending, firing and resolved states; silences; history).
/// </summary>
public static class NotificationsModule
{
    public static IServiceCollection AddNotificationsModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<NotificationsDbContext, NotificationsSqliteDbContext, NotificationsPostgresDbContext>(configuration, NotificationsDbContext.Module);
        services.AddSingleton(SettingsBinder.Bind<WebhookSettings>(configuration, "Astralytiq:Notifications:Webhooks"));
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.AddScoped<INotify, NotificationDispatch>();
        services.AddScoped<AlertEvaluator>();
        services.AddRecurring<NotificationsDbContext, AlertRule, AlertEvaluator>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotificationsEndpoints(this IEndpointRouteBuilder routes)
    {
        AlertEndpoints.Map(routes.MapGroup("/alerts").WithTags("Alerts").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429));
        Preferences.PreferenceEndpoints.Map(routes.MapGroup("/notifications/preferences").WithTags("Notifications").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429));
        WebhookEndpoints.Map(routes.MapGroup("/notifications/webhooks").WithTags("Webhooks").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429));
        return routes;
    }
}
