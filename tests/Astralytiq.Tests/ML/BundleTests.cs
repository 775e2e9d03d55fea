using Astralytiq.Data.Contracts;
using Astralytiq.ML.Registry;
using Astralytiq.ML.Training;

namespace Astralytiq.Tests.ML;

/// <summary>Scoring paths of a loaded model: pooled engines for a few rows, a data view for many, the artifact round trip.</summary>
public sealed class BundleTests
{
    private static DatasetTable Table(int rows)
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 10).ToArray();
        var z = Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray();
        var city = Enumerable.Range(0, rows).Select(i => (string?)(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : null)).ToArray();
        var y = x.Select((v, i) => (3 * v) + (city[i] == "a" ? 5 : 0) + z[i]).ToArray();
        var label = y.Select(v => (string?)(v > 20 ? "high" : v > 10 ? "mid" : "low")).ToArray();
        return new DatasetTable(Guid.Empty, "t", 1, rows, false,
        [
            new TableColumn("x", "decimal", x, null, null), new TableColumn("z", "decimal", z, null, null), new TableColumn("city", "string", null, null, city),
            new TableColumn("y", "decimal", y, null, null), new TableColumn("label", "string", null, null, label),
        ]);
    }

    public static TheoryData<string, string, string> Models => new()
    {
        { "regression", "y", "lightgbm" }, { "regression", "y", "linear" }, { "binary_classification", "label", "fast_forest" },
        { "multiclass_classification", "label", "fast_tree" }, { "multiclass_classification", "label", "linear" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_few_rows_score_exactly_as_in_a_batch_also_concurrently_and_after_a_round_trip_through_the_artifact(string task, string target, string algorithm)
    {
        var table = Table(300);
        if (task == "binary_classification")
        {
            var column = table.Column("label")!;
            table = table with { Columns = [.. table.Columns.Where(c => c.Name != "label"), column with { Texts = column.Texts!.Select(t => (string?)(t == "high" ? "yes" : "no")).ToArray() }] };
        }
        var plan = new TrainingPlan(TrainingJob.TaskOf(task), target, ["x", "z", "city"], algorithm, Learner.Defaults(algorithm), 1, TimeSpan.FromMinutes(5), 2, 0.2, 3);
        var bundle = ModelTrainer.Train(table, plan, (_, _, _) => Task.CompletedTask, TimeProvider.System, CancellationToken.None).Bundle;
        var rows = Enumerable.Range(0, 40).Select(r => bundle.Featurizer.Encode(table, r)).ToList();

        static List<double[]> Flat(Scores s) => s.Values?.Select(v => new[] { v }).ToList() ?? s.Probabilities!.ToList();
        // The reference: a data view through the transformer, as training's evaluation scores.
        // Classifiers' probabilities then go through the version's calibration, as serving applies it.
        var batch = Flat(Learner.Score(new Fitted(bundle.Context, bundle.Model, bundle.Linear), bundle.Task, rows.Select(r => new FeatureRow { Features = r }).ToList(), bundle.Featurizer.Width, bundle.ClassCount))
            .Select(p => bundle.Calibration is { } c && bundle.Task != TaskKind.Regression ? c.Apply(p) : p).ToList();
        var few = rows.Chunk(8).SelectMany(c => Flat(bundle.Score(c))).ToList();
        // A batch large enough to be scored on every core comes back whole and in order.
        var large = Enumerable.Range(0, ModelBundle.ParallelRows + 7).Select(i => rows[i % rows.Count]).ToList();
        var scoredLarge = Flat(bundle.Score(large));
        Assert.Equal(large.Count, scoredLarge.Count);
        for (var i = 0; i < large.Count; i++)
        {
            Assert.Equal(batch[i % rows.Count], scoredLarge[i], (a, b) => Math.Abs(a - b) < 1e-9);
        }
        Assert.Equal(batch.Count, few.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            Assert.Equal(batch[i], few[i], (a, b) => Math.Abs(a - b) < 1e-9);
        }

        var concurrent = new List<double[]>[8];
        Parallel.For(0, 8, k => concurrent[k] = rows.Select(r => Flat(bundle.Score([r]))[0]).ToList());
        Assert.All(concurrent, c => Assert.Equal(few.Select(x => string.Join(",", x)), c.Select(x => string.Join(",", x))));

        var loaded = ModelArtifacts.Deserialize(ModelArtifacts.Serialize(bundle, 3));
        Assert.Equal(few.Select(x => string.Join(",", x)), rows.Select(r => Flat(loaded.Score([r]))[0]).Select(x => string.Join(",", x)));
        Assert.Equal(bundle.Classes, loaded.Classes);
        Assert.Equal(bundle.Featurizer.Width, loaded.Featurizer.Width);
    }
}
