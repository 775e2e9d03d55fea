namespace Astralytiq.Data.Pipelines;

/// <summary>A saved source plus steps that makes a new version of its output dataset on each run.</summary>
internal sealed class Pipeline : IRecurring
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Description { get; set; }

    /// <summary>The source with its secrets removed (JSON of <c>PipelineSourceDto</c>).</summary>
    public string SourceJson { get; set; } = "{}";

    /// <summary>Header values and password, sealed with the tenant key; null when there are none.</summary>
    public string? SealedSecrets { get; set; }

    public string StepsJson { get; set; } = "[]";

    public string OutputName { get; set; } = string.Empty;

    public Guid? OutputDatasetId { get; set; }

    public string? Cron { get; set; }

    public string? TimeZone { get; set; }

    public bool Enabled { get; set; }

    public DateTimeOffset? NextRunAt { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }
}

internal sealed class PipelineRun : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid PipelineId { get; set; }

    /// <summary>schedule or manual.</summary>
    public string Trigger { get; set; } = "manual";

    /// <summary>queued, running, succeeded or failed.</summary>
    public string Status { get; set; } = "queued";

    public Guid? JobId { get; set; }

    public DateTimeOffset QueuedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public Guid? OutputDatasetId { get; set; }

    public int? OutputVersion { get; set; }

    public long? RowCount { get; set; }

    public string? Error { get; set; }

    public Astralytiq.Contracts.Data.PipelineRunDto ToDto() => new(Id, Trigger, Status, JobId, QueuedAt, StartedAt, FinishedAt, OutputDatasetId, OutputVersion, RowCount, Error);
}
