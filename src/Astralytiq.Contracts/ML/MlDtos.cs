using System.Text.Json.Nodes;

namespace Astralytiq.Contracts.ML;

/// <summary>
/// Train a new version of a model (the model is created on first use of its name). Task: regression,
/// binary_classification, multiclass_classification or forecasting. Algorithm: <c>auto</c> (search by
/// cross-validation within the time budget) or one of lightgbm, fast_tree, fast_forest, linear (SDCA
/// for regression, L-BFGS logistic regression for classification). A named algorithm takes fixed
/// <c>hyper_parameters</c>, or a <c>search_space</c> ({parameter: [min, max]}) searched for <c>max_trials</c> trials.
/// </summary>
public sealed record TrainModelRequest(
    string Name,
    Guid DatasetId,
    string Task,
    string Target,
    int? DatasetVersion = null,
    IReadOnlyList<string>? Features = null,
    string? Algorithm = null,
    IReadOnlyDictionary<string, double>? HyperParameters = null,
    int? TimeBudgetSeconds = null,
    int? MaxTrials = null,
    int? CvFolds = null,
    double? TestFraction = null,
    int? Seed = null,
    string? Description = null,
    string? TimeColumn = null,
    string? SeriesColumn = null,
    int? Horizon = null,
    int? SeasonLength = null,
    IReadOnlyDictionary<string, IReadOnlyList<double>>? SearchSpace = null);

/// <summary>Training runs as a job: follow <see cref="JobId"/>; the version is <c>training</c> until it is <c>ready</c> or <c>failed</c>.</summary>
public sealed record TrainModelResponse(Guid JobId, Guid ModelId, string Name, int Version);

public sealed record ModelSummaryDto(
    Guid Id,
    string Name,
    string Task,
    string? Description,
    int LatestVersion,
    string LatestStatus,
    string? PrimaryMetric,
    double? PrimaryValue,
    IReadOnlyList<ModelAliasDto> Aliases,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ModelAliasDto(string Alias, int Version, DateTimeOffset UpdatedAt);

public sealed record ModelDetailDto(ModelSummaryDto Model, IReadOnlyList<ModelVersionDto> Versions);

/// <summary>One immutable version of a model. Status: training, ready, failed or archived.</summary>
public sealed record ModelVersionDto(
    Guid Id,
    Guid ModelId,
    string Name,
    int Version,
    string Status,
    string Task,
    string? Algorithm,
    string Target,
    Guid DatasetId,
    int DatasetVersion,
    IReadOnlyDictionary<string, double>? Parameters,
    ModelMetricsDto? Metrics,
    IReadOnlyList<FeatureSchemaDto>? Features,
    IReadOnlyList<LeaderboardEntryDto>? Leaderboard,
    IReadOnlyList<FeatureImportanceDto>? Importance,
    string? ArtifactSha256,
    long? ArtifactBytes,
    long? DurationMs,
    int Seed,
    Guid? JobId,
    string? Error,
    IReadOnlyList<string> Aliases,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>
/// A feature as the model saw it in training. Kind: numeric, categorical or temporal. Categorical
/// features list the levels kept (others, and values never seen, count as "other"); numeric ones the range
/// seen. Missing values are filled with the training median (numeric, temporal) or count as a level.
/// </summary>
public sealed record FeatureSchemaDto(
    string Name,
    string Type,
    string Kind,
    IReadOnlyList<string>? Levels,
    double? Min,
    double? Max,
    double? Median,
    double MissingFraction,
    bool Hashed = false);

/// <summary>
/// Metrics on the held-out test rows, plus cross-validation of the same configuration on the training rows.
/// Fields not meaningful for the task are null.
/// </summary>
public sealed record ModelMetricsDto(
    string Task,
    string PrimaryMetric,
    double PrimaryValue,
    int TrainRows,
    int TestRows,
    double? R2 = null,
    double? Rmse = null,
    double? Mae = null,
    double? Mape = null,
    double? Accuracy = null,
    double? PrecisionMacro = null,
    double? RecallMacro = null,
    double? F1Macro = null,
    double? PrecisionMicro = null,
    double? RecallMicro = null,
    double? F1Micro = null,
    double? RocAuc = null,
    double? PrAuc = null,
    double? LogLoss = null,
    IReadOnlyList<string>? Classes = null,
    IReadOnlyList<IReadOnlyList<long>>? ConfusionMatrix = null,
    IReadOnlyList<RocPointDto>? RocCurve = null,
    IReadOnlyList<ResidualPointDto>? Residuals = null,
    double? IntervalHalfWidth = null,
    double? Mase = null,
    double? Smape = null,
    double? IntervalCoverage = null,
    CrossValidationDto? CrossValidation = null,
    CalibrationDto? Calibration = null,
    SearchDto? Search = null);

/// <summary>
/// How a classifier's probabilities were calibrated: <c>platt</c>, <c>isotonic</c> or <c>none</c> (chosen by the log loss
/// on the validation folds' predictions), and that log loss before and after.
/// </summary>
public sealed record CalibrationDto(string Method, double ValidationLogLossBefore, double ValidationLogLossAfter);

/// <summary>
/// How a search went: trials run, how many of them were stopped early (they trailed the leader), why it ended
/// (all trials, no gain for a while, the time budget, or a stop by hand), and the validation used
/// (<c>cross_validation</c> or, on large data, <c>holdout</c>), and the trial kept: the first configuration that no later
/// one beat by more than the folds' noise (its standard error). The version's duration says how long it took.
/// </summary>
public sealed record SearchDto(int Trials, int StoppedEarly, string Ended, string Validation, int ChosenTrial);

/// <summary>A point of the ROC curve: rates when predicting positive at or above the threshold (none for the first point, (0, 0)).</summary>
public sealed record RocPointDto(double FalsePositiveRate, double TruePositiveRate, double? Threshold);

public sealed record ResidualPointDto(double Actual, double Predicted);

public sealed record CrossValidationDto(string Metric, int Folds, double Mean, double StdDev, IReadOnlyList<double> Values);

/// <summary>
/// One configuration tried by the search, with its cross-validated score (higher is better for r2, auc, accuracy), or,
/// when it could not be scored, no score and <see cref="Error"/> saying why (the search went on without it).
/// </summary>
public sealed record LeaderboardEntryDto(int Trial, string Algorithm, IReadOnlyDictionary<string, double> Parameters, string Metric, double? Mean, double? StdDev, double Seconds, string? Error = null);

/// <summary>How much the held-out primary metric drops when the feature's values are shuffled (mean and spread over repeats).</summary>
public sealed record FeatureImportanceDto(string Feature, double Importance, double StdDev);

public sealed record ModelMetricsResponse(Guid ModelId, string Name, int Version, string Status, ModelMetricsDto? Metrics);

public sealed record ExplainResponse(Guid ModelId, string Name, int Version, string Metric, IReadOnlyList<FeatureImportanceDto> Importance);

/// <summary>One row (<see cref="Row"/>) or many (<see cref="Rows"/>, at most 10,000). Keys are the feature names.</summary>
public sealed record PredictRequest(JsonObject? Row = null, IReadOnlyList<JsonObject>? Rows = null);

public sealed record PredictResponse(Guid ModelId, string Name, int Version, string Task, IReadOnlyList<PredictionDto> Predictions, double ElapsedMs);

/// <summary>
/// A prediction: the value (a number for regression, the class label otherwise), the confidence (the predicted
/// class's probability) and class probabilities, or a 90 % prediction interval for regression. With
/// <c>explain=true</c>, each feature's contribution: they add up to prediction − base value (for classification,
/// in the predicted class's probability). Through a deployment, a logged prediction carries <see cref="PredictionId"/>,
/// by which its actual value can be sent later (feedback).
/// </summary>
public sealed record PredictionDto(
    JsonNode? Prediction,
    double? Confidence,
    IReadOnlyList<ClassProbabilityDto>? Probabilities,
    double? Lower,
    double? Upper,
    double? BaseValue,
    IReadOnlyList<ContributionDto>? Contributions,
    IReadOnlyList<string>? Warnings,
    Guid? PredictionId = null);

public sealed record ClassProbabilityDto(string Label, double Probability);

public sealed record ContributionDto(string Feature, JsonNode? Value, double Contribution);

public sealed record SetAliasRequest(int Version);

/// <summary>Forecasts of a forecasting model from the end of its training data, with 90 % prediction intervals.</summary>
public sealed record ForecastResponse(Guid ModelId, string Name, int Version, string Method, string Frequency, int SeasonLength, int Horizon, IReadOnlyList<SeriesForecastDto> Series);

public sealed record SeriesForecastDto(string Key, string Method, IReadOnlyList<ForecastPointDto> History, IReadOnlyList<ForecastPointDto> Forecast);

/// <summary>A point of a series: the actual value (history) or the forecast with its 90 % interval.</summary>
public sealed record ForecastPointDto(DateTime Time, double Value, double? Lower = null, double? Upper = null);

/// <summary>
/// Score every row of a dataset version into a new dataset: its columns plus <c>prediction</c> and, for
/// classification, <c>confidence</c>; for regression, <c>lower</c> and <c>upper</c> (90 % interval).
/// </summary>
public sealed record ScoreDatasetRequest(Guid DatasetId, string OutputName, int? DatasetVersion = null, int? Version = null, string? Alias = null, string? Description = null);

/// <summary>Scoring runs as a job; its result names the new dataset.</summary>
public sealed record ScoreDatasetResponse(Guid JobId, Guid ModelId, int Version);

public sealed record ScoreDatasetResult(Guid DatasetId, string DatasetName, int DatasetVersion, long Rows);
