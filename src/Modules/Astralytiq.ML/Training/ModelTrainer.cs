namespace Astralytiq.ML.Training;

/// <summary>
/// What to train: validated and with every default filled in. <see cref="TestRows"/> fixes the held-out rows (benchmarks
/// against a given split). <see cref="AutoValidation"/>: the request named no folds, so the validation is sized to the data
/// (k-fold below <see cref="ModelTrainer.HoldoutFromRows"/> training rows, one holdout from there). <see cref="Finish"/>:
/// cancelled when the user asks the search to end now and keep its best configuration. <see cref="OnTrial"/>: the
/// leaderboard so far, after each trial (shown live while the search runs).
/// </summary>
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
    IReadOnlyDictionary<string, (double Min, double Max)>? SearchSpace = null,
    bool AutoValidation = false,
    Action<List<LeaderboardEntryDto>>? OnTrial = null,
    CancellationToken Finish = default);

/// <summary>
/// One configuration's cross-validated score, or why it has none (<see cref="Error"/>: it is then never chosen).
/// <see cref="Pruned"/>: stopped before its last fold because it could not catch the leader. <see cref="FoldSeconds"/>: one fold's fit and score;
/// <see cref="RowSeconds"/>: scoring one row.
/// </summary>
internal sealed record TrialResult(int Trial, string Algorithm, Dictionary<string, double> Parameters, double Mean, double StdDev, double TieBreak, List<double> Values, double Seconds,
    string? Error = null, bool Pruned = false, double FoldSeconds = 0, double RowSeconds = 0)
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

        // The encoded rows of each fold, made once and shared by every trial (a fit reads them, never changes them).
        var foldFit = folds.Select(holdout =>
        {
            var inFold = new HashSet<int>(holdout);
            return train.Where(r => !inFold.Contains(r)).Select(Row).ToList();
        }).ToArray();
        var foldHoldout = folds.Select(holdout => holdout.Select(Row).ToList()).ToArray();
        var foldLabels = folds.Select(holdout => holdout.Select(r => labels[r]).ToArray()).ToArray();
        var parallel = Math.Max(1, Environment.ProcessorCount);
        Scores[]? leaderScores = null;

        // Cross-validates one configuration, the folds side by side a round at a time. After a round, a configuration whose
        // mean on the folds done is below the leader's on the same folds by more than the leader's spread across folds
        // cannot be expected to win: it is stopped there (successive halving on folds) and the search moves on.
        (TrialResult Result, Scores[]? Scores) Evaluate(int trial, string algorithm, Dictionary<string, double> parameters, TrialResult? leader, CancellationToken token)
        {
            var watch = Stopwatch.StartNew();
            var values = new double[folds.Count];
            var ties = new double[folds.Count];
            var scores = new Scores[folds.Count];
            var fitSeconds = new double[folds.Count];
            var rowSeconds = new double[folds.Count];
            var done = 0;
            try
            {
                while (done < folds.Count)
                {
                    var round = Math.Min(parallel, folds.Count - done);
                    var from = done;
                    Parallel.For(from, from + round, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = token }, f =>
                    {
                        var fold = Stopwatch.StartNew();
                        var fitted = Learner.Fit(plan.Task, algorithm, parameters, plan.Seed + f, foldFit[f], featurizer.Width, classCount, token);
                        var scoring = Stopwatch.StartNew();
                        scores[f] = Learner.Score(fitted, plan.Task, foldHoldout[f], featurizer.Width, classCount);
                        rowSeconds[f] = scoring.Elapsed.TotalSeconds / Math.Max(1, foldHoldout[f].Count);
                        (values[f], ties[f]) = Primary(plan.Task, foldLabels[f], scores[f]);
                        fitSeconds[f] = fold.Elapsed.TotalSeconds;
                    });
                    done += round;
                    if (done < folds.Count && leader is { Scored: true } && values.Take(done).All(double.IsFinite))
                    {
                        var mine = values.Take(done).Average();
                        var theirs = leader.Values.Take(done).Average();
                        if (mine < theirs - Math.Max(leader.StdDev, 1e-3))
                        {
                            return (new TrialResult(trial, algorithm, parameters, double.NaN, double.NaN, double.NaN, [], watch.Elapsed.TotalSeconds,
                                $"stopped after {done} of {folds.Count} folds: {PrimaryMetric(plan.Task)} {Format(mine)} against the leader's {Format(theirs)} on the same folds",
                                Pruned: true, FoldSeconds: fitSeconds.Take(done).Average()), null);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // The time budget ran out, or the user asked to finish now: this trial is dropped unfinished.
                return (new TrialResult(trial, algorithm, parameters, double.NaN, double.NaN, double.NaN, [], watch.Elapsed.TotalSeconds, "stopped unfinished", Pruned: true), null);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                // One configuration that cannot be fitted (a learner refusing these rows) is a finding, not the end of the search.
                return (new TrialResult(trial, algorithm, parameters, double.NaN, double.NaN, double.NaN, [], watch.Elapsed.TotalSeconds,
                    "could not be fitted on these rows"), null);
            }
            if (!values.All(double.IsFinite))
            {
                return (new TrialResult(trial, algorithm, parameters, double.NaN, double.NaN, double.NaN, [], watch.Elapsed.TotalSeconds,
                    $"its {PrimaryMetric(plan.Task)} could not be computed on every fold (the fit diverged or a fold's values do not vary)"), null);
            }
            return (new TrialResult(trial, algorithm, parameters, values.Average(), Metrics.StdDev(values), double.IsFinite(ties.Average()) ? ties.Average() : double.MaxValue,
                values.ToList(), watch.Elapsed.TotalSeconds, FoldSeconds: fitSeconds.Average(), RowSeconds: rowSeconds.Average()), scores);
        }

        var (candidates, defaults) = Candidates(plan, random);
        var results = new List<TrialResult>();
        TrialResult? best = null;
        var maxTrials = plan.Parameters is not null ? 1 : plan.MaxTrials;
        var patience = Patience(maxTrials);
        var stale = 0;
        var stopReason = maxTrials == 1 ? null : $"all {maxTrials} trials";
        // Time the end needs: the refit on all training rows (a fold's fit scaled to the larger set) and scoring the test
        // rows, with a quarter to spare, and a twentieth of the budget for the importance (which fits its rows to what is left).
        TimeSpan Reserve() => TimeSpan.FromSeconds(best is null ? 0
            : (1.25 * ((best.FoldSeconds * train.Count / Math.Max(1, foldFit[0].Count)) + (best.RowSeconds * test.Count))) + (0.05 * plan.Budget.TotalSeconds));
        for (var trial = 1; trial <= maxTrials; trial++)
        {
            ct.ThrowIfCancellationRequested();
            if (best is not null && plan.Finish.IsCancellationRequested)
            {
                stopReason = "a stop by hand";
                break;
            }
            var left = plan.Budget - time.GetElapsedTime(started) - Reserve();
            var expected = results.Count == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(results.Where(r => r.Error is null).Select(r => r.Seconds).DefaultIfEmpty(results[^1].Seconds).Average() * 0.5);
            if (best is not null && left < expected)
            {
                stopReason = "the time budget";
                break;
            }
            var (algorithm, parameters) = candidates(trial, results.Where(r => r.Scored).ToList());
            // The first trial always finishes (there must be a model); the others stop where the budget or a stop by hand ends them.
            using var deadline = best is null ? new CancellationTokenSource() : new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
            using var limit = best is null ? CancellationTokenSource.CreateLinkedTokenSource(ct) : CancellationTokenSource.CreateLinkedTokenSource(ct, plan.Finish, deadline.Token);
            var (result, scores) = Evaluate(trial, algorithm, parameters, best, limit.Token);
            ct.ThrowIfCancellationRequested();
            if (result.Error == "stopped unfinished")
            {
                stopReason = plan.Finish.IsCancellationRequested ? "a stop by hand" : "the time budget";
                break;
            }
            results.Add(result);
            // A configuration takes the lead only by a gain beyond the leader's standard error across folds: smaller gains
            // are the folds' noise, and following them trades the defaults (tried first) for a lucky draw that does worse
            // on new rows. Such a gain also resets the patience.
            var significant = result.Scored && (best is null || result.Mean > best.Mean + Math.Max(1e-4, best.StdDev / Math.Sqrt(Math.Max(1, best.Values.Count))));
            if (significant)
            {
                best = result;
                leaderScores = scores;
            }
            stale = significant ? 0 : stale + 1;
            var outcome = result.Scored ? $"{PrimaryMetric(plan.Task)} {Format(result.Mean)} ± {Format(result.StdDev)}" : (result.Pruned ? result.Error! : "not scored: " + result.Error);
            var leading = best is null ? "no score yet" : $"best {Format(best.Mean)}, {best.Algorithm}";
            var remaining = Estimate(results, maxTrials - trial, patience - stale, plan.Budget - time.GetElapsedTime(started));
            plan.OnTrial?.Invoke(Leaderboard(results, plan.Task, best?.Trial));
            progress(trial, maxTrials, $"Trial {trial} of {maxTrials}: {algorithm} {outcome} ({leading}){remaining}").GetAwaiter().GetResult();
            if (best is not null && trial >= defaults && stale >= patience && trial < maxTrials)
            {
                stopReason = $"no gain beyond the folds' noise in {patience} trials";
                break;
            }
        }
        var chosen = best ?? throw new TrainingDataException(
            "no configuration could be scored on these rows: " + string.Join("; ", results.Select(r => r.Algorithm + " " + r.Error).Distinct(StringComparer.Ordinal)));
        ct.ThrowIfCancellationRequested();
        progress(maxTrials, maxTrials, $"Fitting {chosen.Algorithm} on all {train.Count:N0} training rows").GetAwaiter().GetResult();
        var final = Learner.Fit(plan.Task, chosen.Algorithm, chosen.Parameters, plan.Seed, train.Select(Row).ToList(), featurizer.Width, classCount, ct);
        var testScores = Learner.Score(final, plan.Task, test.Select(Row).ToList(), featurizer.Width, classCount);
        var testLabels = test.Select(r => labels[r]).ToArray();
        // Classifiers: the probabilities calibrated on the chosen configuration's out-of-fold predictions (ADR 0041).
        Calibration? calibration = null;
        CalibrationDto? calibrationDto = null;
        if (plan.Task != TaskKind.Regression && leaderScores is not null)
        {
            var oof = folds.Select((_, f) => (leaderScores[f].Probabilities!, foldLabels[f].Select(l => (int)l).ToArray())).ToList();
            var (map, before, after) = Calibration.Choose(oof, classCount);
            calibration = map;
            calibrationDto = new CalibrationDto(map.Method, before, after);
            testScores = new Scores(null, testScores.Probabilities!.Select(map.Apply).ToArray());
        }
        var halfWidth = plan.Task == TaskKind.Regression ? ConformalHalfWidth(testLabels, testScores.Values!) : 0;
        var backgroundIndexes = train.ToArray();
        new Random(plan.Seed + 7919).Shuffle(backgroundIndexes);
        var bundle = new ModelBundle
        {
            Task = plan.Task, Featurizer = featurizer, Classes = classes, Target = plan.Target, Algorithm = chosen.Algorithm,
            Parameters = chosen.Parameters, IntervalHalfWidth = halfWidth, Calibration = calibration is { Method: not Calibration.None } ? calibration : null,
            Background = backgroundIndexes.Take(BackgroundRows).Select(r => encoded[r]).ToArray(), Context = final.Context, Model = final.Model, Linear = final.Linear,
        };
        progress(maxTrials, maxTrials, "Measuring feature importance").GetAwaiter().GetResult();
        // Importance on the held-out rows (the training rows when fewer than 20 are held out): a seeded sample of at most
        // ImportanceRows, fewer for wide data so that rows × features × repeats stays near ImportanceScorings (at least 200 rows).
        var importanceSource = (test.Count >= 20 ? test : train).ToArray();
        var importanceCap = ImportanceCap(featurizer.Specs.Count);
        if (maxTrials > 1 && importanceSource.Length > 100)
        {
            // Within the time budget: the model's cost a row, measured on a sample, sets how many rows the time left allows (100 at least).
            var sample = importanceSource.Take(Math.Min(importanceSource.Length, 200)).Select(r => encoded[r]).ToList();
            var scoring = Stopwatch.StartNew();
            bundle.Score(sample);
            var perRow = scoring.Elapsed.TotalSeconds / sample.Count * ((Explainer.Repeats * featurizer.Specs.Count) + 1);
            var timeLeft = (plan.Budget - time.GetElapsedTime(started)).TotalSeconds;
            if (perRow > 0 && timeLeft / perRow < importanceCap)
            {
                importanceCap = Math.Max(100, (int)(timeLeft / perRow));
            }
        }
        if (importanceSource.Length > importanceCap)
        {
            new Random(plan.Seed + 104729).Shuffle(importanceSource);
            importanceSource = importanceSource[..importanceCap];
        }
        var importanceRows = importanceSource.Select(r => encoded[r]).ToList();
        var importanceLabels = importanceSource.Select(r => labels[r]).ToArray();
        var importance = Explainer.PermutationImportance(bundle, importanceRows, s => Primary(plan.Task, importanceLabels, s).Value, plan.Seed)
            .Select((x, i) => new FeatureImportanceDto(featurizer.Specs[i].Name, x.Mean, x.StdDev))
            .OrderByDescending(x => x.Importance).ThenBy(x => x.Feature, StringComparer.Ordinal).ToList();
        var metrics = Measure(plan.Task, testLabels, testScores, classes, train.Count) with
        {
            IntervalHalfWidth = plan.Task == TaskKind.Regression ? halfWidth : null,
            CrossValidation = new CrossValidationDto(PrimaryMetric(plan.Task), folds.Count, chosen.Mean, chosen.StdDev, chosen.Values),
            Calibration = calibrationDto,
            Search = maxTrials == 1 ? null : new SearchDto(results.Count, results.Count(r => r.Pruned), stopReason ?? $"all {maxTrials} trials",
                folds.Count == 1 ? "holdout" : "cross_validation", chosen.Trial),
        };
        var leaderboard = Leaderboard(results, plan.Task, chosen.Trial);
        return new TrainingResult(bundle, metrics, leaderboard, importance, chosen.Parameters);
    }

    /// <summary>
    /// The trial kept first (the leader: a later trial takes the lead only by a gain beyond the folds' noise, so a slightly
    /// higher mean may sit below it), then the other scored trials best first, then the ones stopped early or not scored, with the reason.
    /// </summary>
    internal static List<LeaderboardEntryDto> Leaderboard(IEnumerable<TrialResult> results, TaskKind task, int? chosen) =>
        results.OrderByDescending(r => r.Trial == chosen).ThenByDescending(r => r.Scored).ThenByDescending(r => r.Scored ? r.Mean : 0).ThenBy(r => r.TieBreak).ThenBy(r => r.Trial)
            .Select(r => new LeaderboardEntryDto(r.Trial, r.Algorithm, r.Parameters, PrimaryMetric(task),
                r.Scored ? r.Mean : null, r.Scored ? r.StdDev : null, Math.Round(r.Seconds, 3), r.Error)).ToList();

    private static string Format(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);


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
        if (plan.AutoValidation && train.Count >= HoldoutFromRows)
        {
            // Large data: one holdout of a fifth of the training rows (stratified), enough rows to compare on and a fifth of the fits.
            var (_, holdout) = Split(train, labels, plan with { TestFraction = 0.2 }, random);
            return [holdout];
        }
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

    /// <summary>
    /// The configurations in the order they are tried, and how many come first as they are. <c>auto</c>: the defaults of
    /// the fast, strong learners first (a regularized linear model, LightGBM, a random forest), then seeded random
    /// configurations favouring the two best algorithms so far. FastTree, a slower gradient-boosting twin of LightGBM,
    /// is left out of <c>auto</c> (it can be asked for by name).
    /// </summary>
    private static (Func<int, List<TrialResult>, (string, Dictionary<string, double>)> Next, int Defaults) Candidates(TrainingPlan plan, Random random)
    {
        if (plan.Parameters is { } given)
        {
            var parameters = Learner.Defaults(plan.Algorithm);
            foreach (var (k, v) in given)
            {
                parameters[k] = v;
            }
            return ((_, _) => (plan.Algorithm, parameters), 1);
        }
        var algorithms = plan.Algorithm == "auto" ? AutoAlgorithms : [plan.Algorithm];
        if (plan.SearchSpace is { } space)
        {
            // A named algorithm searched within the ranges given: its defaults (moved into them) first, then samples.
            return ((trial, _) => trial == 1
                ? (plan.Algorithm, Learner.Defaults(plan.Algorithm).ToDictionary(p => p.Key, p => space.TryGetValue(p.Key, out var r) ? Math.Clamp(p.Value, r.Min, r.Max) : p.Value))
                : (plan.Algorithm, Learner.Sample(plan.Algorithm, random, space)), 1);
        }
        return ((trial, results) =>
        {
            if (trial <= algorithms.Length)
            {
                return (algorithms[trial - 1], Learner.Defaults(algorithms[trial - 1]));
            }
            // Favour the two best algorithms so far (three draws in four), but keep exploring the rest.
            var ranked = results.GroupBy(r => r.Algorithm).Select(g => (Algorithm: g.Key, Best: g.Max(r => r.Mean)))
                .OrderByDescending(x => x.Best).ThenBy(x => x.Algorithm, StringComparer.Ordinal).Select(x => x.Algorithm).ToList();
            if (ranked.Count == 0)
            {
                ranked = [.. algorithms];
            }
            var pool = random.NextDouble() < 0.75 ? ranked.Take(2).ToList() : ranked;
            var algorithm = pool[random.Next(pool.Count)];
            // Half the draws search near the algorithm's best configuration so far, half anywhere in its space.
            var near = results.Where(r => r.Algorithm == algorithm).OrderByDescending(r => r.Mean).FirstOrDefault();
            return near is not null && random.NextDouble() < 0.5
                ? (algorithm, Learner.Perturb(algorithm, near.Parameters, random))
                : (algorithm, Learner.Sample(algorithm, random));
        }, algorithms.Length);
    }

    /// <summary>The algorithms <c>auto</c> searches, cheapest first so the slower ones meet a leader and stop early when they trail it.</summary>
    public static readonly string[] AutoAlgorithms = [Learner.Linear, Learner.LightGbm, Learner.FastForest];

    /// <summary>Training rows from which a request without folds is validated on one holdout (a fifth of them) instead of k folds.</summary>
    public const int HoldoutFromRows = 20_000;

    /// <summary>Permutation importance is measured on at most this many held-out rows (a seeded sample).</summary>
    public const int ImportanceRows = 2_000;

    /// <summary>Row scorings permutation importance may spend (rows × features × repeats); wide data gets fewer rows.</summary>
    public const int ImportanceScorings = 60_000;

    /// <summary>Held-out rows permutation importance is measured on: at most ImportanceRows, fewer for wide data, at least 200.</summary>
    private static int ImportanceCap(int features) => Math.Clamp(ImportanceScorings / (Explainer.Repeats * Math.Max(1, features)), 200, ImportanceRows);

    /// <summary>
    /// After the defaults, the search ends when this many trials in a row gained nothing beyond the leader's standard
    /// error across folds: an eighth of the trials allowed, at least 3.
    /// </summary>
    public static int Patience(int maxTrials) => Math.Max(3, maxTrials / 8);

    /// <summary>The time left, said when it can be estimated: the likely trials (until the patience runs out) at the mean trial time so far.</summary>
    private static string Estimate(List<TrialResult> results, int trialsLeft, int patienceLeft, TimeSpan budgetLeft)
    {
        var timed = results.Where(r => r.Error is null || r.Pruned).Select(r => r.Seconds).ToList();
        if (timed.Count == 0 || trialsLeft <= 0)
        {
            return string.Empty;
        }
        var seconds = Math.Min(Math.Min(trialsLeft, Math.Max(1, patienceLeft)) * timed.Average(), Math.Max(0, budgetLeft.TotalSeconds));
        return seconds < 1 ? "; about a second left" : seconds < 90
            ? $"; about {Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture)} s left"
            : $"; about {Math.Ceiling(seconds / 60).ToString(CultureInfo.InvariantCulture)} min left";
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
