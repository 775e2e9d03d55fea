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

/// <summary>
/// The actual value for one prediction made through the deployment: named by <see cref="PredictionId"/> (returned with
/// each logged prediction) or by the request's <see cref="Key"/> (the newest prediction with that key). A number for
/// regression and forecasting models, the class label (text, number or true/false) for classifiers. Sent again, it
/// replaces the earlier value (a correction); the same value again changes nothing.
/// </summary>
public sealed record FeedbackItemDto(Guid? PredictionId = null, string? Key = null, JsonNode? Actual = null);

/// <summary>One item (<see cref="PredictionId"/> or <see cref="Key"/>, with <see cref="Actual"/>) or a batch in <see cref="Items"/>.</summary>
public sealed record FeedbackRequest(Guid? PredictionId = null, string? Key = null, JsonNode? Actual = null, IReadOnlyList<FeedbackItemDto>? Items = null);

/// <summary>What became of one item: recorded (new), corrected (a different value replaced an earlier one) or unchanged (the same value again).</summary>
public sealed record FeedbackResultDto(Guid PredictionId, string Status, DateTimeOffset PredictedAt);

public sealed record FeedbackResponse(int Recorded, int Corrected, int Unchanged, IReadOnlyList<FeedbackResultDto> Items);

/// <summary>Quality metrics on labelled predictions (those the task has): the same definitions as the training metrics.</summary>
public sealed record LiveMetricsDto(
    int Labelled,
    double? R2 = null,
    double? Rmse = null,
    double? Mae = null,
    double? Mape = null,
    double? Smape = null,
    double? Accuracy = null,
    double? F1Macro = null,
    double? RocAuc = null);

/// <summary>One bucket (by the time of the predictions) of a variant's labelled predictions and its metric on them.</summary>
public sealed record PerformancePointDto(DateTimeOffset At, int Labelled, double? Value);

/// <summary>
/// A variant's quality over the window for one version it served: the metric on its labelled predictions, the same
/// metric on the version's held-out test rows at training, the change (live − training) and whether that is worse.
/// </summary>
public sealed record VariantPerformanceDto(
    string Variant,
    bool Shadow,
    string Model,
    int Version,
    int Labelled,
    double? Value,
    double? Training,
    double? Change,
    bool Worse,
    LiveMetricsDto Metrics,
    IReadOnlyList<PerformancePointDto> Series);

/// <summary>
/// Feedback-based quality of a deployment over a window (by prediction time, so late feedback lands where its
/// predictions were made): predictions logged, how many have an actual value, and each variant's metric.
/// </summary>
public sealed record DeploymentPerformanceDto(
    string Deployment,
    DateTimeOffset From,
    DateTimeOffset To,
    int BucketMinutes,
    string Metric,
    bool HigherIsBetter,
    long Logged,
    long Labelled,
    IReadOnlyList<VariantPerformanceDto> Variants);

/// <summary>
/// When and how a deployment retrains itself. Triggers (any of): <see cref="DriftShare"/> — a drift window in which at
/// least this share of the features drifted; <see cref="MaxDecay"/> — the champion's metric on the last
/// <see cref="EvaluationDays"/> of labelled predictions is worse than at training by at least this much (in the
/// metric's units); <see cref="Schedule"/> — a five-field cron in <see cref="TimeZone"/>. A run trains a challenger
/// on the newest version of the champion's dataset with the champion's settings, measures both on the same data
/// (the recent labelled predictions when there are <see cref="MinLabelled"/>, else the challenger's held-out rows) and
/// acts only when the challenger is better by at least <see cref="Margin"/>: <see cref="Action"/> promote (it replaces
/// the champion) or canary (it starts as a canary through <see cref="CanarySteps"/>). No automatic run starts within
/// <see cref="CooldownHours"/> of the last one.
/// </summary>
public sealed record RetrainingPolicyDto(
    bool Enabled = true,
    double? DriftShare = null,
    double? MaxDecay = null,
    string? Schedule = null,
    string? TimeZone = null,
    string? Metric = null,
    double Margin = 0.01,
    int MinLabelled = 100,
    int EvaluationDays = 7,
    string Action = "promote",
    IReadOnlyList<double>? CanarySteps = null,
    int CooldownHours = 24);

/// <summary>
/// One retraining: what triggered it, the champion and the challenger, the metric of both on the same rows, and the
/// decision — status training, evaluating, promoted, canary, kept (the challenger was not better by the margin, or
/// could not be compared) or failed — with its reason in words.
/// </summary>
public sealed record RetrainingRunDto(
    Guid Id,
    string Trigger,
    string TriggerDetail,
    Guid? ActorId,
    string Status,
    string ChampionVariant,
    string Model,
    int ChampionVersion,
    int? ChallengerVersion,
    Guid? JobId,
    string Metric,
    double? ChampionValue,
    double? ChallengerValue,
    double Margin,
    string? EvaluatedOn,
    int? EvaluationRows,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DecidedAt);

/// <summary>A deployment's retraining policy (null: none), when its schedule fires next, and its runs, newest first.</summary>
public sealed record RetrainingStateDto(RetrainingPolicyDto? Policy, DateTimeOffset? NextScheduledAt, IReadOnlyList<RetrainingRunDto> Runs);

public sealed record StartRetrainingRequest(string? Reason = null);
