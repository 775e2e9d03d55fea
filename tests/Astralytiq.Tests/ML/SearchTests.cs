using Astralytiq.Data.Contracts;
using Astralytiq.ML.Training;
using Microsoft.Extensions.Time.Testing;

namespace Astralytiq.Tests.ML;

/// <summary>
/// The <c>auto</c> search's stop rules (trials stopped early when they trail the leader, no gain for a while, the time
/// cap, stopped by hand), the validation sized to the data, and the probability calibration against scikit-learn.
/// </summary>
public sealed class SearchTests
{
    /// <summary>y = 3x + 2z + a city's offset, a little noise; a class label cut from y (three classes) and a yes/no one.</summary>
    private static DatasetTable Table(int rows, int seed = 5, double noise = 0.1)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 10).ToArray();
        var z = Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray();
        var city = Enumerable.Range(0, rows).Select(i => (string?)(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c")).ToArray();
        var y = x.Select((v, i) => (3 * v) + (2 * z[i]) + (city[i] == "a" ? 5 : 0) + (noise * (random.NextDouble() - 0.5))).ToArray();
        // A noisy yes/no: the chance of "yes" rises smoothly with y, so probabilities matter.
        var yes = y.Select(v => (string?)(random.NextDouble() < 1 / (1 + Math.Exp(-(v - 18) / 3)) ? "yes" : "no")).ToArray();
        return new DatasetTable(Guid.Empty, "t", 1, rows, false,
        [
            new TableColumn("x", "decimal", x, null, null), new TableColumn("z", "decimal", z, null, null), new TableColumn("city", "string", null, null, city),
            new TableColumn("y", "decimal", y, null, null), new TableColumn("yes", "string", null, null, yes),
        ]);
    }

    private static TrainingPlan Auto(TaskKind task, string target, int trials, double budgetSeconds = 3600, bool autoValidation = false) =>
        new(task, target, ["x", "z", "city"], "auto", null, trials, TimeSpan.FromSeconds(budgetSeconds), 5, 0.2, 7, AutoValidation: autoValidation);

    private static TrainingResult Train(DatasetTable table, TrainingPlan plan, TimeProvider? time = null, Func<int, int, string, Task>? progress = null) =>
        ModelTrainer.Train(table, plan, progress ?? ((_, _, _) => Task.CompletedTask), time ?? TimeProvider.System, CancellationToken.None);

    [Fact]
    public void A_trial_that_trails_the_leader_is_stopped_after_its_first_folds_and_says_so()
    {
        // An exactly linear target: the linear model leads with R² ≈ 1 and a tiny spread; the tree learners trail it by more.
        var result = Train(Table(400), Auto(TaskKind.Regression, "y", 6));

        var stopped = result.Leaderboard.Where(e => e.Error?.StartsWith("stopped after ", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(stopped);
        Assert.All(stopped, e => Assert.Null(e.Mean));
        Assert.All(stopped, e => Assert.Matches(@"^stopped after [1-4] of 5 folds: r2 -?\d\.\d{4} against the leader's \d\.\d{4} on the same folds$", e.Error));
        Assert.Equal(stopped.Count, result.Metrics.Search!.StoppedEarly);
        Assert.Equal("linear", result.Bundle.Algorithm);
        // The leader is never one that was stopped, and every stopped trial sits below every scored one.
        Assert.NotNull(result.Leaderboard[0].Mean);
        Assert.True(result.Leaderboard.SkipWhile(e => e.Mean is not null).All(e => e.Mean is null));
    }

    [Fact]
    public void The_search_ends_when_it_stops_gaining_beyond_the_folds_noise()
    {
        var result = Train(Table(300), Auto(TaskKind.Regression, "y", 100));

        var search = result.Metrics.Search!;
        Assert.Equal(12, ModelTrainer.Patience(100));
        Assert.Equal("no gain beyond the folds' noise in 12 trials", search.Ended);
        // At least the leader's trial and the 12 after it that did not beat it beyond the noise.
        Assert.InRange(search.Trials, 1 + 12, 99);
        Assert.Equal(search.Trials, search.ChosenTrial + 12);
        Assert.Equal(search.Trials, result.Leaderboard.Count);
        Assert.Equal("cross_validation", search.Validation);
    }

    [Fact]
    public void The_time_cap_ends_the_search_with_room_for_the_final_fit()
    {
        // Each trial takes ten seconds on this clock; a 35-second cap leaves room for three, a fourth starts with 5 s left
        // (a trial here takes far less of real time), and the fifth is never started.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var result = Train(Table(300), Auto(TaskKind.Regression, "y", 50, budgetSeconds: 35) with { OnTrial = _ => clock.Advance(TimeSpan.FromSeconds(10)) }, clock);

        Assert.Equal("the time budget", result.Metrics.Search!.Ended);
        Assert.Equal(4, result.Metrics.Search.Trials);
    }

    [Fact]
    public void Stopping_by_hand_keeps_the_best_configuration_so_far()
    {
        using var finish = new CancellationTokenSource();
        var seen = 0;
        var plan = Auto(TaskKind.Binary, "yes", 50) with
        {
            Finish = finish.Token,
            OnTrial = board =>
            {
                if (++seen == 2)
                {
                    finish.Cancel();
                }
            },
        };
        var result = Train(Table(400), plan);

        Assert.Equal("a stop by hand", result.Metrics.Search!.Ended);
        Assert.Equal(2, result.Metrics.Search.Trials);
        Assert.Equal(result.Leaderboard[0].Algorithm, result.Bundle.Algorithm);
        Assert.Contains(result.Bundle.Algorithm, new[] { "linear", "lightgbm" });
    }

    [Fact]
    public void Without_folds_asked_for_large_data_is_validated_on_one_holdout_and_small_data_by_folds()
    {
        var large = Train(Table(ModelTrainer.HoldoutFromRows * 5 / 4 + 100), Auto(TaskKind.Regression, "y", 1, autoValidation: true) with { Algorithm = "linear" });
        Assert.Equal(1, large.Metrics.CrossValidation!.Folds);

        var searched = Train(Table(ModelTrainer.HoldoutFromRows * 5 / 4 + 100), Auto(TaskKind.Regression, "y", 2, autoValidation: true));
        Assert.Equal("holdout", searched.Metrics.Search!.Validation);

        var small = Train(Table(300), Auto(TaskKind.Regression, "y", 2, autoValidation: true));
        Assert.Equal("cross_validation", small.Metrics.Search!.Validation);
        Assert.Equal(5, small.Metrics.CrossValidation!.Folds);
    }

    [Fact]
    public void A_classifier_s_probabilities_are_calibrated_on_its_validation_folds_and_serving_applies_the_same_map()
    {
        var result = Train(Table(600, seed: 9), Auto(TaskKind.Binary, "yes", 3));

        var calibration = result.Metrics.Calibration!;
        Assert.True(calibration.ValidationLogLossAfter <= calibration.ValidationLogLossBefore);
        Assert.Equal(calibration.Method == "none" ? null : calibration.Method, result.Bundle.Calibration?.Method);
        // The held-out log loss the version reports is that of the probabilities serving gives.
        var table = Table(600, seed: 9);
        var rows = Enumerable.Range(0, 600).Select(r => result.Bundle.Featurizer.Encode(table, r)).ToList();
        var served = result.Bundle.Score(rows).Probabilities!;
        Assert.All(served, p => Assert.Equal(1, p.Sum(), 12));
        Assert.All(served, p => Assert.InRange(p[1], Calibration.Floor - 1e-12, 1 - Calibration.Floor + 1e-12));
    }

    // scikit-learn 1.2.1 on the same 40 probabilities and labels (bench/ml/calibration_reference.py prints these).
    private static readonly double[] P =
    [
        0.694, 0.5163, 0.5891, 0.3818, 0.7453, 0.2825, 0.423, 0.3822, 0.3468, 0.5259, 0.1098, 0.4982, 0.0839, 0.4983, 0.9281, 0.4578, 0.3343, 0.7465,
        0.2898, 0.2225, 0.5681, 0.184, 0.3362, 0.0347, 0.2435, 0.7744, 0.8618, 0.6718, 0.557, 0.2983, 0.5601, 0.2909, 0.4889, 0.521, 0.2083, 0.6899,
        0.7796, 0.3237, 0.6061, 0.1842,
    ];

    private static readonly int[] Y = [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0];

    [Fact]
    public void Platt_scaling_matches_scikit_learn_s_sigmoid_calibration()
    {
        var curve = Calibration.FitPlatt(P, Y.Select(y => y == 1).ToArray());
        // sklearn's _sigmoid_calibration on the logits: p' = 1 / (1 + exp(a·f + b)) with a = -1.22572, b = 0.40805 (BFGS, so 1e-3).
        Assert.Equal(1.2257185763478184, curve.A, 3);
        Assert.Equal(-0.40805176289722944, curve.B, 3);
    }

    [Fact]
    public void Isotonic_calibration_matches_scikit_learn_s_isotonic_regression()
    {
        var curve = Calibration.FitIsotonic(P, Y.Select(y => y == 1).ToArray());
        double[] at = [0.0, 0.05, 0.2, 0.33, 0.5, 0.61, 0.8, 0.97, 1.0];
        double[] sklearn = [0.0, 0.0, 0.0, 0.16666666666666666, 0.35294117647058826, 0.37156415077446514, 1.0, 1.0, 1.0];
        for (var i = 0; i < at.Length; i++)
        {
            Assert.Equal(sklearn[i], curve.Apply(at[i]), 12);
        }
    }

    [Fact]
    public void Overconfident_probabilities_are_pulled_back_and_well_calibrated_ones_left_as_they_are()
    {
        var random = new Random(4);
        var truth = Enumerable.Range(0, 3000).Select(_ => random.NextDouble()).ToArray();
        var labels = truth.Select(t => random.NextDouble() < t ? 1 : 0).ToArray();
        // Overconfident: the logit tripled. Five folds of out-of-fold predictions, as the search hands them over.
        var overconfident = truth.Select(t => Calibration.Sigmoid(3 * Calibration.Logit(t))).ToArray();
        List<(double[][], int[])> Folds(double[] p) => Enumerable.Range(0, 5)
            .Select(f => (p.Where((_, i) => i % 5 == f).Select(x => new[] { 1 - x, x }).ToArray(), labels.Where((_, i) => i % 5 == f).ToArray())).ToList();

        var (fixedMap, before, after) = Calibration.Choose(Folds(overconfident), 2);
        Assert.NotEqual(Calibration.None, fixedMap.Method);
        Assert.True(after < before * 0.9, $"{before} → {after}");
        // The fitted map undoes the tripling: a probability of 0.9 after it is about σ(logit(0.9) / 3) = 0.675.
        Assert.Equal(0.675, fixedMap.Apply([0.1, 0.9])[1], 1);

        var (kept, keptBefore, keptAfter) = Calibration.Choose(Folds(truth), 2);
        Assert.True(keptAfter <= keptBefore);
        Assert.True(keptBefore - keptAfter < 0.01, $"{keptBefore} → {keptAfter} ({kept.Method})");
    }

    [Fact]
    public void A_multiclass_calibration_keeps_probabilities_summing_to_one()
    {
        var random = new Random(8);
        var probabilities = Enumerable.Range(0, 1200).Select(_ =>
        {
            var raw = new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() };
            var sharp = raw.Select(v => Math.Pow(v, 4)).ToArray();
            return sharp.Select(v => v / sharp.Sum()).ToArray();
        }).ToArray();
        var labels = probabilities.Select(p => random.NextDouble() < 0.6 ? ModelTrainer.ArgMax(p) : random.Next(3)).ToArray();
        var folds = Enumerable.Range(0, 4).Select(f => (probabilities.Where((_, i) => i % 4 == f).ToArray(), labels.Where((_, i) => i % 4 == f).ToArray())).ToList();

        var (map, before, after) = Calibration.Choose(folds, 3);
        Assert.True(after <= before);
        Assert.Equal(map.Method == Calibration.None ? 0 : 3, map.Curves.Count);
        Assert.All(probabilities.Take(50).Select(map.Apply), p => Assert.Equal(1, p.Sum(), 12));
    }
}
