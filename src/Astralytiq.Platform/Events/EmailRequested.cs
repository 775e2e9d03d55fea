using Astralytiq.Platform.Email;

namespace Astralytiq.Platform.Events;

/// <summary>
/// Send this email. Published in the same transaction as what it announces (a reset token, an invitation, a notice).
/// An HTML part and extra headers (List-Unsubscribe) are optional.
/// </summary>
public sealed record EmailRequested(string To, string Subject, string TextBody, string? HtmlBody = null, IReadOnlyDictionary<string, string>? Headers = null)
    : ISensitiveIntegrationEvent;

internal sealed class SendRequestedEmail(IEmailSender sender) : IIntegrationEventHandler<EmailRequested>
{
    public Task HandleAsync(EmailRequested integrationEvent, Guid messageId, CancellationToken cancellationToken) =>
        sender.SendAsync(new EmailMessage(integrationEvent.To, integrationEvent.Subject, integrationEvent.TextBody, integrationEvent.HtmlBody, Headers: integrationEvent.Headers), cancellationToken);
}
