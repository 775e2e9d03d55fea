using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astralytiq.Platform.Hosting;

/// <summary>
/// Background work done every <see cref="Interval"/> on the platform's clock (a fake clock drives it in tests): a purge,
/// a controller's tick. A round that fails on the store (the database, a file, a timeout) is logged and the next round
/// tries again; anything else is a defect and stops the host's view of it as any unhandled exception would. While
/// <see cref="Enabled"/> is false nothing runs (tests that tick by hand turn it off).
/// </summary>
public abstract partial class PeriodicWork(TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>The platform's clock, for the work itself.</summary>
    protected TimeProvider Clock => time;

    /// <summary>The derived type's logger, for the work itself.</summary>
    protected ILogger Logger => logger;

    protected virtual bool Enabled => true;

    /// <summary>One round of the work.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (Enabled && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException)
            {
                LogRoundFailed(logger, ex, GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} could not finish this round; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, string work);
}
