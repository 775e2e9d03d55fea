namespace Astralytiq.ML.Training;

/// <summary>
/// A probability map fitted on out-of-fold predictions (ADR 0041): Platt scaling (a logistic curve on the logit of the
/// probability) or isotonic regression (a non-decreasing step curve, interpolated linearly between its steps), one per
/// class; a multiclass model's calibrated probabilities are scaled to sum 1 again. <see cref="Method"/> "none" leaves
/// the model's own probabilities.
/// </summary>
internal sealed record Calibration(string Method, IReadOnlyList<Calibration.Curve> Curves)
{
    public const string None = "none";
    public const string Platt = "platt";
    public const string Isotonic = "isotonic";

    /// <summary>Isotonic's end steps can reach 0 or 1 on few rows; a calibrated probability stays this far from both.</summary>
    public const double Floor = 1e-4;

    /// <summary>Isotonic regression overfits small samples (scikit-learn's guide says the same): below this many out-of-fold rows only Platt is tried.</summary>
    public const int IsotonicMinRows = 1000;

    /// <summary>Isotonic is chosen over Platt only when its validation log loss is lower by more than this share: it ties scores, which can cost ROC AUC.</summary>
    public const double IsotonicMargin = 0.01;

    /// <summary>Platt: p' = 1 / (1 + exp(-(A·logit(p) + B))). Isotonic: the curve through (X[i], Y[i]), X increasing, flat outside.</summary>
    internal sealed record Curve(double A, double B, double[]? X = null, double[]? Y = null)
    {
        public double Apply(double p)
        {
            if (X is null)
            {
                return Sigmoid((A * Logit(p)) + B);
            }
            if (X.Length == 0)
            {
                return p;
            }
            if (p <= X[0])
            {
                return Y![0];
            }
            if (p >= X[^1])
            {
                return Y![^1];
            }
            var i = Array.BinarySearch(X, p);
            if (i >= 0)
            {
                return Y![i];
            }
            i = ~i;
            var t = (p - X[i - 1]) / (X[i] - X[i - 1]);
            return Y![i - 1] + (t * (Y[i] - Y[i - 1]));
        }
    }

    /// <summary>Calibrated probabilities (a new array); classes beyond the fitted curves are left as they are.</summary>
    public double[] Apply(double[] probabilities)
    {
        if (Method == None || Curves.Count == 0)
        {
            return probabilities;
        }
        if (probabilities.Length == 2 && Curves.Count == 1)
        {
            var positive = Math.Clamp(Curves[0].Apply(probabilities[1]), Floor, 1 - Floor);
            return [1 - positive, positive];
        }
        var calibrated = new double[probabilities.Length];
        double sum = 0;
        for (var k = 0; k < calibrated.Length; k++)
        {
            calibrated[k] = k < Curves.Count ? Math.Clamp(Curves[k].Apply(probabilities[k]), Floor, 1 - Floor) : probabilities[k];
            sum += calibrated[k];
        }
        for (var k = 0; k < calibrated.Length; k++)
        {
            calibrated[k] /= sum;
        }
        return calibrated;
    }

    internal static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    internal static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-12, 1 - 1e-12);
        return Math.Log(p / (1 - p));
    }

    /// <summary>The calibration of <paramref name="method"/> fitted on probabilities and their classes.</summary>
    public static Calibration Fit(string method, double[][] probabilities, int[] actual, int classes)
    {
        if (method == None)
        {
            return new Calibration(None, []);
        }
        var curves = new List<Curve>();
        var count = classes == 2 ? 1 : classes;
        for (var c = 0; c < count; c++)
        {
            var k = classes == 2 ? 1 : c;
            var scores = probabilities.Select(p => p[k]).ToArray();
            var positive = actual.Select(a => a == k).ToArray();
            curves.Add(method == Platt ? FitPlatt(scores, positive) : FitIsotonic(scores, positive));
        }
        return new Calibration(method, curves);
    }

    /// <summary>
    /// The calibration with the lowest log loss when each validation fold's probabilities are calibrated by a map fitted on
    /// the other folds'; "none" competes too, so calibrating never makes the validation log loss worse. Returns the
    /// choice fitted on all the rows, and the validation log loss before and after.
    /// </summary>
    public static (Calibration Chosen, double Before, double After) Choose(IReadOnlyList<(double[][] Probabilities, int[] Actual)> folds, int classes)
    {
        var all = folds.SelectMany(f => f.Probabilities).ToArray();
        var actual = folds.SelectMany(f => f.Actual).ToArray();
        var before = Metrics.LogLoss(actual, all);
        var methods = new List<string> { Platt };
        if (all.Length >= IsotonicMinRows)
        {
            methods.Add(Isotonic);
        }
        // With one validation fold (a holdout), its rows are cut in five for the comparison.
        var parts = folds.Count >= 2 ? folds : Slices(folds[0], 5);
        var losses = methods.ToDictionary(m => m, m => CrossValidated(m, parts, classes));
        var best = None;
        var bestLoss = before;
        if (losses[Platt] < bestLoss - 1e-9)
        {
            (best, bestLoss) = (Platt, losses[Platt]);
        }
        if (losses.TryGetValue(Isotonic, out var isotonic) && isotonic < bestLoss * (1 - (best == Platt ? IsotonicMargin : 0)) - 1e-9)
        {
            (best, bestLoss) = (Isotonic, isotonic);
        }
        return (Fit(best, all, actual, classes), before, bestLoss);
    }

    private static double CrossValidated(string method, IReadOnlyList<(double[][] Probabilities, int[] Actual)> parts, int classes)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var fitP = parts.Where((_, j) => j != i).SelectMany(p => p.Probabilities).ToArray();
            var fitA = parts.Where((_, j) => j != i).SelectMany(p => p.Actual).ToArray();
            var map = Fit(method, fitP, fitA, classes);
            var calibrated = parts[i].Probabilities.Select(map.Apply).ToArray();
            sum += Metrics.LogLoss(parts[i].Actual, calibrated) * parts[i].Actual.Length;
            n += parts[i].Actual.Length;
        }
        return n == 0 ? double.PositiveInfinity : sum / n;
    }

    private static List<(double[][] Probabilities, int[] Actual)> Slices((double[][] Probabilities, int[] Actual) fold, int count) =>
        Enumerable.Range(0, count)
            .Select(s => (fold.Probabilities.Where((_, i) => i % count == s).ToArray(), fold.Actual.Where((_, i) => i % count == s).ToArray()))
            .Where(s => s.Item2.Length > 0).ToList();

    /// <summary>
    /// Platt's method as Platt (1999) and scikit-learn fit it: targets smoothed to (N₊+1)/(N₊+2) and 1/(N₋+2), log loss
    /// minimised by Newton's method with step halving, on the logit of the model's probability.
    /// </summary>
    internal static Curve FitPlatt(double[] scores, bool[] positive)
    {
        var nPos = positive.Count(p => p);
        var nNeg = positive.Length - nPos;
        if (nPos == 0 || nNeg == 0)
        {
            return new Curve(1, 0);
        }
        var hi = (nPos + 1.0) / (nPos + 2.0);
        var lo = 1.0 / (nNeg + 2.0);
        var x = scores.Select(Logit).ToArray();
        var t = positive.Select(p => p ? hi : lo).ToArray();
        double a = 1, b = 0;
        double Loss(double ca, double cb)
        {
            double l = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var z = (ca * x[i]) + cb;
                // −[t·log σ(z) + (1−t)·log(1−σ(z))], written stably.
                l += z >= 0 ? ((1 - t[i]) * z) + Math.Log(1 + Math.Exp(-z)) : (-t[i] * z) + Math.Log(1 + Math.Exp(z));
            }
            return l;
        }
        var loss = Loss(a, b);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
            for (var i = 0; i < x.Length; i++)
            {
                var p = Sigmoid((a * x[i]) + b);
                var d = p - t[i];
                var w = p * (1 - p);
                ga += d * x[i];
                gb += d;
                haa += w * x[i] * x[i];
                hab += w * x[i];
                hbb += w;
            }
            var det = (haa * hbb) - (hab * hab);
            if (Math.Abs(det) < 1e-300)
            {
                break;
            }
            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            var step = 1.0;
            var improved = false;
            while (step > 1e-10)
            {
                var next = Loss(a - (step * da), b - (step * db));
                if (next <= loss)
                {
                    improved = loss - next > 1e-12 * Math.Max(1, loss);
                    (a, b, loss) = (a - (step * da), b - (step * db), next);
                    break;
                }
                step /= 2;
            }
            if (!improved)
            {
                break;
            }
        }
        return new Curve(a, b);
    }

    /// <summary>Isotonic regression by pool-adjacent-violators on the scores (ties averaged first), kept as the ends of each constant step.</summary>
    internal static Curve FitIsotonic(double[] scores, bool[] positive)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        // Blocks: (sum of targets, weight, first score, last score).
        var sums = new List<double>();
        var weights = new List<double>();
        var firsts = new List<double>();
        var lasts = new List<double>();
        foreach (var i in order)
        {
            var y = positive[i] ? 1.0 : 0.0;
            if (sums.Count > 0 && lasts[^1] == scores[i])
            {
                sums[^1] += y;
                weights[^1] += 1;
            }
            else
            {
                sums.Add(y);
                weights.Add(1);
                firsts.Add(scores[i]);
                lasts.Add(scores[i]);
            }
            while (sums.Count >= 2 && sums[^2] / weights[^2] >= sums[^1] / weights[^1])
            {
                sums[^2] += sums[^1];
                weights[^2] += weights[^1];
                lasts[^2] = lasts[^1];
                sums.RemoveAt(sums.Count - 1);
                weights.RemoveAt(weights.Count - 1);
                firsts.RemoveAt(firsts.Count - 1);
                lasts.RemoveAt(lasts.Count - 1);
            }
        }
        var xs = new List<double>();
        var ys = new List<double>();
        for (var k = 0; k < sums.Count; k++)
        {
            var value = sums[k] / weights[k];
            xs.Add(firsts[k]);
            ys.Add(value);
            if (lasts[k] > firsts[k])
            {
                xs.Add(lasts[k]);
                ys.Add(value);
            }
        }
        return new Curve(0, 0, [.. xs], [.. ys]);
    }
}
