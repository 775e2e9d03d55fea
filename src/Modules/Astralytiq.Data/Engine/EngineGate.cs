using System.Collections.Concurrent;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Bounds the heavy reads that run inside requests (uploads read at once, appended batches, imports): at
/// most <see cref="DataSettings.ParseSlots"/> on the node and <see cref="DataSettings.ParseSlotsPerTenant"/>
/// per organisation, so one organisation's uploads, however many or however bad, leave the others a slot
/// and leave the thread pool free. The read itself runs on a thread of its own (DuckDB blocks the calling
/// thread until a statement ends). A request that finds no slot within <see cref="DataSettings.ParseQueueSeconds"/>
/// is answered 503 with Retry-After. Background jobs are bounded by their workers instead.
/// </summary>
internal sealed class EngineGate : IDisposable
{
    private readonly SemaphoreSlim _node;
    private readonly int _perTenant;
    private readonly TimeSpan _queue;
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _tenants = new();

    public EngineGate(DataSettings settings)
    {
        var slots = settings.ParseSlots > 0 ? settings.ParseSlots : Math.Max(2, Environment.ProcessorCount);
        _node = new SemaphoreSlim(slots, slots);
        _perTenant = settings.ParseSlotsPerTenant > 0 ? Math.Min(settings.ParseSlotsPerTenant, slots) : Math.Max(1, slots / 2);
        _queue = TimeSpan.FromSeconds(Math.Max(0, settings.ParseQueueSeconds));
    }

    public async Task<Result<T>> RunAsync<T>(Guid tenantId, Func<CancellationToken, Task<Result<T>>> work, CancellationToken ct)
    {
        var mine = _tenants.GetOrAdd(tenantId, _ => new SemaphoreSlim(_perTenant, _perTenant));
        if (!await mine.WaitAsync(_queue, ct).ConfigureAwait(false))
        {
            return Busy("your organisation already has as many uploads being read as it may at once");
        }
        try
        {
            if (!await _node.WaitAsync(_queue, ct).ConfigureAwait(false))
            {
                return Busy("the server is reading as many uploads as it can at once");
            }
            try
            {
                return await Task.Factory.StartNew(() => work(ct), ct, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default)
                    .Unwrap().ConfigureAwait(false);
            }
            finally
            {
                _node.Release();
            }
        }
        finally
        {
            mine.Release();
        }
    }

    /// <summary>
    /// Like <see cref="RunAsync{T}"/>, for interactive work with a time limit: the caller is answered
    /// <paramref name="onLimit"/> when the limit passes, even if the engine is inside a call it cannot leave at once
    /// (one scalar function building a 100-million-element list ignores the interrupt until it returns). The work's
    /// token is cancelled then; its slots, and whatever it holds, are let go only when it has actually ended.
    /// </summary>
    public async Task<Result<T>> RunLimitedAsync<T>(Guid tenantId, Func<CancellationToken, Task<Result<T>>> work, TimeSpan limit, Func<Result<T>> onLimit, CancellationToken ct)
    {
        var mine = _tenants.GetOrAdd(tenantId, _ => new SemaphoreSlim(_perTenant, _perTenant));
        // An interactive query waits for its organisation's slot no longer than it may run: the slot is usually held
        // by that organisation's previous query, still being stopped, and the person is told so (429) at once.
        if (!await mine.WaitAsync(limit < _queue ? limit : _queue, ct).ConfigureAwait(false))
        {
            return new CodedError(429, Astralytiq.Contracts.Errors.ErrorCodes.RateLimited,
                "Your organisation's previous query is still being stopped; try again in a few seconds");
        }
        if (!await WaitNodeAsync(mine, ct).ConfigureAwait(false))
        {
            return Busy("the server is running as many queries as it can at once");
        }
        var stop = new CancellationTokenSource(limit);
        var link = ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stop);
        var running = Task.Factory.StartNew(() => work(stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
        _ = running.ContinueWith(ended =>
        {
            _ = ended.Exception; // observed: the caller may have been answered already
            link.Dispose();
            stop.Dispose();
            _node.Release();
            mine.Release();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            return await running.WaitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return onLimit();
        }
    }

    private async Task<bool> WaitNodeAsync(SemaphoreSlim mine, CancellationToken ct)
    {
        try
        {
            if (await _node.WaitAsync(_queue, ct).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (OperationCanceledException)
        {
            mine.Release();
            throw;
        }
        mine.Release();
        return false;
    }

    private static UnavailableError Busy(string why) => new($"Not read: {why}; try again shortly", 10);

    public void Dispose()
    {
        _node.Dispose();
        foreach (var gate in _tenants.Values)
        {
            gate.Dispose();
        }
    }
}
