using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Astralytiq.ML.Training;

internal enum TaskKind
{
    Regression,
    Binary,
    Multiclass,
}

/// <summary>One encoded row as ML.NET reads it. The label is in the column the task uses: Value, Flag or Class (the 0-based class index; ML.NET stores it as key index + 1).</summary>
internal sealed class FeatureRow
{
    public float Value { get; set; }

    public bool Flag { get; set; }

    public uint Class { get; set; }

    public float[] Features { get; set; } = [];
}

/// <summary>A hyper-parameter: its range, whether it is searched on a log scale and whether it is a whole number.</summary>
internal sealed record ParameterRange(string Name, double Min, double Max, double Default, bool Log, bool Integer, double? SearchMax = null)
{
    /// <summary>The top of the range <c>auto</c> draws from by itself (a request's search space may reach up to <see cref="Max"/>).</summary>
    public double Top => SearchMax ?? Max;
}

/// <summary>A fitted model: an ML.NET transformer with its context, or an in-process linear model.</summary>
internal sealed record Fitted(MLContext? Context, ITransformer? Model, LinearModel? Linear);

/// <summary>A model's output for some rows: regression values, or class probabilities (binary: [negative, positive]).</summary>
internal sealed record Scores(double[]? Values, double[][]? Probabilities)
{
    public int Count => Values?.Length ?? Probabilities!.Length;
}

/// <summary>
/// The algorithms, their hyper-parameter ranges, and fitting and scoring with ML.NET. Every trainer runs on one
/// thread with a fixed seed, so the same rows and parameters always give the same model; parallelism comes from
/// training cross-validation folds side by side, each with its own <see cref="MLContext"/>.
/// </summary>
internal static class Learner
{
    public const string LightGbm = "lightgbm";
    public const string FastTree = "fast_tree";
    public const string FastForest = "fast_forest";
    public const string Linear = "linear";

    public static readonly string[] Algorithms = [LightGbm, FastTree, FastForest, Linear];

    public static IReadOnlyList<ParameterRange> Space(string algorithm) => algorithm switch
    {
        LightGbm =>
        [
            new("num_leaves", 4, 128, 31, true, true), new("learning_rate", 0.01, 0.3, 0.1, true, false),
            new("iterations", 20, 600, 100, true, true), new("min_leaf", 2, 50, 20, true, true), new("l2", 1e-4, 10, 1e-4, true, false),
        ],
        FastTree =>
        [
            new("num_leaves", 4, 64, 20, true, true), new("learning_rate", 0.02, 0.3, 0.2, true, false),
            new("trees", 20, 500, 100, true, true), new("min_leaf", 2, 50, 10, true, true),
        ],
        FastForest =>
        [
            new("trees", 20, 300, 100, true, true), new("num_leaves", 8, 128, 20, true, true),
            new("min_leaf", 1, 30, 10, true, true), new("feature_fraction", 0.3, 1, 0.7, false, false),
        ],
        Linear => [new("l2", 1e-6, 10, 1e-2, true, false, SearchMax: 1), new("l1", 0, 1, 0, false, false, SearchMax: 0.05), new("iterations", 20, 200, 100, true, true)],
        _ => [],
    };

    public static Dictionary<string, double> Defaults(string algorithm) => Space(algorithm).ToDictionary(p => p.Name, p => p.Default);

    /// <summary>
    /// A configuration near <paramref name="from"/>: each parameter moved by a random step (a factor of about e^±0.5 on a log
    /// scale, a tenth of its range otherwise), kept inside its range. Searching near the best configuration so far finds
    /// gains a uniform draw over the whole space rarely does in few trials.
    /// </summary>
    public static Dictionary<string, double> Perturb(string algorithm, IReadOnlyDictionary<string, double> from, Random random) =>
        Space(algorithm).ToDictionary(p => p.Name, p =>
        {
            var start = from.TryGetValue(p.Name, out var v) ? v : p.Default;
            var step = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var moved = p.Log && p.Min > 0 && start > 0 ? Math.Exp(Math.Log(start) + (0.5 * step)) : start + (0.1 * step * (p.Top - p.Min));
            moved = Math.Clamp(moved, p.Min, Math.Max(p.Top, Math.Min(start, p.Max)));
            return p.Integer ? Math.Round(moved) : Math.Round(moved, 6);
        });

    /// <summary>A random configuration; <paramref name="limits"/> narrows parameters to the ranges a request gave.</summary>
    public static Dictionary<string, double> Sample(string algorithm, Random random, IReadOnlyDictionary<string, (double Min, double Max)>? limits = null) =>
        Space(algorithm).ToDictionary(p => p.Name, p =>
        {
            var (min, max) = limits is not null && limits.TryGetValue(p.Name, out var l) ? l : (p.Min, p.Top);
            var u = random.NextDouble();
            var v = p.Log && min > 0 ? Math.Exp(Math.Log(min) + (u * (Math.Log(max) - Math.Log(min)))) : min + (u * (max - min));
            return p.Integer ? Math.Round(v) : Math.Round(v, 6);
        });

    /// <summary>
    /// ML.NET stops a running trainer through <c>MLContext.CancelExecution</c>, which version 5 keeps non-public
    /// (the public wrapper lives in a package not published for it); found once by reflection. When absent,
    /// cancellation still happens between folds and trials.
    /// </summary>
    private static readonly System.Reflection.MethodInfo? CancelExecution = typeof(MLContext).GetMethod(
        "CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, []);

    public static SchemaDefinition Schema(int width, int classes)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(FeatureRow.Class)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(2, classes));
        return schema;
    }

    public static IDataView Load(MLContext context, IEnumerable<FeatureRow> rows, int width, int classes) =>
        context.Data.LoadFromEnumerable(rows, Schema(width, classes));

    private static string Label(TaskKind task) => task switch
    {
        TaskKind.Regression => nameof(FeatureRow.Value),
        TaskKind.Binary => nameof(FeatureRow.Flag),
        _ => nameof(FeatureRow.Class),
    };

    public static IEstimator<ITransformer> Estimator(MLContext context, TaskKind task, string algorithm, IReadOnlyDictionary<string, double> p, int seed)
    {
        var label = Label(task);
        const string features = nameof(FeatureRow.Features);
        int I(string name) => (int)p[name];
        float F(string name) => (float)p[name];
        switch (algorithm)
        {
            case LightGbm:
            {
                var booster = new GradientBooster.Options { L2Regularization = p["l2"] };
                return task switch
                {
                    TaskKind.Regression => context.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("num_leaves"), LearningRate = p["learning_rate"],
                        NumberOfIterations = I("iterations"), MinimumExampleCountPerLeaf = I("min_leaf"), Booster = booster, Seed = seed,
                        NumberOfThreads = 1, Silent = true,
                    }),
                    TaskKind.Binary => context.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("num_leaves"), LearningRate = p["learning_rate"],
                        NumberOfIterations = I("iterations"), MinimumExampleCountPerLeaf = I("min_leaf"), Booster = booster, Seed = seed,
                        NumberOfThreads = 1, Silent = true,
                    }),
                    _ => context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("num_leaves"), LearningRate = p["learning_rate"],
                        NumberOfIterations = I("iterations"), MinimumExampleCountPerLeaf = I("min_leaf"), Booster = booster, Seed = seed,
                        NumberOfThreads = 1, Silent = true,
                    }),
                };
            }
            case FastTree:
            {
                FastTreeBinaryTrainer Binary(string l) => WithoutInducedGc(context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
                {
                    LabelColumnName = l, FeatureColumnName = features, NumberOfLeaves = I("num_leaves"), LearningRate = p["learning_rate"],
                    NumberOfTrees = I("trees"), MinimumExampleCountPerLeaf = I("min_leaf"), NumberOfThreads = 1, Seed = seed,
                }));
                return task switch
                {
                    TaskKind.Regression => WithoutInducedGc(context.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("num_leaves"), LearningRate = p["learning_rate"],
                        NumberOfTrees = I("trees"), MinimumExampleCountPerLeaf = I("min_leaf"), NumberOfThreads = 1, Seed = seed,
                    })),
                    TaskKind.Binary => Binary(label),
                    _ => context.MulticlassClassification.Trainers.OneVersusAll(Binary(label), labelColumnName: label),
                };
            }
            case FastForest:
            {
                FastForestBinaryTrainer Binary(string l) => WithoutInducedGc(context.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
                {
                    LabelColumnName = l, FeatureColumnName = features, NumberOfTrees = I("trees"), NumberOfLeaves = I("num_leaves"),
                    MinimumExampleCountPerLeaf = I("min_leaf"), FeatureFraction = p["feature_fraction"], NumberOfThreads = 1, Seed = seed,
                }));
                return task switch
                {
                    TaskKind.Regression => WithoutInducedGc(context.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, NumberOfTrees = I("trees"), NumberOfLeaves = I("num_leaves"),
                        MinimumExampleCountPerLeaf = I("min_leaf"), FeatureFraction = p["feature_fraction"], NumberOfThreads = 1, Seed = seed,
                    })),
                    TaskKind.Binary => Binary(label).Append(context.BinaryClassification.Calibrators.Platt(labelColumnName: label)),
                    // One binary forest per class, each calibrated (Platt) so the classes' scores are probabilities.
                    _ => context.MulticlassClassification.Trainers.OneVersusAll(Binary(label), labelColumnName: label,
                        calibrator: context.BinaryClassification.Calibrators.Platt(labelColumnName: label)),
                };
            }
            case Linear:
            {
                var normalize = context.Transforms.NormalizeMeanVariance(features);
                return task switch
                {
                    TaskKind.Regression => normalize.Append(context.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2"), L1Regularization = F("l1"),
                        MaximumNumberOfIterations = I("iterations"), NumberOfThreads = 1, Shuffle = false,
                    })),
                    TaskKind.Binary => normalize.Append(context.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2"), L1Regularization = F("l1"),
                        MaximumNumberOfIterations = I("iterations"), NumberOfThreads = 1,
                    })),
                    _ => normalize.Append(context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
                    {
                        LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2"), L1Regularization = F("l1"),
                        MaximumNumberOfIterations = I("iterations"), NumberOfThreads = 1,
                    })),
                };
            }
            default:
                throw new ArgumentException($"unknown algorithm '{algorithm}'", nameof(algorithm));
        }
    }

    /// <summary>
    /// ML.NET's FastTree and FastForest trainers force two or three full, blocking garbage collections of the whole
    /// process per fit (per class, one-versus-all) to print memory statistics nobody reads: on a server that pauses every
    /// request, and in the profile of a training-heavy run it was a third of all CPU. Their private <c>AllowGC</c> switch
    /// is turned off here (MLModelTests check that the switch is still found, so an ML.NET upgrade that renames it fails a test).
    /// </summary>
    internal static T WithoutInducedGc<T>(T trainer)
        where T : class
    {
        InducedGcSwitch(trainer.GetType())?.SetValue(trainer, false);
        return trainer;
    }

    internal static System.Reflection.FieldInfo? InducedGcSwitch(Type trainer)
    {
        for (var type = trainer; type is not null; type = type.BaseType)
        {
            if (type.GetField("AllowGC", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly) is { } field
                && field.FieldType == typeof(bool))
            {
                return field;
            }
        }
        return null;
    }

    /// <summary>
    /// Fits a model: <c>linear</c> by the exact in-process solvers (<see cref="LinearSolver"/>; a classifier with an L1
    /// penalty by ML.NET's OWL-QN), the others by ML.NET with a fresh seeded context; <paramref name="ct"/> stops either mid-training.
    /// </summary>
    public static Fitted Fit(TaskKind task, string algorithm, IReadOnlyDictionary<string, double> parameters, int seed,
        IReadOnlyList<FeatureRow> rows, int width, int classes, CancellationToken ct)
    {
        if (algorithm == Linear && LinearSolver.Fit(task, parameters, rows, width, classes, ct) is { } linear)
        {
            return new Fitted(null, null, linear);
        }
        try
        {
            var (context, model) = FitOnce(task, algorithm, parameters, seed, rows, width, classes, ct);
            return new Fitted(context, model, null);
        }
        catch (ArgumentNullException ex) when (algorithm == LightGbm && IsSingleLeafTree(ex))
        {
            var (context, model) = FitWithoutSplits(task, parameters, seed, rows, width, classes, ct)
                ?? throw new InvalidOperationException("LightGBM found no split in these features: none of them separates the rows. Try other features or another algorithm.", ex);
            return new Fitted(context, model, null);
        }
    }

    public static Scores Score(Fitted fitted, TaskKind task, IReadOnlyList<FeatureRow> rows, int width, int classes) =>
        fitted.Linear is { } linear
            ? linear.Score(task, rows.Select(r => r.Features).ToList())
            : Score(fitted.Context!, fitted.Model!, task, rows, width, classes);

    private static (MLContext Context, ITransformer Model) FitOnce(TaskKind task, string algorithm, IReadOnlyDictionary<string, double> parameters, int seed,
        IEnumerable<FeatureRow> rows, int width, int classes, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var context = new MLContext(seed);
        using var registration = ct.Register(() => CancelExecution?.Invoke(context, null));
        try
        {
            var data = Load(context, rows, width, classes);
            var model = Estimator(context, task, algorithm, parameters, seed).Fit(data);
            return (context, model);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
    }

    /// <summary>ML.NET's failure to hold a LightGBM tree that has a single leaf (dotnet/machinelearning#5022).</summary>
    private static bool IsSingleLeafTree(ArgumentNullException ex) => ex.ParamName == "items";

    /// <summary>
    /// When not one tree of LightGBM splits, its model is its starting point, a tree of a single leaf, which ML.NET cannot
    /// hold (dotnet/machinelearning#5022): the fit throws although LightGBM made a model. When no leaf could keep min_leaf
    /// rows, it is grown again allowing one row a leaf: any feature that varies then splits. When still no split gains
    /// anything (say each city has exactly the overall share of positives), a binary model is that starting point, the
    /// training rows' share of positives, which is what the prior predicts. The version keeps the parameters it was asked with.
    /// </summary>
    private static (MLContext Context, ITransformer Model)? FitWithoutSplits(TaskKind task, IReadOnlyDictionary<string, double> parameters, int seed,
        IEnumerable<FeatureRow> rows, int width, int classes, CancellationToken ct)
    {
        if (parameters.TryGetValue("min_leaf", out var minLeaf) && minLeaf > 1)
        {
            try
            {
                return FitOnce(task, LightGbm, new Dictionary<string, double>(parameters) { ["min_leaf"] = 1 }, seed, rows, width, classes, ct);
            }
            catch (ArgumentNullException ex) when (IsSingleLeafTree(ex))
            {
                // Nothing splits even one row off: below.
            }
        }
        if (task != TaskKind.Binary)
        {
            return null;
        }
        ct.ThrowIfCancellationRequested();
        var context = new MLContext(seed);
        return (context, context.BinaryClassification.Trainers.Prior(Label(task)).Fit(Load(context, rows, width, classes)));
    }

    /// <summary>Class scores as probabilities: negatives and non-numbers count 0, the rest scaled to sum 1 (uniform if all are 0).</summary>
    public static double[] Normalize(IEnumerable<float> scores)
    {
        var dense = scores.Select(x => double.IsFinite(x) ? Math.Max(0, (double)x) : 0).ToArray();
        var sum = dense.Sum();
        return sum > 0 ? dense.Select(x => x / sum).ToArray() : dense.Select(_ => 1.0 / dense.Length).ToArray();
    }

    public static Scores Score(MLContext context, ITransformer model, TaskKind task, IEnumerable<FeatureRow> rows, int width, int classes)
    {
        var output = model.Transform(Load(context, rows, width, classes));
        switch (task)
        {
            case TaskKind.Regression:
                return new Scores(output.GetColumn<float>("Score").Select(v => (double)v).ToArray(), null);
            case TaskKind.Binary:
                return new Scores(null, output.GetColumn<float>("Probability").Select(v => new[] { 1 - (double)v, v }).ToArray());
            default:
                return new Scores(null, output.GetColumn<VBuffer<float>>("Score").Select(v => Normalize(v.DenseValues())).ToArray());
        }
    }
}
