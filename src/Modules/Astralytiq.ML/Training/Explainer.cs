namespace Astralytiq.ML.Training;

/// <summary>
/// Feature attributions for any model. Global: permutation importance — how much the held-out metric drops when
/// one feature's values are shuffled among the rows. Local: Shapley values estimated by sampling feature orders
/// (seeded): starting from a background row, the features take the explained row's values one at a time in a
/// random order, and each is credited with the change of the output. Per sample the credits add up exactly to
/// output(row) − output(background), so the contributions always add up to prediction − base value (ADR 0017).
/// </summary>
internal static class Explainer
{
    public const int DefaultSamples = 64;

    /// <summary>Shuffles per feature in permutation importance.</summary>
    public const int Repeats = 3;

    public static (double BaseValue, double Output, double[] Contributions) Shapley(ModelBundle bundle, float[] row, int classIndex, int seed, int samples = DefaultSamples)
    {
        var specs = bundle.Featurizer.Specs;
        var background = bundle.Background.Length == 0 ? [row] : bundle.Background;
        var random = new Random(seed);
        var batch = new List<float[]>(samples * (specs.Count + 1));
        var orders = new int[samples][];
        for (var s = 0; s < samples; s++)
        {
            var current = (float[])background[random.Next(background.Length)].Clone();
            var order = Enumerable.Range(0, specs.Count).ToArray();
            random.Shuffle(order);
            orders[s] = order;
            batch.Add((float[])current.Clone());
            foreach (var f in order)
            {
                var spec = specs[f];
                Array.Copy(row, spec.Offset, current, spec.Offset, spec.Width);
                batch.Add((float[])current.Clone());
            }
        }
        var outputs = bundle.Outputs(batch, classIndex);
        var contributions = new double[specs.Count];
        double baseSum = 0;
        for (var s = 0; s < samples; s++)
        {
            var start = s * (specs.Count + 1);
            baseSum += outputs[start];
            for (var k = 0; k < specs.Count; k++)
            {
                contributions[orders[s][k]] += outputs[start + k + 1] - outputs[start + k];
            }
        }
        for (var f = 0; f < contributions.Length; f++)
        {
            contributions[f] /= samples;
        }
        var output = bundle.Outputs([row], classIndex)[0];
        return (baseSum / samples, output, contributions);
    }

    /// <summary>Permutation importance of each feature on <paramref name="rows"/>: metric drop, mean and spread over <paramref name="repeats"/> seeded shuffles.</summary>
    public static List<(double Mean, double StdDev)> PermutationImportance(ModelBundle bundle, IReadOnlyList<float[]> rows, Func<Scores, double> metric, int seed, int repeats = Repeats)
    {
        var baseline = metric(bundle.Score(rows));
        var result = new List<(double, double)>();
        var random = new Random(seed);
        foreach (var spec in bundle.Featurizer.Specs)
        {
            var drops = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                var order = Enumerable.Range(0, rows.Count).ToArray();
                random.Shuffle(order);
                var permuted = new List<float[]>(rows.Count);
                for (var i = 0; i < rows.Count; i++)
                {
                    var copy = (float[])rows[i].Clone();
                    Array.Copy(rows[order[i]], spec.Offset, copy, spec.Offset, spec.Width);
                    permuted.Add(copy);
                }
                drops.Add(baseline - metric(bundle.Score(permuted)));
            }
            result.Add((drops.Average(), Metrics.StdDev(drops)));
        }
        return result;
    }
}
