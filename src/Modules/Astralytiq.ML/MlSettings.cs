namespace Astralytiq.ML;

/// <summary>Settings of the ML module (<c>Astralytiq:ML</c>).</summary>
internal sealed class MlSettings
{
    /// <summary>Training reads at most this many rows (every k-th row above it, so the same rows every time).</summary>
    public long MaxTrainingRows { get; set; } = 1_000_000;

    public int DefaultTimeBudgetSeconds { get; set; } = 60;

    public int MaxTimeBudgetSeconds { get; set; } = 3600;

    /// <summary>Trials of an <c>auto</c> search when the request does not say.</summary>
    public int DefaultMaxTrials { get; set; } = 24;

    public int MaxBatchRows { get; set; } = 10_000;

    /// <summary>Batch scoring of a dataset takes at most this many rows.</summary>
    public long MaxScoringRows { get; set; } = 5_000_000;

    /// <summary>Rows of one request that may ask for explanations (each costs about 64 × features model evaluations).</summary>
    public int MaxExplainRows { get; set; } = 100;

    /// <summary>Share of predicted rows written to the predictions log (0 to 1).</summary>
    public double PredictionLogSampleRate { get; set; } = 1.0;

    public int MaxForecastHorizon { get; set; } = 1000;
}
