namespace Astralytiq.ML.Training;

/// <summary>What to train: validated and with every default filled in. <see cref="TestRows"/> fixes the held-out rows (benchmarks against a given split).</summary>
internal sealed record TrainingPlan(
    TaskKind Task,
    string Target,
    IReadOnlyList<string> Features,
    string Algorithm,
    IReadOnlyDictionary<string, double>? Parameters,
    int MaxTrials,
    TimeSpan Budget,
    int Folds,
    double TestFraction,
    int Seed,
    IReadOnlyCollection<int>? TestRows = null,
    IReadOnlyDictionary<string, (double Min, double Max)>? SearchSpace = null);

/// <summary>One configuration's cross-validated score, or why it has none (<see cref="Error"/>: it is then never chosen).</summary>
internal sealed record TrialResult(int Trial, string Algorithm, Dictionary<string, double> Parameters, double Mean, double StdDev, double TieBreak, List<double> Values, double Seconds, string? Error = null)
{
    public bool Scored => Error is null;
}

internal sealed record TrainingResult(ModelBundle Bundle, ModelMetricsDto Metrics, List<LeaderboardEntryDto> Leaderboard, List<FeatureImportanceDto> Importance, Dictionary<string, double> Parameters);

/// <summary>Thrown when the data cannot train the requested model (too few rows, a constant target): the job fails with this message.</summary>
internal sealed class TrainingDataException(string message) : Exception(message);

/// <summary>
/// Trains one model version: splits off the held-out test rows (seeded, stratified for classification), fits the
/// featurizer on the training rows, scores each candidate configuration by k-fold cross-validation on them
/// (the folds in parallel), refits the best on all training rows and measures it on the test rows.
/// <c>auto</c> tries every algorithm's defaults first, then seeded random configurations, favouring the two best
/// algorithms so far, until <see cref="TrainingPlan.MaxTrials"/> or the time budget.
/// </summary>
internal static class ModelTrainer
{
    public const int BackgroundRows = 64;

    public static string PrimaryMetric(TaskKind task) => task switch
    {
        TaskKind.Regression => "r2",
        TaskKind.Binary => "roc_auc",
        _ => "accuracy",
    };

    public static TrainingResult Train(DatasetTable table, TrainingPlan plan, Func<int, int, string, Task> progress, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var (rows, labels, classes) = Labels(table, plan);
        if (rows.Count < Math.Max(10, 2 * plan.Folds))
        {
            throw new TrainingDataException($"too few rows to train: {rows.Count} with a value of '{plan.Target}' (at least {Math.Max(10, 2 * plan.Folds)} are needed)");
        }
        var random = new Random(plan.Seed);
        var (train, test) = plan.TestRows is { } fixedTest
            ? (rows.Where(r => !fixedTest.Contains(r)).ToList(), rows.Where(fixedTest.Contains).ToList())
            : Split(rows, labels, plan, random);
        var featurizer = Featurizer.Fit(table, plan.Features, train);
        var encoded = new Dictionary<int, float[]>(rows.Count);
        foreach (var r in rows)
        {
            encoded[r] = featurizer.Encode(table, r);
        }
        var folds = Folds(train, labels, plan, random);
        var classCount = Math.Max(2, classes.Count);

        FeatureRow Row(int r) => new() { Features = encoded[r], Value = Featurizer.ToFloat(labels[r]), Flag = labels[r] > 0.5, Class = (uint)labels[r] };

        TrialResult Evaluate(int trial, string algorithm, Dictionary<string, double> parameters)
        {
            var watch = Stopwatch.StartNew();
            var values = new double[folds.Count];
            var ties = new double[folds.Count];
            try
            {
                Parallel.For(0, folds.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = ct }, f =>
                {
                    var holdout = folds[f];
                    var inFold = new HashSet<int>(holdout);
                    var fit = train.Where(r => !inFold.Contains(r)).Select(Row).ToList();
                    var (context, model) = Learner.Fit(plan.Task, algorithm, parameters, plan.Seed + f, fit, featurizer.Width, classCount, ct);
                    var scores = Learner.Score(context, model, plan.Task, holdout.Select(Row), featurizer.Width, classCount);
                    (values[f], ties[f]) = Primary(plan.Task, holdout.Select(r => labels[r]).ToArray(), scores);
                });
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                // One configuration that cannot be fitted (a learner refusing these rows) is a finding, not the end of the search.
                return new TrialResult(trial, algorithm, parameters, double.NaN, double.NaN, double.NaN, [], watch.Elapsed.TotalSeconds,
                    "could not be fitted on these rows");
            }
            if (!values.All(double.IsFinite))
            {
                return new TrialResult(trial, algorithm, parameters, double.NaN, double.NaN, double.NaN, [], watch.Elapsed.TotalSeconds,
                    $"its {PrimaryMetric(plan.Task)} could not be computed on every fold (the fit diverged or a fold's values do not vary)");
            }
            return new TrialResult(trial, algorithm, parameters, values.Average(), Metrics.StdDev(values), double.IsFinite(ties.Average()) ? ties.Average() : double.MaxValue,
                values.ToList(), watch.Elapsed.TotalSeconds);
        }

        var candidates = Candidates(plan, random);
        var results = new List<TrialResult>();
        TrialResult? best = null;
        var maxTrials = plan.Parameters is not null ? 1 : plan.MaxTrials;
        for (var trial = 1; trial <= maxTrials; trial++)
        {
            ct.ThrowIfCancellationRequested();
            var elapsed = time.GetElapsedTime(started);
            var last = results.Count == 0 ? 0 : results[^1].Seconds;
            if (results.Count > 0 && elapsed + TimeSpan.FromSeconds(last) > plan.Budget)
            {
                break;
            }
            var (algorithm, parameters) = candidates(trial, results.Where(r => r.Scored).ToList());
            var result = Evaluate(trial, algorithm, parameters);
            results.Add(result);
            if (result.Scored && (best is null || Better(result, best)))
            {
                best = result;
            }
            var outcome = result.Scored ? $"{PrimaryMetric(plan.Task)} {Format(result.Mean)} ± {Format(result.StdDev)}" : "not scored: " + result.Error;
            var leader = best is null ? "no score yet" : $"best {Format(best.Mean)}, {best.Algorithm}";
            progress(trial, maxTrials, $"Trial {trial} of {maxTrials}: {algorithm} {outcome} ({leader})").GetAwaiter().GetResult();
        }
        var chosen = best ?? throw new TrainingDataException(
            "no configuration could be scored on these rows: " + string.Join("; ", results.Select(r => r.Algorithm + " " + r.Error).Distinct(StringComparer.Ordinal)));
        ct.ThrowIfCancellationRequested();
        progress(maxTrials, maxTrials, $"Fitting {chosen.Algorithm} on all {train.Count:N0} training rows").GetAwaiter().GetResult();
        var (finalContext, finalModel) = Learner.Fit(plan.Task, chosen.Algorithm, chosen.Parameters, plan.Seed, train.Select(Row).ToList(), featurizer.Width, classCount, ct);
        var testScores = Learner.Score(finalContext, finalModel, plan.Task, test.Select(Row), featurizer.Width, classCount);
        var testLabels = test.Select(r => labels[r]).ToArray();
        var halfWidth = plan.Task == TaskKind.Regression ? ConformalHalfWidth(testLabels, testScores.Values!) : 0;
        var backgroundIndexes = train.ToArray();
        new Random(plan.Seed + 7919).Shuffle(backgroundIndexes);
        var bundle = new ModelBundle
        {
            Task = plan.Task, Featurizer = featurizer, Classes = classes, Target = plan.Target, Algorithm = chosen.Algorithm,
            Parameters = chosen.Parameters, IntervalHalfWidth = halfWidth,
            Background = backgroundIndexes.Take(BackgroundRows).Select(r => encoded[r]).ToArray(), Context = finalContext, Model = finalModel,
        };
        progress(maxTrials, maxTrials, "Measuring feature importance").GetAwaiter().GetResult();
        var importanceRows = (test.Count >= 20 ? test : train).Select(r => encoded[r]).ToList();
        var importanceLabels = (test.Count >= 20 ? test : train).Select(r => labels[r]).ToArray();
        var importance = Explainer.PermutationImportance(bundle, importanceRows, s => Primary(plan.Task, importanceLabels, s).Value, plan.Seed)
            .Select((x, i) => new FeatureImportanceDto(featurizer.Specs[i].Name, x.Mean, x.StdDev))
            .OrderByDescending(x => x.Importance).ThenBy(x => x.Feature, StringComparer.Ordinal).ToList();
        var metrics = Measure(plan.Task, testLabels, testScores, classes, train.Count) with
        {
            IntervalHalfWidth = plan.Task == TaskKind.Regression ? halfWidth : null,
            CrossValidation = new CrossValidationDto(PrimaryMetric(plan.Task), folds.Count, chosen.Mean, chosen.StdDev, chosen.Values),
        };
        // Scored trials best first, then the ones that could not be scored, with the reason.
        var leaderboard = results.OrderByDescending(r => r.Scored).ThenByDescending(r => r.Scored ? r.Mean : 0).ThenBy(r => r.TieBreak).ThenBy(r => r.Trial)
            .Select(r => new LeaderboardEntryDto(r.Trial, r.Algorithm, r.Parameters, PrimaryMetric(plan.Task),
                r.Scored ? r.Mean : null, r.Scored ? r.StdDev : null, Math.Round(r.Seconds, 3), r.Error)).ToList();
        return new TrainingResult(bundle, metrics, leaderboard, importance, chosen.Parameters);
    }

    private static string Format(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Higher primary metric wins; on a tie the lower tie-break (log loss, or RMSE for regression); then the earlier trial.</summary>
    private static bool Better(TrialResult a, TrialResult b) => a.Mean > b.Mean + 1e-12 || (Math.Abs(a.Mean - b.Mean) <= 1e-12 && a.TieBreak < b.TieBreak - 1e-12);

    /// <summary>The rows with a target value, their labels (the value, or the class index), and the classes in order.</summary>
    internal static (List<int> Rows, double[] Labels, List<string> Classes) Labels(DatasetTable table, TrainingPlan plan)
    {
        var column = table.Column(plan.Target)!;
        var labels = new double[table.RowCount];
        var rows = new List<int>(table.RowCount);
        if (plan.Task == TaskKind.Regression)
        {
            for (var i = 0; i < table.RowCount; i++)
            {
                if (!double.IsNaN(column.Numbers![i]))
                {
                    rows.Add(i);
                    labels[i] = column.Numbers[i];
                }
            }
            if (rows.Count > 0 && rows.All(r => labels[r] == labels[rows[0]]))
            {
                throw new TrainingDataException($"'{plan.Target}' has the same value in every row: there is nothing to learn");
            }
            return (rows, labels, []);
        }
        var texts = new string?[table.RowCount];
        for (var i = 0; i < table.RowCount; i++)
        {
            texts[i] = ClassText(column, i);
        }
        var distinct = texts.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var classes = column.IsNumeric && column.Type != "boolean"
            ? distinct.OrderBy(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList()
            : distinct.OrderBy(t => t, StringComparer.Ordinal).ToList();
        if (classes.Count < 2)
        {
            throw new TrainingDataException($"'{plan.Target}' has {(classes.Count == 0 ? "no values" : "a single class")}: classification needs at least two");
        }
        if (plan.Task == TaskKind.Binary && classes.Count > 2)
        {
            throw new TrainingDataException($"'{plan.Target}' has {classes.Count} classes; binary classification needs exactly two (use multiclass_classification)");
        }
        if (classes.Count > 100)
        {
            throw new TrainingDataException($"'{plan.Target}' has {classes.Count} classes; at most 100 are supported");
        }
        var index = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        for (var i = 0; i < table.RowCount; i++)
        {
            if (texts[i] is { } t)
            {
                rows.Add(i);
                labels[i] = index[t];
            }
        }
        return (rows, labels, classes);
    }

    internal static string? ClassText(TableColumn column, int row)
    {
        if (column.IsNumeric)
        {
            var v = column.Numbers![row];
            return double.IsNaN(v) ? null : column.Type == "boolean" ? (v != 0 ? "true" : "false") : v.ToString("R", CultureInfo.InvariantCulture);
        }
        return column.IsTemporal ? column.Times![row]?.ToString("O", CultureInfo.InvariantCulture) : column.Texts![row];
    }

    /// <summary>
    /// The held-out rows a training with <paramref name="plan"/> on <paramref name="table"/> measured itself on (the same
    /// seeded split), with the labels and classes: a retrained challenger and its champion are compared on them.
    /// </summary>
    internal static (List<int> Test, double[] Labels, List<string> Classes) HeldOut(DatasetTable table, TrainingPlan plan)
    {
        var (rows, labels, classes) = Labels(table, plan);
        var test = plan.TestRows is { } fixedTest ? rows.Where(fixedTest.Contains).ToList() : Split(rows, labels, plan, new Random(plan.Seed)).Test;
        return (test, labels, classes);
    }

    /// <summary>Held-out split; classification keeps each class's share on both sides.</summary>
    private static (List<int> Train, List<int> Test) Split(List<int> rows, double[] labels, TrainingPlan plan, Random random)
    {
        var groups = plan.Task == TaskKind.Regression ? [rows.ToArray()] : rows.GroupBy(r => labels[r]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList();
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in groups)
        {
            random.Shuffle(group);
            var n = (int)Math.Round(group.Length * plan.TestFraction);
            if (group.Length >= 2)
            {
                n = Math.Clamp(n, 1, group.Length - 1);
            }
            test.AddRange(group.Take(n));
            train.AddRange(group.Skip(n));
        }
        train.Sort();
        test.Sort();
        return (train, test);
    }

    /// <summary>k folds of the training rows; classification deals each class's rows round-robin so every fold keeps its share.</summary>
    private static List<List<int>> Folds(List<int> train, double[] labels, TrainingPlan plan, Random random)
    {
        var folds = Enumerable.Range(0, plan.Folds).Select(_ => new List<int>()).ToList();
        var groups = plan.Task == TaskKind.Regression ? [train.ToArray()] : train.GroupBy(r => labels[r]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList();
        var next = 0;
        foreach (var group in groups)
        {
            random.Shuffle(group);
            foreach (var r in group)
            {
                folds[next++ % plan.Folds].Add(r);
            }
        }
        return folds.Where(f => f.Count > 0).ToList();
    }

    private static Func<int, List<TrialResult>, (string, Dictionary<string, double>)> Candidates(TrainingPlan plan, Random random)
    {
        if (plan.Parameters is { } given)
        {
            var parameters = Learner.Defaults(plan.Algorithm);
            foreach (var (k, v) in given)
            {
                parameters[k] = v;
            }
            return (_, _) => (plan.Algorithm, parameters);
        }
        var algorithms = plan.Algorithm == "auto" ? Learner.Algorithms : [plan.Algorithm];
        if (plan.SearchSpace is { } space)
        {
            // A named algorithm searched within the ranges given: its defaults (moved into them) first, then samples.
            return (trial, _) => trial == 1
                ? (plan.Algorithm, Learner.Defaults(plan.Algorithm).ToDictionary(p => p.Key, p => space.TryGetValue(p.Key, out var r) ? Math.Clamp(p.Value, r.Min, r.Max) : p.Value))
                : (plan.Algorithm, Learner.Sample(plan.Algorithm, random, space));
        }
        return (trial, results) =>
        {
            if (trial <= algorithms.Length)
            {
                return (algorithms[trial - 1], Learner.Defaults(algorithms[trial - 1]));
            }
            // Favour the two best algorithms so far (three draws in four), but keep exploring the rest.
            var ranked = results.GroupBy(r => r.Algorithm).Select(g => (Algorithm: g.Key, Best: g.Max(r => r.Mean)))
                .OrderByDescending(x => x.Best).ThenBy(x => x.Algorithm, StringComparer.Ordinal).Select(x => x.Algorithm).ToList();
            var pool = random.NextDouble() < 0.75 ? ranked.Take(2).ToList() : ranked;
            var algorithm = pool[random.Next(pool.Count)];
            return (algorithm, Learner.Sample(algorithm, random));
        };
    }

    /// <summary>The primary metric of some scores (higher is better) and the tie-break (lower is better).</summary>
    internal static (double Value, double TieBreak) Primary(TaskKind task, double[] labels, Scores scores)
    {
        switch (task)
        {
            case TaskKind.Regression:
                return (Metrics.R2(labels, scores.Values!), Metrics.Rmse(labels, scores.Values!));
            case TaskKind.Binary:
            {
                var positive = labels.Select(l => l > 0.5).ToArray();
                var p = scores.Probabilities!.Select(x => x[1]).ToArray();
                var classes = labels.Select(l => (int)l).ToArray();
                var predicted = p.Select(x => x >= 0.5 ? 1 : 0).ToArray();
                return (Metrics.RocAuc(positive, p) ?? Metrics.Accuracy(classes, predicted), Metrics.LogLoss(classes, scores.Probabilities!));
            }
            default:
            {
                var classes = labels.Select(l => (int)l).ToArray();
                var predicted = scores.Probabilities!.Select(ArgMax).ToArray();
                return (Metrics.Accuracy(classes, predicted), Metrics.LogLoss(classes, scores.Probabilities!));
            }
        }
    }

    public static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>Every metric of the task on held-out rows.</summary>
    internal static ModelMetricsDto Measure(TaskKind task, double[] labels, Scores scores, IReadOnlyList<string> classes, int trainRows)
    {
        var primary = Primary(task, labels, scores).Value;
        if (!double.IsFinite(primary))
        {
            throw new TrainingDataException($"{PrimaryMetric(task)} cannot be measured on the {labels.Length:N0} held-out rows (their values do not vary); train on more rows or with a larger test fraction");
        }
        if (task == TaskKind.Regression)
        {
            var predicted = scores.Values!;
            var residuals = labels.Select((a, i) => new ResidualPointDto(a, predicted[i])).Take(500).ToList();
            return new ModelMetricsDto("regression", "r2", primary, trainRows, labels.Length,
                R2: Finite(Metrics.R2(labels, predicted)), Rmse: Finite(Metrics.Rmse(labels, predicted)), Mae: Finite(Metrics.Mae(labels, predicted)),
                Mape: Finite(Metrics.Mape(labels, predicted)), Residuals: residuals);
        }
        var actual = labels.Select(l => (int)l).ToArray();
        var probabilities = scores.Probabilities!;
        var predictedClass = probabilities.Select(ArgMax).ToArray();
        var confusion = Metrics.Confusion(actual, predictedClass, Math.Max(2, classes.Count));
        var (pMacro, rMacro, fMacro, pMicro, rMicro, fMicro) = Metrics.PrecisionRecallF1(confusion);
        double? auc;
        double? prAuc = null;
        List<RocPointDto>? roc = null;
        if (task == TaskKind.Binary)
        {
            var positive = actual.Select(a => a == 1).ToArray();
            var p = probabilities.Select(x => x[1]).ToArray();
            auc = Metrics.RocAuc(positive, p);
            prAuc = Metrics.AveragePrecision(positive, p);
            roc = Metrics.RocCurve(positive, p);
        }
        else
        {
            auc = Metrics.MacroRocAuc(actual, probabilities, classes.Count);
        }
        return new ModelMetricsDto(task == TaskKind.Binary ? "binary_classification" : "multiclass_classification", PrimaryMetric(task), primary, trainRows, labels.Length,
            Accuracy: Metrics.Accuracy(actual, predictedClass), PrecisionMacro: pMacro, RecallMacro: rMacro, F1Macro: fMacro,
            PrecisionMicro: pMicro, RecallMicro: rMicro, F1Micro: fMicro, RocAuc: Finite(auc), PrAuc: Finite(prAuc), LogLoss: Finite(Metrics.LogLoss(actual, probabilities)),
            Classes: classes.ToList(), ConfusionMatrix: confusion.Select(r => (IReadOnlyList<long>)r).ToList(), RocCurve: roc);
    }

    /// <summary>A metric that has no value on these rows (a division by zero, say) is absent, not NaN: JSON has no NaN.</summary>
    internal static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>Split-conformal: the ⌈(n+1)·0.9⌉-th smallest absolute held-out residual, so about 90 % of new values fall within ± it.</summary>
    internal static double ConformalHalfWidth(double[] actual, double[] predicted)
    {
        var residuals = actual.Select((a, i) => Math.Abs(a - predicted[i])).Order().ToArray();
        if (residuals.Length == 0)
        {
            return 0;
        }
        var k = (int)Math.Ceiling((residuals.Length + 1) * 0.9);
        return residuals[Math.Min(residuals.Length, k) - 1];
    }
}
