using System.ComponentModel.DataAnnotations;
namespace Astralytiq.ML;

/// <summary>Settings of the ML module (<c>Astralytiq:ML</c>).</summary>
internal sealed class MlSettings
{
    /// <summary>Training reads at most this many rows (every k-th row above it, so the same rows every time).</summary>
    [Range(1d, double.MaxValue)]
    public long MaxTrainingRows { get; set; } = 1_000_000;

    /// <summary>
    /// The time cap of an <c>auto</c> search when the request does not say. A cap, not the stop rule: a search ends when its
    /// trials are done or it stops gaining, so the same request gives the same model on a busy machine and an idle one.
    /// </summary>
    [Range(1, 86_400)]
    public int DefaultTimeBudgetSeconds { get; set; } = 600;

    [Range(1, 604_800)]

    public int MaxTimeBudgetSeconds { get; set; } = 3600;

    /// <summary>Trials of an <c>auto</c> search when the request does not say.</summary>
    [Range(1, 10_000)]
    public int DefaultMaxTrials { get; set; } = 24;

    [Range(1, 10_000_000)]

    public int MaxBatchRows { get; set; } = 10_000;

    /// <summary>Batch scoring of a dataset takes at most this many rows.</summary>
    [Range(1d, double.MaxValue)]
    public long MaxScoringRows { get; set; } = 5_000_000;

    /// <summary>Rows of one request that may ask for explanations (each costs about 64 × features model evaluations).</summary>
    [Range(1, 100_000)]
    public int MaxExplainRows { get; set; } = 100;

    /// <summary>Share of predicted rows written to the predictions log (0 to 1).</summary>
    [Range(0d, 1d)]
    public double PredictionLogSampleRate { get; set; } = 1.0;

    /// <summary>Days a logged prediction is kept (the drift and feedback windows read from it).</summary>
    [Range(1, 3650)]
    public int PredictionLogRetentionDays { get; set; } = 90;

    /// <summary>Days the deployments' per-minute traffic figures are kept (a metrics window reaches back at most 93 days).</summary>
    [Range(1, 3650)]
    public int DeploymentStatsRetentionDays { get; set; } = 93;

    /// <summary>Minutes in a drift window: each window just ended is measured for every deployment with enough logged predictions.</summary>
    [Range(5, 10_080)]
    public int DriftWindowMinutes { get; set; } = 60;

    /// <summary>Logged predictions a window needs before its drift is measured.</summary>
    [Range(5, 1_000_000)]
    public int DriftMinPredictions { get; set; } = 30;

    [Range(1, 1_000_000)]
    public int MaxForecastHorizon { get; set; } = 1000;

    /// <summary>
    /// Whether the canary and retraining controllers tick by themselves (every 30 seconds). Tests that move a fake clock
    /// turn this off and tick them by hand, so a tick never races the step under test.
    /// </summary>
    public bool ControllersTick { get; set; } = true;
}
