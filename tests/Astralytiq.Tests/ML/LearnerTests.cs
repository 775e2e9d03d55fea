using Astralytiq.ML.Training;

namespace Astralytiq.Tests.ML;

public sealed class LearnerTests
{
    /// <summary>
    /// LightGBM grows no split when no leaf can keep its minimum number of rows (30 rows, 20 a leaf): ML.NET cannot hold
    /// split-less trees and used to fail the training (seen once in P19 on CI). The learner grows the trees again with one
    /// row a leaf allowed, and the model predicts.
    /// </summary>
    [Theory]
    [InlineData("binary")]
    [InlineData("regression")]
    [InlineData("multiclass")]
    public void LightGbm_on_too_few_rows_for_its_leaf_size_still_gives_a_model(string kind)
    {
        var task = kind switch { "binary" => TaskKind.Binary, "regression" => TaskKind.Regression, _ => TaskKind.Multiclass };
        var random = new Random(11);
        var rows = Enumerable.Range(0, 30).Select(i => new FeatureRow
        {
            Features = [(float)random.NextDouble()], Flag = i % 2 == 0, Value = i, Class = (uint)(i % 3),
        }).ToList();
        var parameters = Learner.Defaults("lightgbm");
        parameters["min_leaf"] = 20;
        var fitted = Learner.Fit(task, "lightgbm", parameters, 7, rows, 1, task == TaskKind.Multiclass ? 3 : 2, CancellationToken.None);
        var scores = Learner.Score(fitted, task, rows, 1, task == TaskKind.Multiclass ? 3 : 2);
        Assert.NotNull(scores);
    }

    /// <summary>
    /// Three groups with exactly the same share of positives (4 of 8 each): no split of any tree gains anything.
    /// LightGBM's model is then its starting point, the share of positives; ML.NET cannot hold the split-less tree, and
    /// the training failed (P19 on CI, about one run in eight, a cross-validation fold of one feature). The learner
    /// answers with the prior: every row scores the training share, whatever its group.
    /// </summary>
    [Fact]
    public void LightGbm_binary_on_features_that_separate_nothing_predicts_the_share_of_positives()
    {
        var rows = Enumerable.Range(0, 24).Select(i => new FeatureRow
        {
            Features = [i % 3 == 0 ? 1 : 0, i % 3 == 1 ? 1 : 0, i % 3 == 2 ? 1 : 0], Flag = i / 3 % 2 == 0,
        }).ToList();
        Assert.All(Enumerable.Range(0, 3), g => Assert.Equal(4, rows.Where((_, i) => i % 3 == g).Count(r => r.Flag)));

        var fitted = Learner.Fit(TaskKind.Binary, "lightgbm", Learner.Defaults("lightgbm"), 3, rows, 3, 2, CancellationToken.None);
        var scores = Learner.Score(fitted, TaskKind.Binary, rows, 3, 2);

        Assert.All(scores.Probabilities!, p => Assert.Equal(0.5, p[1], 6));
    }
}

public sealed class InducedGcTests
{
    /// <summary>
    /// FastTree and FastForest would force full collections of the server's heap on every fit; the learner turns their
    /// switch off. An ML.NET upgrade that renames the switch fails here rather than pausing servers again unnoticed.
    /// </summary>
    [Theory]
    [InlineData("fast_tree")]
    [InlineData("fast_forest")]
    public void Tree_trainers_are_built_without_induced_collections(string algorithm)
    {
        var context = new Microsoft.ML.MLContext(1);
        var trainer = Learner.Estimator(context, TaskKind.Regression, algorithm, Learner.Defaults(algorithm), 1);
        var field = Learner.InducedGcSwitch(trainer.GetType());
        Assert.NotNull(field);
        Assert.False((bool)field.GetValue(trainer)!);
    }
}
