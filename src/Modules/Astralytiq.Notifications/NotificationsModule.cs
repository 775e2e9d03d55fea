using Astralytiq.Notifications.Alerts;
using Astralytiq.Notifications.Delivery;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Health;
using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.Configuration;

namespace Astralytiq.Notifications;

/// <summary>
/// Notifications: the <see cref="INotify"/> contract's implementation (in-app, email, signed webhooks with retries,
/// dead letter, replay and a delivery log) and alerting (rules on the metrics modules register, evaluated by the shared
/// schedule service; pending, firing and resolved states; silences; history).
/// </summary>
public static class NotificationsModule
{
    /// <summary>The key prefix alert rules are counted under against the plan's limit.</summary>
    internal const string AlertRuleCount = "alert-rule";

    public static IServiceCollection AddNotificationsModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<NotificationsDbContext, NotificationsSqliteDbContext, NotificationsPostgresDbContext>(configuration, NotificationsDbContext.Module);
        services.AddCountedQuota<NotificationsDbContext, AlertRule>(Platform.Quotas.QuotaMetrics.AlertRules, AlertRuleCount, r => r.DeletedAt == null, r => r.Id);
        services.AddSingleton(SettingsBinder.Bind<WebhookSettings>(configuration, "Astralytiq:Notifications:Webhooks"));
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.AddScoped<INotify, NotificationDispatch>();
        services.AddScoped<Inbox.InboxWriter>();
        services.AddScoped<IStartupTask, Inbox.InboxMove>();
        services.AddSms(configuration);
        services.AddScoped<NotificationUnsubscribes>();
        services.AddScoped<Digests.DigestSender>();
        services.AddRecurring<NotificationsDbContext, Preferences.NotificationContact, Digests.DigestSender>();
        services.AddIntegrationEventHandler<Platform.Quotas.UsageLimitApproached, Delivery.UsageLimitNotices>();
        services.AddScoped<AlertEvaluator>();
        services.AddScoped<OfferedAlertMetrics>();
        services.AddRecurring<NotificationsDbContext, AlertRule, AlertEvaluator>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotificationsEndpoints(this IEndpointRouteBuilder routes)
    {
        AlertEndpoints.Map(routes.MapGroup("/alerts").WithTags("Alerts").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429), AlertScope.Tenant);
        AlertEndpoints.Map(routes.MapGroup("/operator/alerts").WithTags("Operator").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429), AlertScope.Platform);
        Inbox.InboxEndpoints.Map(routes.MapGroup("/notifications").WithTags("Notifications").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429));
        Preferences.PreferenceEndpoints.Map(routes.MapGroup("/notifications/preferences").WithTags("Notifications").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429));
        routes.MapPost("/public/notifications/unsubscribe", Unsubscribe).WithTags("Notifications").AllowAnonymous().ForModule(NotificationsDbContext.Module);
        WebhookEndpoints.Map(routes.MapGroup("/notifications/webhooks").WithTags("Webhooks").ForModule(NotificationsDbContext.Module).ProducesErrors(401, 403, 429));
        return routes;
    }

    /// <summary>The link in a notification email (and its one-click List-Unsubscribe POST): no more emails of that event type to that person.</summary>
    [Errors(404, 429), EndpointName("UnsubscribeFromNotifications")]
    [EndpointSummary("Stops emails of one event type for the person a notification email went to (the token from its link is the proof)")]
    private static async Task<Results<Ok<NotificationUnsubscribeResponse>, ApiError>> Unsubscribe(string? token, NotificationUnsubscribes unsubscribes, CancellationToken ct) =>
        (await unsubscribes.UnsubscribeAsync(token, ct).ConfigureAwait(false)).ToOk();
}
