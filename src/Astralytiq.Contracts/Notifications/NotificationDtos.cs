namespace Astralytiq.Contracts.Notifications;

/// <summary>
/// An in-app notification for the signed-in user: kind (report.delivered, report.failed, ...), what happened, and where
/// to look (a path in the web client or an API path to download a file).
/// </summary>
public sealed record NotificationDto(Guid Id, string Kind, string Title, string? Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record NotificationListResponse(IReadOnlyList<NotificationDto> Items, int Unread, int Total, int Offset, int Limit);

/// <summary>How a user hears about one event type: <c>channels</c> null means whatever the sender chooses; empty means muted.</summary>
public sealed record NotificationPreferenceDto(string EventType, string Description, IReadOnlyList<string>? Channels);

/// <summary>
/// The signed-in user's notification settings: per event type, the channels they take it on; the channels a person can
/// choose (<c>in_app</c>, <c>email</c>, <c>sms</c>); the number text messages go to (E.164, null: none, so no SMS); and
/// whether emails come one by one (<c>off</c>) or gathered in an <c>hourly</c> or <c>daily</c> digest (critical ones always
/// come at once).
/// </summary>
public sealed record NotificationPreferencesDto(
    IReadOnlyList<NotificationPreferenceDto> Items,
    IReadOnlyList<string> Channels,
    string? SmsNumber = null,
    string EmailDigest = "off",
    IReadOnlyList<string>? DigestChoices = null);

public sealed record NotificationPreferenceItem(string EventType, IReadOnlyList<string>? Channels);

/// <summary>
/// Changes notification settings; each part left null stays as it is. <c>sms_number</c> "" removes the number;
/// <c>email_digest</c> is <c>off</c>, <c>hourly</c> or <c>daily</c>.
/// </summary>
public sealed record NotificationPreferencesRequest(IReadOnlyList<NotificationPreferenceItem>? Items, string? SmsNumber = null, string? EmailDigest = null);

/// <summary>What a one-click unsubscribe from a notification email changed: that address gets no more emails of this event type.</summary>
public sealed record NotificationUnsubscribeResponse(string EventType, string Description, string Email);
