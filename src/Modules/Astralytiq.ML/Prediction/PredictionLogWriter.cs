using System.Threading.Channels;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Prediction;

/// <summary>
/// The prediction log, written off the request path: a prediction hands its rows to a bounded queue and answers; a
/// background writer inserts them in batches, each tenant's in its own scope, at least every <see cref="FlushEvery"/>
/// and once more on shutdown. A queue full past <see cref="Capacity"/> rows (the database far behind) drops the sample
/// and counts it (<c>astralytiq.ml.prediction_log.dropped</c>) rather than slowing every prediction down.
/// </summary>
internal sealed partial class PredictionLogWriter(IServiceScopeFactory scopes, TimeProvider time, ILogger<PredictionLogWriter> logger) : Platform.Hosting.PeriodicFlush(time)
{
    public const int Capacity = 100_000;
    private const int BatchSize = 2_000;
    public static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);

    private readonly Channel<PredictionLog> _queue = Channel.CreateBounded<PredictionLog>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = false, SingleWriter = false });

    private readonly SemaphoreSlim _writing = new(1, 1);

    public void Enqueue(PredictionLog entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            MlTelemetry.PredictionLogDropped.Add(1);
        }
    }

    protected override TimeSpan Interval => FlushEvery;

    /// <summary>Writes everything queued so far (tests and the monitoring reads call it to see the newest rows).</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await _writing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var batch = new List<PredictionLog>(Math.Min(BatchSize, _queue.Reader.Count));
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                }
                if (batch.Count == 0)
                {
                    return;
                }
                foreach (var tenant in batch.GroupBy(e => e.TenantId))
                {
                    await WriteAsync(tenant.Key, tenant.ToList(), ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task WriteAsync(Guid tenantId, List<PredictionLog> rows, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId);
            var db = scope.ServiceProvider.GetRequiredService<MlDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Predictions.AddRange(rows);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // A log sample is not worth retrying into a failing store: counted and logged, the predictions themselves were answered.
            MlTelemetry.PredictionLogDropped.Add(rows.Count);
            LogDropped(logger, ex, rows.Count, tenantId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} prediction log rows of tenant {TenantId}; they are dropped")]
    private static partial void LogDropped(ILogger logger, Exception exception, int count, Guid tenantId);
}
