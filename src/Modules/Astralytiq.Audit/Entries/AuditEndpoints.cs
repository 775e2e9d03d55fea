using Astralytiq.Contracts.Audit;

namespace Astralytiq.Audit.Entries;

internal sealed record AuditQuery(
    string? Action,
    Guid? ActorId,
    string? ResourceType,
    string? ResourceId,
    string? Outcome,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int? Offset,
    int? Limit);

internal static class AuditEndpoints
{
    public const int MaxLimit = 200;

    [RequiresPermission(Permission.AuditRead), Errors(400), EndpointName("ListAuditLogs")]
    [EndpointSummary("The tenant's audit log, newest first, filtered by action prefix, actor, resource, outcome and time (Admin)")]
    public static async Task<Results<Ok<Page<AuditLogResponse>>, ApiError>> List(
        [AsParameters] AuditQuery query, AuditDbContext db, ITenantContext tenant, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var limit = query.Limit ?? 50;
        var offset = query.Offset ?? 0;
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {MaxLimit}");
        }
        if (offset < 0)
        {
            errors.Add("offset", "offset must not be negative");
        }
        if (query.From is { } f && query.To is { } t && f > t)
        {
            errors.Add("from", "from must not be after to");
        }
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        var entries = db.Entries.AsNoTracking().Where(e => e.TenantId == tenant.TenantId);
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            entries = entries.Where(e => e.Action.StartsWith(query.Action));
        }
        if (query.ActorId is { } actor)
        {
            entries = entries.Where(e => e.ActorId == actor);
        }
        if (!string.IsNullOrWhiteSpace(query.ResourceType))
        {
            entries = entries.Where(e => e.ResourceType == query.ResourceType);
        }
        if (!string.IsNullOrWhiteSpace(query.ResourceId))
        {
            entries = entries.Where(e => e.ResourceId == query.ResourceId);
        }
        if (!string.IsNullOrWhiteSpace(query.Outcome))
        {
            var outcome = query.Outcome.ToLowerInvariant();
            entries = entries.Where(e => e.Outcome == outcome);
        }
        if (query.From is { } from)
        {
            entries = entries.Where(e => e.Timestamp >= from);
        }
        if (query.To is { } to)
        {
            entries = entries.Where(e => e.Timestamp <= to);
        }
        var total = await entries.CountAsync(ct);
        var items = await entries.OrderByDescending(e => e.Sequence).Skip(offset).Take(limit).ToListAsync(ct);
        return TypedResults.Ok(new Page<AuditLogResponse>(items.Select(ToResponse).ToList(), total, offset, limit));
    }

    [RequiresPermission(Permission.AuditRead), EndpointName("VerifyAuditChain")]
    [EndpointSummary("Recomputes the tenant's hash chain and reports the first broken link, if any (Admin)")]
    public static async Task<Ok<AuditVerifyResponse>> Verify(AuditChainVerifier verifier, ITenantContext tenant, CancellationToken ct) =>
        TypedResults.Ok(await verifier.VerifyAsync(tenant.TenantId!.Value, ct));

    internal static AuditLogResponse ToResponse(AuditEntry e) => new(
        e.Id, e.Sequence, e.Timestamp, e.ActorId, e.ActorEmail, e.TenantId == Guid.Empty ? null : e.TenantId, e.Action,
        e.ResourceType, e.ResourceId, e.Outcome, e.IpAddress, e.UserAgent, e.RequestId,
        e.DetailsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(e.DetailsJson), e.Hash);
}

/// <summary>Walks a chain in order and reports the first entry whose link or hash does not hold.</summary>
internal sealed class AuditChainVerifier(AuditDbContext db)
{
    private const int Batch = 1000;

    public async Task<AuditVerifyResponse> VerifyAsync(Guid chain, CancellationToken ct)
    {
        var state = new ChainState();
        while (true)
        {
            var page = await db.Entries.AsNoTracking()
                .Where(e => e.TenantId == chain && e.Sequence >= state.Expected)
                .OrderBy(e => e.Sequence).Take(Batch).ToListAsync(ct);
            if (Check(page, state) is { } broken)
            {
                return broken;
            }
            if (page.Count < Batch)
            {
                return new AuditVerifyResponse(true, state.Checked, null, null);
            }
        }
    }

    /// <summary>Verifies a whole chain held in memory, in sequence order.</summary>
    public static AuditVerifyResponse Verify(IEnumerable<AuditEntry> ordered)
    {
        var state = new ChainState();
        return Check(ordered, state) ?? new AuditVerifyResponse(true, state.Checked, null, null);
    }

    private sealed class ChainState
    {
        public string PreviousHash { get; set; } = AuditEntry.GenesisHash;

        public long Expected { get; set; } = 1;

        public long Checked { get; set; }
    }

    private static AuditVerifyResponse? Check(IEnumerable<AuditEntry> entries, ChainState state)
    {
        foreach (var entry in entries)
        {
            if (entry.Sequence != state.Expected)
            {
                return new AuditVerifyResponse(false, state.Checked, state.Expected, $"entry {state.Expected} is missing");
            }
            if (!string.Equals(entry.PreviousHash, state.PreviousHash, StringComparison.Ordinal))
            {
                return new AuditVerifyResponse(false, state.Checked, entry.Sequence, "previous_hash does not match the preceding entry");
            }
            if (!string.Equals(entry.ComputeHash(), entry.Hash, StringComparison.Ordinal))
            {
                return new AuditVerifyResponse(false, state.Checked, entry.Sequence, "the entry's content does not match its hash");
            }
            state.PreviousHash = entry.Hash;
            state.Expected++;
            state.Checked++;
        }
        return null;
    }
}
