namespace Astralytiq.Contracts.Jobs;

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    DeadLettered,
}

public sealed record JobResponse(
    Guid Id,
    string Kind,
    JobStatus Status,
    double Progress,
    string? ProgressMessage,
    int Attempt,
    int MaxAttempts,
    string? Error,
    string? ResultJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? NextAttemptAt);

public sealed record JobAcceptedResponse(Guid JobId, string StatusUrl);
