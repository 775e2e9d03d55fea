using Astralytiq.ML.Training;

namespace Astralytiq.Tests.ML;

/// <summary>
/// The in-process linear solvers against scikit-learn 1.2.1 on the same 30 rows (bench/ml/linear_reference.py prints the
/// references): ridge, lasso, binary and multinomial logistic regression, each predicting one probe row.
/// </summary>
public sealed class LinearSolverTests
{
    private const int N = 30;

    private static double[][] X() => Enumerable.Range(0, N)
        .Select(i => new[] { (Math.Sin(i * 0.7) * 3) + (i * 0.1), Math.Cos(i * 1.3) + (i % 4), ((i % 5) * 0.5) - 1 }).ToArray();

    private static double[] Y() => X().Select((x, i) => (2 * x[0]) - (1.5 * x[1]) + (0.3 * x[2]) + Math.Sin(i * 2.1)).ToArray();

    private static List<FeatureRow> Rows(Func<int, FeatureRow, FeatureRow> label) =>
        X().Select((x, i) => label(i, new FeatureRow { Features = x.Select(v => (float)v).ToArray() })).ToList();

    private static readonly float[] Probe = [1f, 2f, 0.5f];

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[(N / 2) - 1] + sorted[N / 2]) / 2;
    }

    [Fact]
    public void Ridge_and_lasso_match_scikit_learn()
    {
        var y = Y();
        var rows = Rows((i, r) => { r.Value = (float)y[i]; return r; });

        var ridge = LinearSolver.Fit(TaskKind.Regression, new Dictionary<string, double> { ["l2"] = 0.1, ["l1"] = 0 }, rows, 3, 2, CancellationToken.None)!;
        Assert.Equal(-0.6353420059515233, ridge.Score(TaskKind.Regression, [Probe]).Values![0], 4);

        var lasso = LinearSolver.Fit(TaskKind.Regression, new Dictionary<string, double> { ["l2"] = 0, ["l1"] = 0.2, ["iterations"] = 200 }, rows, 3, 2, CancellationToken.None)!;
        Assert.Equal(-0.8389652020802869, lasso.Score(TaskKind.Regression, [Probe]).Values![0], 4);
    }

    [Fact]
    public void Binary_and_multinomial_logistic_regression_match_scikit_learn()
    {
        var y = Y();
        var median = Median(y);
        var binary = LinearSolver.Fit(TaskKind.Binary, new Dictionary<string, double> { ["l2"] = 0.05, ["l1"] = 0 },
            Rows((i, r) => { r.Flag = y[i] > median; return r; }), 3, 2, CancellationToken.None)!;
        Assert.Equal(0.3469246288921378, binary.Score(TaskKind.Binary, [Probe]).Probabilities![0][1], 4);

        // Classes by terciles, as numpy's quantile (linear interpolation) and digitize cut them.
        var sorted = y.Order().ToArray();
        double Quantile(double q)
        {
            var position = q * (N - 1);
            var low = (int)Math.Floor(position);
            return sorted[low] + ((position - low) * (sorted[Math.Min(N - 1, low + 1)] - sorted[low]));
        }
        var (first, second) = (Quantile(1.0 / 3), Quantile(2.0 / 3));
        var multinomial = LinearSolver.Fit(TaskKind.Multiclass, new Dictionary<string, double> { ["l2"] = 0.05, ["l1"] = 0 },
            Rows((i, r) => { r.Class = (uint)(y[i] >= second ? 2 : y[i] >= first ? 1 : 0); return r; }), 3, 3, CancellationToken.None)!;
        var p = multinomial.Score(TaskKind.Multiclass, [Probe]).Probabilities![0];
        Assert.Equal(0.4377088430708245, p[0], 4);
        Assert.Equal(0.40668491948425683, p[1], 4);
        Assert.Equal(0.15560623744491855, p[2], 4);
    }

    [Fact]
    public void An_l1_penalty_on_a_classifier_zeroes_weights_as_it_grows()
    {
        var y = Y();
        var median = Median(y);
        var rows = Rows((i, r) => { r.Flag = y[i] > median; return r; });
        int NonZero(double l1) => LinearSolver.Fit(TaskKind.Binary, new Dictionary<string, double> { ["l2"] = 1e-6, ["l1"] = l1 }, rows, 3, 2, CancellationToken.None)!
            .Weights[0].Count(w => Math.Abs(w) > 1e-9);

        Assert.Equal(3, NonZero(0.001));
        Assert.True(NonZero(0.1) < 3);
        Assert.Equal(0, NonZero(10));
    }
}
