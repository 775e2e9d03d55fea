namespace Astralytiq.Contracts.Audit;

public sealed record AuditLogResponse(
    Guid Id,
    long Sequence,
    DateTimeOffset Timestamp,
    Guid? ActorId,
    string? ActorEmail,
    Guid? TenantId,
    string Action,
    string? ResourceType,
    string? ResourceId,
    string Outcome,
    string? IpAddress,
    string? UserAgent,
    string? RequestId,
    IReadOnlyDictionary<string, string>? Details,
    string Hash);

public sealed record AuditVerifyResponse(bool Valid, long EntriesChecked, long? FirstBrokenSequence, string? Reason);
