namespace Astralytiq.Contracts.Data;

/// <summary>
/// What a pipeline reads on each run: the latest version of a dataset (<c>dataset_id</c>), an HTTP JSON API
/// (<c>http</c>) or a database query (<c>database</c>). Header values and the password are stored sealed with
/// the tenant key and never shown again (they read back as <c>••••</c> / null; send them so to keep them).
/// </summary>
public sealed record PipelineSourceDto(string? Kind, Guid? DatasetId = null, HttpImportRequest? Http = null, DatabaseImportRequest? Database = null);

/// <summary>A five-field cron expression (minute hour day-of-month month day-of-week) read in an IANA time zone (UTC when absent).</summary>
public sealed record PipelineScheduleDto(string? Cron, string? TimeZone = null);

public sealed record PipelineRequest(
    string? Name,
    PipelineSourceDto? Source,
    string? OutputName,
    IReadOnlyList<TransformStepDto>? Steps = null,
    PipelineScheduleDto? Schedule = null,
    bool Enabled = true,
    string? Description = null);

/// <summary>One run of a pipeline: queued → running → succeeded or failed, with the version it made.</summary>
public sealed record PipelineRunDto(
    Guid Id,
    string Trigger,
    string Status,
    Guid? JobId,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    Guid? OutputDatasetId,
    int? OutputVersion,
    long? RowCount,
    string? Error);

public sealed record PipelineResponse(
    Guid Id,
    string Name,
    string? Description,
    PipelineSourceDto Source,
    IReadOnlyList<TransformStepDto> Steps,
    string OutputName,
    Guid? OutputDatasetId,
    PipelineScheduleDto? Schedule,
    bool Enabled,
    DateTimeOffset? NextRunAt,
    PipelineRunDto? LastRun,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
