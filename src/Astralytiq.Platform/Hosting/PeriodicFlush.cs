using Microsoft.Extensions.Hosting;

namespace Astralytiq.Platform.Hosting;

/// <summary>
/// A background writer of what requests counted or queued in memory: flushes every <see cref="Interval"/> (on the
/// platform's clock, so a fake clock drives it in tests) and once more when the host stops, so a clean shutdown loses
/// nothing. <see cref="FlushAsync"/> may also be called at any time (before a read that must see everything).
/// </summary>
public abstract class PeriodicFlush(TimeProvider time) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    public abstract Task FlushAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
