using Astralytiq.Platform.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astralytiq.Audit.Entries;

/// <summary>
/// Audit records that could not be stored while the audit store was down: one JSON file each under
/// <c>{data dir}/audit-spool</c>, written atomically, named so that their order is the order they happened.
/// <see cref="AuditSpoolDrainer"/> chains them once the store answers again.
/// </summary>
internal sealed class AuditSpool : IDisposable
{
    private readonly string _folder;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private long _sequence;
    private int _pending;

    public AuditSpool(PlatformOptions options)
    {
        _folder = Path.Combine(options.DataDir, "audit-spool");
        Directory.CreateDirectory(_folder);
        _pending = Directory.EnumerateFiles(_folder, "*.json").Count();
    }

    public bool HasPending => Volatile.Read(ref _pending) > 0;

    public async Task AddAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var name = $"{entry.Timestamp.UtcTicks:D20}-{Interlocked.Increment(ref _sequence):D12}-{entry.Id:N}";
        var temp = Path.Combine(_folder, name + ".tmp");
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(entry), cancellationToken).ConfigureAwait(false);
        File.Move(temp, Path.Combine(_folder, name + ".json"));
        Interlocked.Increment(ref _pending);
        Wake();
    }

    /// <summary>Spooled records, oldest first.</summary>
    public IReadOnlyList<string> Pending() => [.. Directory.EnumerateFiles(_folder, "*.json").Order(StringComparer.Ordinal)];

    public static async Task<AuditEntry> ReadAsync(string file, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<AuditEntry>(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false))
        ?? throw new InvalidDataException($"Empty audit spool file {Path.GetFileName(file)}");

    public void Remove(string file)
    {
        File.Delete(file);
        Interlocked.Decrement(ref _pending);
    }

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled
            }
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>Chains spooled audit records, oldest first, as soon as the audit store answers (tries every few seconds).</summary>
internal sealed partial class AuditSpoolDrainer(AuditSpool spool, IServiceProvider services, ILogger<AuditSpoolDrainer> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await spool.WaitAsync(RetryEvery, stoppingToken).ConfigureAwait(false);
                if (spool.HasPending)
                {
                    await DrainAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (DependencyFaults.IsDependencyDown(ex))
            {
                LogStillDown(logger, ex);
            }
        }
    }

    internal async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var drained = 0;
        foreach (var file in spool.Pending())
        {
            var entry = await AuditSpool.ReadAsync(file, cancellationToken).ConfigureAwait(false);
            await using var scope = services.CreateAsyncScope();
            var log = (HashChainedAuditLog)scope.ServiceProvider.GetRequiredService<IAuditLog>();
            await log.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
            spool.Remove(file);
            drained++;
        }
        if (drained > 0)
        {
            LogDrained(logger, drained);
        }
        return drained;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The audit store is back: {Count} spooled audit record(s) chained")]
    private static partial void LogDrained(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The audit store still cannot be reached; spooled records wait")]
    private static partial void LogStillDown(ILogger logger, Exception exception);
}
