using Microsoft.ML;

namespace Astralytiq.ML.Training;

/// <summary>
/// A trained model ready to score: the ML.NET transformer, the featurizer it was trained behind, and what
/// prediction needs besides (classes, the regression interval, background rows for explanations). Scoring
/// builds a fresh data view per call, so one bundle is shared by concurrent requests.
/// </summary>
internal sealed class ModelBundle
{
    public required TaskKind Task { get; init; }

    public required Featurizer Featurizer { get; init; }

    /// <summary>Class labels (classification), index = class; binary: [negative, positive].</summary>
    public required List<string> Classes { get; init; }

    public required string Target { get; init; }

    public required string Algorithm { get; init; }

    public required Dictionary<string, double> Parameters { get; init; }

    /// <summary>Regression: the half-width of the 90 % split-conformal prediction interval from held-out residuals.</summary>
    public double IntervalHalfWidth { get; init; }

    /// <summary>Encoded training rows (seeded sample) that explanations start from.</summary>
    public required float[][] Background { get; init; }

    public required MLContext Context { get; init; }

    public required ITransformer Model { get; init; }

    public int ClassCount => Math.Max(2, Classes.Count);

    public Scores Score(IReadOnlyList<float[]> rows) =>
        Learner.Score(Context, Model, Task, rows.Select(r => new FeatureRow { Features = r }), Featurizer.Width, ClassCount);

    /// <summary>The number explanations decompose: the value (regression) or the probability of <paramref name="classIndex"/>.</summary>
    public double[] Outputs(IReadOnlyList<float[]> rows, int classIndex)
    {
        var scores = Score(rows);
        return scores.Values ?? scores.Probabilities!.Select(p => p[classIndex]).ToArray();
    }
}
