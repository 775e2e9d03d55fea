using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astralytiq.Platform.Email;

/// <summary>
/// Sends email off the request path, so a request answers in the same time whether or not a message
/// goes out (no user enumeration by timing). Failed sends are retried with backoff, then logged.
/// </summary>
public interface IEmailQueue
{
    void Enqueue(EmailMessage message);
}

internal sealed partial class EmailQueue(IEmailSender sender, ILogger<EmailQueue> logger) : BackgroundService, IEmailQueue
{
    private const int MaxAttempts = 4;

    private readonly Channel<EmailMessage> _channel = Channel.CreateBounded<EmailMessage>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Enqueue(EmailMessage message)
    {
        if (!_channel.Writer.TryWrite(message))
        {
            LogDropped(logger, message.Subject);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _channel.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                try
                {
                    await sender.SendAsync(message, stoppingToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex, message.Subject, attempt, MaxAttempts);
                    if (attempt < MaxAttempts)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(4, attempt - 1)), stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Email queue full: dropped '{Subject}'")]
    private static partial void LogDropped(ILogger logger, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending email '{Subject}' failed (attempt {Attempt} of {Max})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string subject, int attempt, int max);
}
