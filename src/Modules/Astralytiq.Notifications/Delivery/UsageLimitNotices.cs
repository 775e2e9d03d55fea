using Astralytiq.Identity.Contracts;
using Astralytiq.Platform.Quotas;

namespace Astralytiq.Notifications.Delivery;

/// <summary>Tells the organisation's Admins, in the app and by email, that a plan limit is 80 % or all used (once per period and metric: the kernel sees to that).</summary>
internal sealed class UsageLimitNotices(INotify notify, IUserDirectory users) : IIntegrationEventHandler<UsageLimitApproached>
{
    public async Task HandleAsync(UsageLimitApproached integrationEvent, Guid messageId, CancellationToken cancellationToken)
    {
        var admins = await users.AdminsAsync(cancellationToken).ConfigureAwait(false);
        if (admins.Count == 0)
        {
            return;
        }
        var full = integrationEvent.Percent >= 100;
        var what = integrationEvent.Label ?? integrationEvent.Metric.Replace('_', ' ');
        await notify.NotifyAsync(new NotifyRequest(
            full ? "usage.limit_reached" : "usage.warning",
            [.. admins.Select(a => a.Id)],
            full ? $"Plan limit reached: {what}" : $"{integrationEvent.Percent} % of the plan's {what} used",
            integrationEvent.Message,
            "/billing",
            full ? NotifySeverity.Critical : NotifySeverity.Warning,
            new Dictionary<string, object?>
            {
                ["metric"] = integrationEvent.Metric, ["period"] = integrationEvent.Period, ["percent"] = integrationEvent.Percent,
                ["used"] = integrationEvent.Used, ["limit"] = integrationEvent.Limit, ["plan"] = integrationEvent.Plan,
            },
            [NotifyChannels.InApp, NotifyChannels.Email, NotifyChannels.Webhook]), cancellationToken).ConfigureAwait(false);
    }
}
