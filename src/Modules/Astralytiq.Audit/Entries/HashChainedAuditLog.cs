using Microsoft.Extensions.Logging;

namespace Astralytiq.Audit.Entries;

/// <summary>Appends to the tenant's chain. Appends to one chain are serialized; a racing writer on another node loses on the unique (tenant, sequence) index and retries.</summary>
internal sealed partial class HashChainedAuditLog(
    AuditDbContext db,
    ITenantContext tenant,
    IHttpContextAccessor http,
    TimeProvider time,
    ILogger<HashChainedAuditLog> logger) : IAuditLog
{
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var context = http.HttpContext;
        var chain = record.TenantId ?? tenant.TenantId ?? Guid.Empty;
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
                var now = time.GetUtcNow();
                var entry = new AuditEntry
                {
                    Id = Guid.CreateVersion7(now),
                    TenantId = chain,
                    Sequence = (last?.Sequence ?? 0) + 1,
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
                    PreviousHash = last?.Hash ?? AuditEntry.GenesisHash,
                };
                entry.Hash = entry.ComputeHash();
                db.Entries.Add(entry);
                try
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (DbUpdateException ex) when (attempt < 5)
                {
                    db.Entry(entry).State = EntityState.Detached;
                    LogRetry(logger, ex, chain, attempt);
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
}
