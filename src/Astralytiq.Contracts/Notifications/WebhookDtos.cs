namespace Astralytiq.Contracts.Notifications;

/// <summary>A webhook endpoint to add or change: where to post, which event types (<c>*</c>, a type, or a prefix such as <c>alert.*</c>).</summary>
public sealed record WebhookEndpointRequest(string? Url, string? Description, IReadOnlyList<string>? EventTypes, bool? Enabled);

/// <summary>A webhook endpoint; <see cref="Secret"/> is given only when it is made (or rotated) and never again.</summary>
public sealed record WebhookEndpointDto(Guid Id, string Url, string? Description, IReadOnlyList<string> EventTypes, bool Enabled, DateTimeOffset CreatedAt, string? Secret);

public sealed record WebhookAttemptDto(DateTimeOffset At, int? StatusCode, string? Error, double DurationMs);

public sealed record WebhookDeliveryDto(
    Guid Id, Guid EventId, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, Guid? ReplayOf, IReadOnlyList<WebhookAttemptDto> AttemptLog);
