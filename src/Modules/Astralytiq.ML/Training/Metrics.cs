namespace Astralytiq.ML.Training;

/// <summary>
/// Model metrics by their textbook definitions (the same as scikit-learn's), computed from predictions so that
/// every algorithm is scored the same way. Tests check each against hand-computed vectors.
/// </summary>
internal static class Metrics
{
    public const double LogLossEpsilon = 1e-15;

    public static double R2(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        var mean = Mean(actual);
        double ssRes = 0, ssTot = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            ssRes += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
            ssTot += (actual[i] - mean) * (actual[i] - mean);
        }
        return ssTot == 0 ? (ssRes == 0 ? 1 : 0) : 1 - (ssRes / ssTot);
    }

    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
        }
        return actual.Length == 0 ? double.NaN : Math.Sqrt(sum / actual.Length);
    }

    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - predicted[i]);
        }
        return actual.Length == 0 ? double.NaN : sum / actual.Length;
    }

    /// <summary>Mean absolute percentage error (as a fraction) over the rows whose actual value is not zero; null when all are zero.</summary>
    public static double? Mape(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            if (actual[i] != 0)
            {
                sum += Math.Abs((actual[i] - predicted[i]) / actual[i]);
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    /// <summary>Symmetric MAPE as a fraction: mean of 2|a−p| / (|a|+|p|), a term with both zero counting 0.</summary>
    public static double Smape(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = Math.Abs(actual[i]) + Math.Abs(predicted[i]);
            sum += d == 0 ? 0 : 2 * Math.Abs(actual[i] - predicted[i]) / d;
        }
        return actual.Length == 0 ? double.NaN : sum / actual.Length;
    }

    /// <summary>
    /// Mean absolute scaled error: the forecast's MAE over the in-sample MAE of the seasonal naive forecast
    /// (lag <paramref name="season"/>, 1 for non-seasonal series) on the training series.
    /// </summary>
    public static double Mase(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> training, int season)
    {
        season = Math.Max(1, season);
        if (training.Length <= season)
        {
            return double.NaN;
        }
        double scale = 0;
        for (var i = season; i < training.Length; i++)
        {
            scale += Math.Abs(training[i] - training[i - season]);
        }
        scale /= training.Length - season;
        return scale == 0 ? double.NaN : Mae(actual, predicted) / scale;
    }

    public static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }
        return values.Length == 0 ? double.NaN : sum / values.Length;
    }

    public static double StdDev(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    public static double Accuracy(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        var right = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            right += actual[i] == predicted[i] ? 1 : 0;
        }
        return actual.Length == 0 ? double.NaN : right / (double)actual.Length;
    }

    public static long[][] Confusion(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classes)
    {
        var m = new long[classes][];
        for (var i = 0; i < classes; i++)
        {
            m[i] = new long[classes];
        }
        for (var i = 0; i < actual.Length; i++)
        {
            m[actual[i]][predicted[i]]++;
        }
        return m;
    }

    /// <summary>Precision, recall and F1 averaged over classes (macro; a class never predicted or never present counts 0) and over rows (micro).</summary>
    public static (double PrecisionMacro, double RecallMacro, double F1Macro, double PrecisionMicro, double RecallMicro, double F1Micro) PrecisionRecallF1(long[][] confusion)
    {
        var k = confusion.Length;
        double p = 0, r = 0, f = 0;
        long tpAll = 0, fpAll = 0, fnAll = 0;
        for (var c = 0; c < k; c++)
        {
            long tp = confusion[c][c], fp = 0, fn = 0;
            for (var o = 0; o < k; o++)
            {
                if (o != c)
                {
                    fp += confusion[o][c];
                    fn += confusion[c][o];
                }
            }
            var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
            var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
            p += precision;
            r += recall;
            f += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            tpAll += tp;
            fpAll += fp;
            fnAll += fn;
        }
        var pMicro = tpAll + fpAll == 0 ? 0 : tpAll / (double)(tpAll + fpAll);
        var rMicro = tpAll + fnAll == 0 ? 0 : tpAll / (double)(tpAll + fnAll);
        var fMicro = pMicro + rMicro == 0 ? 0 : 2 * pMicro * rMicro / (pMicro + rMicro);
        return (p / k, r / k, f / k, pMicro, rMicro, fMicro);
    }

    /// <summary>Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half). Null without both classes.</summary>
    public static double? RocAuc(ReadOnlySpan<bool> positive, ReadOnlySpan<double> score)
    {
        var n = positive.Length;
        var scores = score.ToArray();
        var order = Order(scores, descending: false);
        double rankSumPositive = 0;
        long positives = 0;
        var j = 0;
        while (j < n)
        {
            var end = j;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[j]])
            {
                end++;
            }
            var averageRank = ((j + 1) + (end + 1)) / 2.0;
            for (var t = j; t <= end; t++)
            {
                if (positive[order[t]])
                {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            j = end + 1;
        }
        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }
        return (rankSumPositive - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    /// <summary>Area under the precision-recall curve as average precision: Σ (R_k − R_{k−1}) · P_k over score thresholds.</summary>
    public static double? AveragePrecision(ReadOnlySpan<bool> positive, ReadOnlySpan<double> score)
    {
        var points = Thresholds(positive, score);
        var totalPositive = 0;
        foreach (var p in positive)
        {
            totalPositive += p ? 1 : 0;
        }
        if (totalPositive == 0)
        {
            return null;
        }
        double ap = 0, previousRecall = 0;
        foreach (var (tp, fp, _) in points)
        {
            var recall = tp / (double)totalPositive;
            var precision = tp + fp == 0 ? 1 : tp / (double)(tp + fp);
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return ap;
    }

    /// <summary>The ROC curve at each distinct score (highest first), thinned to at most <paramref name="maxPoints"/> points, from (0,0) to (1,1).</summary>
    public static List<RocPointDto> RocCurve(ReadOnlySpan<bool> positive, ReadOnlySpan<double> score, int maxPoints = 101)
    {
        var points = Thresholds(positive, score);
        long p = 0;
        foreach (var x in positive)
        {
            p += x ? 1 : 0;
        }
        var n = positive.Length - p;
        var curve = new List<RocPointDto> { new(0, 0, null) };
        if (p == 0 || n == 0)
        {
            return curve;
        }
        var step = Math.Max(1, points.Count / (maxPoints - 2));
        for (var i = 0; i < points.Count; i++)
        {
            if (i % step == 0 || i == points.Count - 1)
            {
                curve.Add(new RocPointDto(points[i].Fp / (double)n, points[i].Tp / (double)p, points[i].Threshold));
            }
        }
        return curve;
    }

    /// <summary>Cumulative true and false positives when predicting positive at or above each distinct score, highest first.</summary>
    private static List<(long Tp, long Fp, double Threshold)> Thresholds(ReadOnlySpan<bool> positive, ReadOnlySpan<double> score)
    {
        var n = positive.Length;
        var scores = score.ToArray();
        var order = Order(scores, descending: true);
        var result = new List<(long, long, double)>();
        long tp = 0, fp = 0;
        for (var i = 0; i < n; i++)
        {
            if (positive[order[i]])
            {
                tp++;
            }
            else
            {
                fp++;
            }
            if (i == n - 1 || scores[order[i + 1]] != scores[order[i]])
            {
                result.Add((tp, fp, scores[order[i]]));
            }
        }
        return result;
    }

    /// <summary>Row indexes sorted by score (stable: equal scores keep their row order).</summary>
    private static int[] Order(double[] scores, bool descending)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        return descending
            ? order.OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray()
            : order.OrderBy(i => scores[i]).ThenBy(i => i).ToArray();
    }

    /// <summary>Mean negative log-likelihood of the true class; probabilities clipped to [1e-15, 1 − 1e-15].</summary>
    public static double LogLoss(ReadOnlySpan<int> actual, double[][] probabilities)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var p = Math.Clamp(probabilities[i][actual[i]], LogLossEpsilon, 1 - LogLossEpsilon);
            sum -= Math.Log(p);
        }
        return actual.Length == 0 ? double.NaN : sum / actual.Length;
    }

    /// <summary>Macro one-vs-rest ROC AUC over the classes present both as positive and negative.</summary>
    public static double? MacroRocAuc(ReadOnlySpan<int> actual, double[][] probabilities, int classes)
    {
        var values = new List<double>();
        var positive = new bool[actual.Length];
        var score = new double[actual.Length];
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < actual.Length; i++)
            {
                positive[i] = actual[i] == c;
                score[i] = probabilities[i][c];
            }
            if (RocAuc(positive, score) is { } auc)
            {
                values.Add(auc);
            }
        }
        return values.Count == 0 ? null : values.Average();
    }
}
