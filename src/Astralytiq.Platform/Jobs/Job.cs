namespace Astralytiq.Platform.Jobs;

/// <summary>A unit of background work, persisted so it survives restarts and runs exactly once across nodes.</summary>
internal sealed class Job : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid? CreatedBy { get; set; }

    public string Kind { get; set; } = string.Empty;

    public string PayloadJson { get; set; } = "{}";

    public JobStatus Status { get; set; } = JobStatus.Queued;

    public double Progress { get; set; }

    public string? ProgressMessage { get; set; }

    public int Attempt { get; set; }

    public int MaxAttempts { get; set; } = 3;

    public string? Error { get; set; }

    public string? ResultJson { get; set; }

    public bool CancelRequested { get; set; }

    public string? LockedBy { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The W3C <c>traceparent</c> of the request that queued the job: its run joins that trace.</summary>
    public string? TraceParent { get; set; }

    public JobResponse ToResponse() => new(Id, Kind, Status, Progress, ProgressMessage, Attempt, MaxAttempts, Error, ResultJson,
        CreatedAt, StartedAt, FinishedAt, Status == JobStatus.Queued ? NextAttemptAt : null);
}
