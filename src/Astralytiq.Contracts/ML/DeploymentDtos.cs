using System.Text.Json.Nodes;

namespace Astralytiq.Contracts.ML;

/// <summary>
/// A variant that answers requests: a model by name or id, pinned to a version or following an alias (neither: the
/// newest ready version when the deployment is saved, pinned from then on), and its share of the traffic in percent.
/// </summary>
public sealed record DeploymentVariantDto(string Name, string Model, int? Version = null, string? Alias = null, double Weight = 0);

/// <summary>A shadow variant gets a copy of every request; its answers are logged and measured, never returned.</summary>
public sealed record ShadowVariantDto(string Name, string Model, int? Version = null, string? Alias = null);

/// <summary>
/// A canary rollout: <see cref="Variant"/>'s weight goes through <see cref="Steps"/> (percent, rising, the last 100),
/// one step every <see cref="IntervalMinutes"/>; the rest of the traffic stays with the other variants in their
/// proportions. It rolls back by itself when, with at least <see cref="MinRequests"/> requests since its step began,
/// the canary's error rate exceeds the stable variants' by more than <see cref="MaxErrorRateIncrease"/> (a fraction) or
/// its p95 latency exceeds theirs by more than <see cref="MaxLatencyRatio"/> times. At 100 % it is promoted.
/// </summary>
public sealed record CanaryPolicyDto(
    string Variant,
    IReadOnlyList<double> Steps,
    int IntervalMinutes = 30,
    double MaxErrorRateIncrease = 0.02,
    double MaxLatencyRatio = 2.0,
    int MinRequests = 100);

/// <summary>What a deployment serves: variants with weights summing to 100, shadows, an optional canary rollout and the share of predictions logged.</summary>
public sealed record DeploymentSpecDto(
    IReadOnlyList<DeploymentVariantDto> Variants,
    IReadOnlyList<ShadowVariantDto>? Shadows = null,
    CanaryPolicyDto? Canary = null,
    double? LogSampleRate = null);

public sealed record CreateDeploymentRequest(
    string Name,
    IReadOnlyList<DeploymentVariantDto> Variants,
    IReadOnlyList<ShadowVariantDto>? Shadows = null,
    CanaryPolicyDto? Canary = null,
    double? LogSampleRate = null,
    string? Description = null,
    string? Reason = null);

/// <summary>Replaces what the deployment serves (a new revision); <see cref="Reason"/> is kept with the revision.</summary>
public sealed record UpdateDeploymentRequest(
    IReadOnlyList<DeploymentVariantDto> Variants,
    IReadOnlyList<ShadowVariantDto>? Shadows = null,
    CanaryPolicyDto? Canary = null,
    double? LogSampleRate = null,
    string? Description = null,
    string? Reason = null);

/// <summary>New weights by variant name (percent, summing to 100); variants not named keep theirs only if the sum still holds.</summary>
public sealed record SetWeightsRequest(IReadOnlyDictionary<string, double> Weights, string? Reason = null);

/// <summary>Makes one variant (a shadow too) the only one, at 100 %; any canary rollout ends.</summary>
public sealed record PromoteVariantRequest(string Variant, string? Reason = null);

/// <summary>Serves an earlier revision's configuration again (default: the one before the current), as a new revision.</summary>
public sealed record RollbackDeploymentRequest(int? Revision = null, string? Reason = null);

/// <summary>One variant as configured, with the version it serves now.</summary>
public sealed record DeploymentVariantStateDto(string Name, Guid ModelId, string Model, int? Version, string? Alias, double Weight, bool Shadow, int ServingVersion, string Task);

/// <summary>A canary rollout's progress: running, promoted, rolled_back or stopped (the configuration was changed by hand).</summary>
public sealed record CanaryStateDto(
    string Variant,
    IReadOnlyList<double> Steps,
    int Step,
    double Weight,
    string Status,
    DateTimeOffset StepStartedAt,
    DateTimeOffset? NextStepAt,
    string? Reason,
    CanaryPolicyDto Policy);

public sealed record DeploymentDto(
    Guid Id,
    string Name,
    string? Description,
    string Status,
    int Revision,
    string Task,
    IReadOnlyList<DeploymentVariantStateDto> Variants,
    CanaryStateDto? Canary,
    double LogSampleRate,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One change of a deployment: created, updated, weights, promoted, rolled_back, canary_step, canary_promoted, canary_rolled_back.</summary>
public sealed record DeploymentRevisionDto(int Revision, string Kind, string? Reason, Guid? ActorId, DateTimeOffset At, DeploymentSpecDto Spec);

/// <summary>
/// One row (<see cref="Row"/>) or a batch (<see cref="Rows"/>). <see cref="Key"/> makes the assignment sticky: the
/// same key always reaches the same variant while the weights stay the same (also read from the X-Request-Key header).
/// </summary>
public sealed record DeploymentPredictRequest(JsonObject? Row = null, IReadOnlyList<JsonObject>? Rows = null, string? Key = null);

public sealed record DeploymentPredictResponse(
    string Deployment,
    int Revision,
    string Variant,
    Guid ModelId,
    string Model,
    int Version,
    string Task,
    IReadOnlyList<PredictionDto> Predictions,
    double ElapsedMs);

/// <summary>A window of a variant's traffic: counts, latency percentiles (milliseconds) and what it predicted.</summary>
public sealed record VariantMetricsDto(
    string Variant,
    bool Shadow,
    long Requests,
    long Rows,
    long Errors,
    double ErrorRate,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? LatencyP99Ms,
    double? MeanLatencyMs,
    double? PredictionMean,
    double? PredictionStd,
    double? PredictionMin,
    double? PredictionMax,
    IReadOnlyDictionary<string, long>? Classes,
    IReadOnlyList<MetricsPointDto> Series);

/// <summary>One bucket of a variant's time series.</summary>
public sealed record MetricsPointDto(DateTimeOffset At, long Requests, long Errors, double? LatencyP95Ms);

public sealed record DeploymentMetricsResponse(string Deployment, DateTimeOffset From, DateTimeOffset To, int BucketMinutes, IReadOnlyList<VariantMetricsDto> Variants);

/// <summary>
/// One feature's drift in a window: the method (ks or chi_square up to 1,000 reference values; wasserstein — normed by
/// the reference's standard deviation — or jensen_shannon above), its statistic, the p-value of a test, the threshold,
/// whether it drifted, the population stability index over the reference's bins, and the sample sizes.
/// </summary>
public sealed record FeatureDriftDto(
    string Feature,
    string Kind,
    string Method,
    double Statistic,
    double? PValue,
    double Threshold,
    bool Drifted,
    double Psi,
    int ReferenceCount,
    int CurrentCount);

/// <summary>A window's drift: each feature's, the share of features that drifted, and whether the inputs as a whole drifted (half or more).</summary>
public sealed record DriftWindowDto(
    DateTimeOffset Start,
    DateTimeOffset End,
    string Model,
    int ReferenceVersion,
    int Predictions,
    double DriftedShare,
    bool Drifted,
    IReadOnlyList<FeatureDriftDto> Features);

public sealed record DriftReportDto(string Deployment, IReadOnlyList<DriftWindowDto> Windows);
