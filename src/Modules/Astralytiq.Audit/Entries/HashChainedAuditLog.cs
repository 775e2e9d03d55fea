using Microsoft.Extensions.Logging;

namespace Astralytiq.Audit.Entries;

/// <summary>
/// Appends to the tenant's chain. Appends to one chain are serialized; a racing writer on another node loses
/// on the unique (tenant, sequence) index and retries. While the audit store cannot be reached, records go to
/// the <see cref="AuditSpool"/> on disk (with the time and actor they happened with) and are chained, in order,
/// once it is back: an audit outage neither stops other modules' work nor loses a record.
/// </summary>
internal sealed partial class HashChainedAuditLog(
    AuditDbContext db,
    ITenantContext tenant,
    IHttpContextAccessor http,
    TimeProvider time,
    AuditSpool spool,
    ILogger<HashChainedAuditLog> logger) : IAuditLog
{
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entry = Resolve(record);
        if (spool.HasPending)
        {
            // Older records wait in the spool: this one goes behind them, so each chain stays in the order things happened.
            await spool.AddAsync(entry, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DependencyFaults.IsDependencyDown(ex))
        {
            LogSpooled(logger, ex, entry.Action);
            await spool.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The record with everything known now (time, actor, address); chain fields are set when it is appended.</summary>
    private AuditEntry Resolve(AuditRecord record)
    {
        var context = http.HttpContext;
        var now = time.GetUtcNow();
        return new AuditEntry
        {
            Id = Guid.CreateVersion7(now),
            TenantId = record.TenantId ?? tenant.TenantId ?? Guid.Empty,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()),
            ActorId = record.ActorId ?? tenant.UserId,
            ActorEmail = Truncate(record.ActorEmail ?? tenant.Email, 320),
            Action = Truncate(record.Action, 120)!,
            ResourceType = Truncate(record.ResourceType, 60),
            ResourceId = Truncate(record.ResourceId, 120),
            Outcome = record.Outcome.ToString().ToLowerInvariant(),
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = Truncate(context?.Request.Headers.UserAgent.ToString(), 512),
            RequestId = context?.TraceIdentifier,
            DetailsJson = record.Details is { Count: > 0 } d
                ? JsonSerializer.Serialize(new SortedDictionary<string, string>(d.ToDictionary(), StringComparer.Ordinal))
                : null,
        };
    }

    /// <summary>Chains and stores a resolved record (a spooled one keeps its id, time and actor).</summary>
    internal async Task AppendAsync(AuditEntry resolved, CancellationToken cancellationToken)
    {
        var chain = resolved.TenantId;
        var stripe = Stripes[(chain.GetHashCode() & int.MaxValue) % Stripes.Length];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var system = tenant.BeginSystemScope();
            for (var attempt = 1; ; attempt++)
            {
                var last = await db.Entries.AsNoTracking()
                    .Where(e => e.TenantId == chain)
                    .OrderByDescending(e => e.Sequence)
                    .Select(e => new { e.Sequence, e.Hash })
                    .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                var entry = resolved.Copy();
                entry.Sequence = (last?.Sequence ?? 0) + 1;
                entry.PreviousHash = last?.Hash ?? AuditEntry.GenesisHash;
                entry.Hash = entry.ComputeHash();
                db.Entries.Add(entry);
                try
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (DbUpdateException ex) when (attempt < 5 && !DependencyFaults.IsDependencyDown(ex))
                {
                    db.Entry(entry).State = EntityState.Detached;
                    LogRetry(logger, ex, chain, attempt);
                }
                catch
                {
                    db.Entry(entry).State = EntityState.Detached;
                    throw;
                }
            }
        }
        finally
        {
            stripe.Release();
        }
    }

    private static string? Truncate(string? value, int max) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit append to chain {Chain} raced (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, Exception exception, Guid chain, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit store cannot be reached; '{Action}' is kept in the audit spool until it is back")]
    private static partial void LogSpooled(ILogger logger, Exception exception, string action);
}
