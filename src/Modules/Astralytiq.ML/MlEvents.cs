using Astralytiq.Platform.Notifications;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML;

/// <summary>
/// What the ML module tells the organisation's systems through its signed webhooks (the registry webhooks of MLflow):
/// a version became ready, an alias moved, a deployment changed, a deployment's inputs drifted. Machine events: no person is notified, and a
/// notification that cannot be sent is logged, never a reason to fail the change it reports.
/// </summary>
internal sealed partial class MlEvents(INotify notify, ILogger<MlEvents> logger)
{
    public const string VersionReady = "model.version_ready";
    public const string AliasMoved = "model.alias_moved";
    public const string DeploymentChanged = "deployment.changed";
    public const string DriftDetected = "deployment.drift_detected";

    /// <summary>A person event (the deployment's creator, in the app and by email) that webhooks receive too.</summary>
    public const string RetrainingFinished = "deployment.retraining_finished";

    public static readonly IReadOnlyList<string> Types = [VersionReady, AliasMoved, DeploymentChanged, DriftDetected];

    public async Task TellAsync(string type, string title, string link, IReadOnlyDictionary<string, object?> payload, CancellationToken ct)
    {
        try
        {
            await notify.NotifyAsync(new NotifyRequest(type, [], title, null, link, NotifySeverity.Info, payload, [NotifyChannels.Webhook]), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogNotSent(logger, ex, type);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {EventType} webhook event could not be queued; the change itself stands")]
    private static partial void LogNotSent(ILogger logger, Exception exception, string eventType);
}
