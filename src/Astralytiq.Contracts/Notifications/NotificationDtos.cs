namespace Astralytiq.Contracts.Notifications;

/// <summary>
/// An in-app notification for the signed-in user: kind (report.delivered, report.failed, ...), what happened, and where
/// to look (a path in the web client or an API path to download a file).
/// </summary>
public sealed record NotificationDto(Guid Id, string Kind, string Title, string? Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record NotificationListResponse(IReadOnlyList<NotificationDto> Items, int Unread, int Total, int Offset, int Limit);

/// <summary>How a user hears about one event type: <c>channels</c> null means whatever the sender chooses; empty means muted.</summary>
public sealed record NotificationPreferenceDto(string EventType, string Description, IReadOnlyList<string>? Channels);

public sealed record NotificationPreferencesDto(IReadOnlyList<NotificationPreferenceDto> Items, IReadOnlyList<string> Channels);

public sealed record NotificationPreferenceItem(string EventType, IReadOnlyList<string>? Channels);

public sealed record NotificationPreferencesRequest(IReadOnlyList<NotificationPreferenceItem>? Items);
