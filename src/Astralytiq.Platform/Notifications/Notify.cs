namespace Astralytiq.Platform.Notifications;

/// <summary>How much something matters to the people told about it.</summary>
public enum NotifySeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>
/// Something the tenant's people (and its systems) should hear about: an event type (<c>alert.firing</c>,
/// <c>report.failed</c>, ...), who to tell, what to say and where to look, how much it matters, and a payload for
/// machines (webhooks). <see cref="Channels"/> names the channels (<c>in_app</c>, <c>email</c>, <c>webhook</c>, <c>sms</c>);
/// null means <see cref="NotifyChannels.All"/> (every channel but SMS).
/// </summary>
public sealed record NotifyRequest(
    string EventType,
    IReadOnlyList<Guid> Recipients,
    string Title,
    string? Body,
    string? Link,
    NotifySeverity Severity,
    IReadOnlyDictionary<string, object?>? Payload = null,
    IReadOnlyCollection<string>? Channels = null);

/// <summary>Tells people and systems of the current tenant about an event, on each channel they take it on. Implemented by the Notifications module.</summary>
public interface INotify
{
    Task NotifyAsync(NotifyRequest request, CancellationToken cancellationToken);
}

public static class NotifyChannels
{
    public const string InApp = "in_app";
    public const string Email = "email";
    public const string Webhook = "webhook";

    /// <summary>A text message to each recipient who gave a number; only when the sender names it (it costs money).</summary>
    public const string Sms = "sms";

    public static readonly IReadOnlyList<string> All = [InApp, Email, Webhook];
}
