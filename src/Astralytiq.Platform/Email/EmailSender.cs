using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Astralytiq.Platform.Email;

/// <summary>A file sent with an email.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>One email to one address; attachments and extra headers (List-Unsubscribe, say) are optional.</summary>
public sealed record EmailMessage(
    string To,
    string Subject,
    string TextBody,
    string? HtmlBody = null,
    IReadOnlyList<EmailAttachment>? Attachments = null,
    IReadOnlyDictionary<string, string>? Headers = null);

public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }

    [Range(1, 65_535)]

    public int Port { get; set; } = 25;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>None, StartTls, SslOnConnect or Auto.</summary>
    [RegularExpression("(?i)^(None|StartTls|SslOnConnect|Auto)$", ErrorMessage = "must be None, StartTls, SslOnConnect or Auto")]
    public string Security { get; set; } = "Auto";

    [Required]

    public string From { get; set; } = "Astralytiq <no-reply@astralytiq.local>";
}

internal static class Mime
{
    public static MimeMessage Build(EmailMessage message, string from)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>())
        {
            mime.Headers.Add(name, value);
        }
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        foreach (var attachment in message.Attachments ?? [])
        {
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        }
        mime.Body = body.ToMessageBody();
        return mime;
    }
}

/// <summary>Sends over SMTP with MailKit.</summary>
internal sealed partial class SmtpEmailSender(SmtpSettings settings, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var mime = Mime.Build(message, settings.From);
        using var activity = Telemetry.PlatformMetrics.Source.StartActivity("smtp send", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("server.address", settings.Host).SetTag("server.port", settings.Port);
        try
        {
            using var client = new SmtpClient();
            var security = Enum.TryParse<SecureSocketOptions>(settings.Security, ignoreCase: true, out var s) ? s : SecureSocketOptions.Auto;
            await client.ConnectAsync(settings.Host ?? throw new InvalidOperationException("No SMTP host configured"), settings.Port, security, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(settings.Username))
            {
                await client.AuthenticateAsync(settings.Username, settings.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }
            await client.SendAsync(mime, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Telemetry.PlatformMetrics.Emails.Add(1, new KeyValuePair<string, object?>("astralytiq.email.outcome", "failed"));
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        Telemetry.PlatformMetrics.Emails.Add(1, new KeyValuePair<string, object?>("astralytiq.email.outcome", "sent"));
        LogSent(logger, message.Subject, settings.Host!);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent email '{Subject}' via {Host}")]
    private static partial void LogSent(ILogger logger, string subject, string host);
}

/// <summary>With no SMTP server configured, messages are written as .eml files to <c>{data dir}/mail</c> and logged.</summary>
internal sealed partial class PickupFolderEmailSender(PlatformOptions options, SmtpSettings settings, TimeProvider time, ILogger<PickupFolderEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.DataDir, "mail");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.eml");
        var mime = Mime.Build(message, settings.From);
        await mime.WriteToAsync(path, cancellationToken).ConfigureAwait(false);
        Telemetry.PlatformMetrics.Emails.Add(1, new KeyValuePair<string, object?>("astralytiq.email.outcome", "written_to_folder"));
        LogWritten(logger, message.Subject, path);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No SMTP server configured: wrote email '{Subject}' to {Path}")]
    private static partial void LogWritten(ILogger logger, string subject, string path);
}
