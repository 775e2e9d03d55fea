namespace Astralytiq.ML.Registry;

/// <summary>A named model of a tenant (unique name); its versions are trained one after another.</summary>
internal sealed class MlModel : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Task { get; set; } = string.Empty;

    public string? Description { get; set; }

    public int LatestVersion { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal static class VersionStatus
{
    public const string Training = "training";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Archived = "archived";
}

/// <summary>
/// One version of a model. What defines it — the request, the data version, the parameters, metrics, feature
/// schema and artifact hash — is written once, when training ends; afterwards only the status may move
/// (ready → archived). The artifact is sealed with the tenant key; its SHA-256 is checked on every load.
/// </summary>
internal sealed class ModelVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ModelId { get; set; }

    public int Version { get; set; }

    public string Status { get; set; } = VersionStatus.Training;

    public string Task { get; set; } = string.Empty;

    public string Target { get; set; } = string.Empty;

    public Guid DatasetId { get; set; }

    public int DatasetVersion { get; set; }

    /// <summary>The training request as sent (JSON), with defaults filled.</summary>
    public string RequestJson { get; set; } = "{}";

    public int Seed { get; set; }

    public string? Algorithm { get; set; }

    public string? ParametersJson { get; set; }

    public string? MetricsJson { get; set; }

    public string? FeaturesJson { get; set; }

    public string? LeaderboardJson { get; set; }

    public string? ImportanceJson { get; set; }

    public string? PrimaryMetric { get; set; }

    public double? PrimaryValue { get; set; }

    public string? ArtifactPath { get; set; }

    public string? ArtifactSha256 { get; set; }

    public long? ArtifactBytes { get; set; }

    public long? DurationMs { get; set; }

    public Guid? JobId { get; set; }

    /// <summary>Set while training when the user asks the search to end now; the job then fits and keeps the best configuration so far.</summary>
    public bool FinishRequested { get; set; }

    public string? Error { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>A movable name for one version of a model (production, staging, or any other).</summary>
internal sealed class ModelAlias : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ModelId { get; set; }

    public string Alias { get; set; } = string.Empty;

    public int Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A logged prediction (sampled), for monitoring: inputs, outputs, confidence and how long it took.</summary>
internal sealed class PredictionLog : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ModelId { get; set; }

    public Guid VersionId { get; set; }

    public int Version { get; set; }

    public string InputJson { get; set; } = "{}";

    public string OutputJson { get; set; } = "{}";

    public double? Confidence { get; set; }

    public double ExecutionMs { get; set; }

    /// <summary>The deployment and variant that answered (null for a prediction straight from the model).</summary>
    public Guid? DeploymentId { get; set; }

    public string? Variant { get; set; }

    /// <summary>A shadow variant's answer: logged, never returned.</summary>
    public bool Shadow { get; set; }

    /// <summary>The request's key (sticky assignment), by which feedback can find it later.</summary>
    public string? RequestKey { get; set; }

    /// <summary>The deployment request this row belongs to (a variant's answer and its shadows' share it), and the row's place in it.</summary>
    public Guid? RequestId { get; set; }

    public int Row { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
