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

    /// <summary>Classifiers: the map from the model's probabilities to calibrated ones (null: used as they are).</summary>
    public Calibration? Calibration { get; init; }

    /// <summary>The ML.NET model and its context; null for an in-process <see cref="Linear"/> model.</summary>
    public MLContext? Context { get; init; }

    public ITransformer? Model { get; init; }

    /// <summary>The exact linear model (algorithm <c>linear</c> trained since ADR 0041); scored without ML.NET.</summary>
    public LinearModel? Linear { get; init; }

    public int ClassCount => Math.Max(2, Classes.Count);


    /// <summary>From this many rows, a batch is scored on every core (rows are scored one by one with pooled prediction engines, 2 µs a row, twice as fast as a data view).</summary>
    public const int ParallelRows = 4096;

    private readonly System.Collections.Concurrent.ConcurrentBag<object> _engines = [];

    public Scores Score(IReadOnlyList<float[]> rows)
    {
        if (Linear is not null)
        {
            var scores = Linear.Score(Task, rows);
            return Calibration is null || scores.Probabilities is null ? scores : new Scores(null, scores.Probabilities.Select(Calibration.Apply).ToArray());
        }
        var values = Task == TaskKind.Regression ? new double[rows.Count] : null;
        var probabilities = values is null ? new double[rows.Count][] : null;
        if (rows.Count >= ParallelRows && Environment.ProcessorCount > 1)
        {
            // A large batch is cut into one slice per core, each scored by its own pooled engine (an engine is not
            // thread-safe; the model behind it is), straight into its part of the result.
            var slices = Math.Min(Environment.ProcessorCount, rows.Count / (ParallelRows / 2));
            var size = (rows.Count + slices - 1) / slices;
            Parallel.For(0, slices, i => ScoreSlice(rows, i * size, Math.Min(size, rows.Count - (i * size)), values, probabilities));
        }
        else
        {
            ScoreSlice(rows, 0, rows.Count, values, probabilities);
        }
        return new Scores(values, probabilities);
    }

    /// <summary>Scores rows [start, start + count) with an engine from the pool (or a new one), given back afterwards.</summary>
    private void ScoreSlice(IReadOnlyList<float[]> rows, int start, int count, double[]? values, double[][]? probabilities)
    {
        var engine = _engines.TryTake(out var pooled) ? pooled : CreateEngine();
        try
        {
            var input = new FeatureRow();
            switch (Task)
            {
                case TaskKind.Regression:
                {
                    var e = (PredictionEngine<FeatureRow, ScoreOutput>)engine;
                    var output = new ScoreOutput();
                    for (var i = start; i < start + count; i++)
                    {
                        input.Features = rows[i];
                        e.Predict(input, ref output);
                        values![i] = output.Score;
                    }
                    break;
                }
                case TaskKind.Binary:
                {
                    var e = (PredictionEngine<FeatureRow, ProbabilityOutput>)engine;
                    var output = new ProbabilityOutput();
                    for (var i = start; i < start + count; i++)
                    {
                        input.Features = rows[i];
                        e.Predict(input, ref output);
                        double[] p = [1 - (double)output.Probability, output.Probability];
                        probabilities![i] = Calibration is null ? p : Calibration.Apply(p);
                    }
                    break;
                }
                default:
                {
                    var e = (PredictionEngine<FeatureRow, VectorOutput>)engine;
                    for (var i = start; i < start + count; i++)
                    {
                        input.Features = rows[i];
                        var p = Learner.Normalize(e.Predict(input).Score);
                        probabilities![i] = Calibration is null ? p : Calibration.Apply(p);
                    }
                    break;
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
            TaskKind.Regression => Context!.Model.CreatePredictionEngine<FeatureRow, ScoreOutput>(Model!, inputSchemaDefinition: schema),
            TaskKind.Binary => Context!.Model.CreatePredictionEngine<FeatureRow, ProbabilityOutput>(Model!, inputSchemaDefinition: schema),
            _ => Context!.Model.CreatePredictionEngine<FeatureRow, VectorOutput>(Model!, inputSchemaDefinition: schema),
        };
    }

    /// <summary>The number explanations decompose: the value (regression) or the probability of <paramref name="classIndex"/>.</summary>
    public double[] Outputs(IReadOnlyList<float[]> rows, int classIndex)
    {
        var scores = Score(rows);
        return scores.Values ?? scores.Probabilities!.Select(p => p[classIndex]).ToArray();
    }
}
