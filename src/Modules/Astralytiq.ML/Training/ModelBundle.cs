namespace Astralytiq.ML.Training;

internal sealed class ScoreOutput
{
    public float Score { get; set; }
}

internal sealed class ProbabilityOutput
{
    public float Probability { get; set; }
}

internal sealed class VectorOutput
{
    public float[] Score { get; set; } = [];
}

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

    /// <summary>Up to this many rows are scored one by one with pooled prediction engines; more through a data view.</summary>
    public const int EngineRows = 8;

    private readonly System.Collections.Concurrent.ConcurrentBag<object> _engines = [];

    public Scores Score(IReadOnlyList<float[]> rows)
    {
        if (rows.Count > EngineRows)
        {
            return Learner.Score(Context, Model, Task, rows.Select(r => new FeatureRow { Features = r }), Featurizer.Width, ClassCount);
        }
        // A prediction engine is not thread-safe, so each call takes one from the pool (or makes one) and gives it back.
        var engine = _engines.TryTake(out var pooled) ? pooled : CreateEngine();
        try
        {
            switch (Task)
            {
                case TaskKind.Regression:
                {
                    var e = (PredictionEngine<FeatureRow, ScoreOutput>)engine;
                    return new Scores(rows.Select(r => (double)e.Predict(new FeatureRow { Features = r }).Score).ToArray(), null);
                }
                case TaskKind.Binary:
                {
                    var e = (PredictionEngine<FeatureRow, ProbabilityOutput>)engine;
                    return new Scores(null, rows.Select(r => e.Predict(new FeatureRow { Features = r }).Probability).Select(p => new[] { 1 - (double)p, p }).ToArray());
                }
                default:
                {
                    var e = (PredictionEngine<FeatureRow, VectorOutput>)engine;
                    return new Scores(null, rows.Select(r => Learner.Normalize(e.Predict(new FeatureRow { Features = r }).Score)).ToArray());
                }
            }
        }
        finally
        {
            if (_engines.Count < 2 * Environment.ProcessorCount)
            {
                _engines.Add(engine);
            }
        }
    }

    private object CreateEngine()
    {
        var schema = Learner.Schema(Featurizer.Width, ClassCount);
        return Task switch
        {
            TaskKind.Regression => Context.Model.CreatePredictionEngine<FeatureRow, ScoreOutput>(Model, inputSchemaDefinition: schema),
            TaskKind.Binary => Context.Model.CreatePredictionEngine<FeatureRow, ProbabilityOutput>(Model, inputSchemaDefinition: schema),
            _ => Context.Model.CreatePredictionEngine<FeatureRow, VectorOutput>(Model, inputSchemaDefinition: schema),
        };
    }

    /// <summary>The number explanations decompose: the value (regression) or the probability of <paramref name="classIndex"/>.</summary>
    public double[] Outputs(IReadOnlyList<float[]> rows, int classIndex)
    {
        var scores = Score(rows);
        return scores.Values ?? scores.Probabilities!.Select(p => p[classIndex]).ToArray();
    }
}
