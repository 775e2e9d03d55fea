using Astralytiq.Platform.Email;

namespace Astralytiq.Platform.Events;

/// <summary>Send this email. Published in the same transaction as what it announces (a reset token, an invitation).</summary>
public sealed record EmailRequested(string To, string Subject, string TextBody) : ISensitiveIntegrationEvent;

internal sealed class SendRequestedEmail(IEmailSender sender) : IIntegrationEventHandler<EmailRequested>
{
    public Task HandleAsync(EmailRequested integrationEvent, Guid messageId, CancellationToken cancellationToken) =>
        sender.SendAsync(new EmailMessage(integrationEvent.To, integrationEvent.Subject, integrationEvent.TextBody), cancellationToken);
}
