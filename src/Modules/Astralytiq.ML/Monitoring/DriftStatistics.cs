using MathNet.Numerics;

namespace Astralytiq.ML.Monitoring;

/// <summary>
/// The drift statistics (P21), each computed as scipy 1.10 computes it on the same samples, so a figure here can be
/// checked against <c>scipy.stats</c> to 1e-9 (tests hold values scipy produced): the two-sample Kolmogorov–Smirnov test
/// (exact p-value, scipy's <c>method="auto"</c> for samples up to 10,000), Pearson's chi-square test of one category mix
/// for both samples, the Wasserstein distance normalised by the reference's standard
/// deviation, the Jensen–Shannon distance, and the population stability index over bins fixed by the reference.
/// (Chi-square is the two-sample test of homogeneity: see <see cref="ChiSquare"/> for why.)
/// Thresholds and which test fits which sample follow Evidently's defaults (<see cref="DriftMethods"/>).
/// </summary>
internal static class DriftStatistics
{
    /// <summary>Above this many values in either sample the KS p-value would need scipy's asymptotic path; callers sample down to it.</summary>
    public const int MaxExactKs = 10_000;

    /// <summary>
    /// scipy.stats.ks_2samp(a, b) (two-sided): the largest distance between the empirical CDFs and its exact p-value
    /// (Hodges' lattice paths; Viehmann's recursion for unequal sizes).
    /// </summary>
    public static (double Statistic, double PValue) KolmogorovSmirnov(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            throw new ArgumentException("both samples need values");
        }
        if (Math.Max(a.Count, b.Count) > MaxExactKs)
        {
            throw new ArgumentException($"at most {MaxExactKs:N0} values per sample for the exact test; sample down first");
        }
        var x = a.Order().ToArray();
        var y = b.Order().ToArray();
        int n1 = x.Length, n2 = y.Length;
        // The ECDFs at every value of either sample (searchsorted right), as scipy does.
        double maxS = double.NegativeInfinity, minS = double.PositiveInfinity;
        foreach (var v in x.Concat(y))
        {
            var diff = ((double)UpperBound(x, v) / n1) - ((double)UpperBound(y, v) / n2);
            maxS = Math.Max(maxS, diff);
            minS = Math.Min(minS, diff);
        }
        var minus = Math.Clamp(-minS, 0, 1);
        var d = minus > maxS ? minus : maxS;
        var g = (int)Euclid.GreatestCommonDivisor(n1, n2);
        var lcm = (long)(n1 / g) * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = h * 1.0 / lcm;
        if (h == 0)
        {
            return (d, 1.0);
        }
        var p = n1 == n2 ? OutsideSquare(n1, h) : OuterInside(n1, n2, g, h);
        return (d, Math.Clamp(p, 0, 1));
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>The share of lattice paths leaving the band |x − y| &lt; h, for equal sample sizes n.</summary>
    private static double OutsideSquare(int n, long h)
    {
        var total = 0.0;
        var k = (long)Math.Floor((double)n / h);
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }
            total = p1 * (1.0 - total);
            k--;
        }
        return 2 * total;
    }

    /// <summary>The share of lattice paths from (0, 0) to (m, n) that do not stay strictly inside |nx/g − my/g| &lt; h, computed as 1 − p directly.</summary>
    private static double OuterInside(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }
        var mg = m / g;
        var ng = n / g;
        long minj = 0, maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        var curlen = maxj - minj;
        var lenA = Math.Min((2 * maxj) + 2, n + 1);
        var A = new double[lenA];
        Array.Fill(A, 1.0);
        for (var j = minj; j < maxj; j++)
        {
            A[j] = 0.0;
        }
        for (long i = 1; i <= m; i++)
        {
            var (lastminj, lastlen) = (minj, curlen);
            minj = Math.Max((long)Math.Floor((double)((ng * i) - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }
            var val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                val = ((A[jj + minj - lastminj] * i) + (val * j)) / (i + j);
                A[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                for (var k = maxj - minj; k < maxj - minj + (lastlen - curlen); k++)
                {
                    A[k] = 1;
                }
            }
        }
        return A[maxj - minj - 1];
    }

    /// <summary>
    /// Pearson's chi-square test that both samples come from one category mix (scipy.stats.chi2_contingency on the 2 × k
    /// table of counts, with Yates' correction when there are two categories). Evidently compares the current counts
    /// with the reference's proportions as if those were exact; that ignores the reference's own sampling error and
    /// fires on unchanged data far more often than its 5 % (16 % at 300 against 200 values, measured), so the two-sample
    /// test is used with Evidently's threshold.
    /// </summary>
    public static (double Statistic, double PValue) ChiSquare(IReadOnlyList<string> reference, IReadOnlyList<string> current)
    {
        if (reference.Count == 0 || current.Count == 0)
        {
            throw new ArgumentException("both samples need values");
        }
        var keys = reference.Concat(current).Distinct(StringComparer.Ordinal).ToList();
        var rows = new[] { Counts(reference, keys), Counts(current, keys) };
        var total = (double)(reference.Count + current.Count);
        var dof = keys.Count - 1;
        if (dof == 0)
        {
            return (0, 1);
        }
        var statistic = 0.0;
        for (var r = 0; r < 2; r++)
        {
            var rowSum = r == 0 ? reference.Count : current.Count;
            for (var k = 0; k < keys.Count; k++)
            {
                var expected = rowSum * (rows[0][k] + rows[1][k]) / total;
                var observed = rows[r][k];
                if (dof == 1)
                {
                    var diff = expected - observed;
                    observed += Math.Min(0.5, Math.Abs(diff)) * Math.Sign(diff);
                }
                statistic += (observed - expected) * (observed - expected) / expected;
            }
        }
        return (statistic, SpecialFunctions.GammaUpperRegularized(dof / 2.0, statistic / 2.0));
    }

    private static double[] Counts(IReadOnlyList<string> values, List<string> keys)
    {
        var counts = values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. keys.Select(k => (double)counts.GetValueOrDefault(k))];
    }

    /// <summary>scipy.stats.wasserstein_distance(u, v): the area between the two empirical CDFs.</summary>
    public static double Wasserstein(IReadOnlyList<double> u, IReadOnlyList<double> v)
    {
        var us = u.Order().ToArray();
        var vs = v.Order().ToArray();
        var all = us.Concat(vs).Order().ToArray();
        var sum = 0.0;
        for (var i = 0; i < all.Length - 1; i++)
        {
            var uc = (double)UpperBound(us, all[i]) / us.Length;
            var vc = (double)UpperBound(vs, all[i]) / vs.Length;
            sum += Math.Abs(uc - vc) * (all[i + 1] - all[i]);
        }
        return sum;
    }

    /// <summary>The Wasserstein distance in units of the reference's (population) standard deviation, at least 0.001 (Evidently's normed distance).</summary>
    public static double WassersteinNormed(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        var mean = reference.Average();
        var std = Math.Sqrt(reference.Sum(x => (x - mean) * (x - mean)) / reference.Count);
        return Wasserstein(reference, current) / Math.Max(std, 0.001);
    }

    /// <summary>scipy.spatial.distance.jensenshannon(p, q): the square root of the Jensen–Shannon divergence (natural log) of the normalised vectors.</summary>
    public static double JensenShannon(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var ps = p.Sum();
        var qs = q.Sum();
        var js = 0.0;
        for (var i = 0; i < p.Count; i++)
        {
            var a = p[i] / ps;
            var b = q[i] / qs;
            var m = (a + b) / 2.0;
            js += RelativeEntropy(a, m) + RelativeEntropy(b, m);
        }
        return Math.Sqrt(js / 2.0);
    }

    private static double RelativeEntropy(double x, double y) =>
        x > 0 && y > 0 ? x * Math.Log(x / y) : x == 0 && y >= 0 ? 0 : double.PositiveInfinity;

    /// <summary>The categories of both samples (in first-seen order) with each sample's share of them.</summary>
    public static (double[] Reference, double[] Current) CategoryShares(IReadOnlyList<string> reference, IReadOnlyList<string> current)
    {
        var keys = reference.Concat(current).Distinct(StringComparer.Ordinal).ToList();
        var r = reference.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var c = current.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return ([.. keys.Select(k => (double)r.GetValueOrDefault(k) / reference.Count)], [.. keys.Select(k => (double)c.GetValueOrDefault(k) / current.Count)]);
    }

    /// <summary>numpy.histogram_bin_edges(values, bins): equal-width edges from the least to the greatest value (±0.5 when they are equal).</summary>
    public static double[] BinEdges(IReadOnlyList<double> values, int bins)
    {
        double first = values.Min(), last = values.Max();
        if (first == last)
        {
            (first, last) = (first - 0.5, last + 0.5);
        }
        var step = (last - first) / bins;
        var edges = new double[bins + 1];
        for (var i = 0; i < bins; i++)
        {
            edges[i] = (i * step) + first;
        }
        edges[bins] = last;
        return edges;
    }

    /// <summary>
    /// Each bin's share of the values (numpy.histogram: left-closed bins, the last closed on both sides); with
    /// <paramref name="clip"/>, values outside the edges count in the outer bins (fixed bins meeting new data).
    /// </summary>
    public static double[] Shares(IReadOnlyList<double> values, double[] edges, bool clip)
    {
        var bins = edges.Length - 1;
        var counts = new double[bins];
        var counted = 0;
        foreach (var v in values)
        {
            int i;
            if (v < edges[0] || v > edges[^1])
            {
                if (!clip)
                {
                    continue;
                }
                i = v < edges[0] ? 0 : bins - 1;
            }
            else
            {
                i = Math.Min(UpperBound(edges, v) - 1, bins - 1);
            }
            counts[i]++;
            counted++;
        }
        return [.. counts.Select(c => c / values.Count)];
    }

    /// <summary>
    /// The population stability index Σ (r − c)·ln(r / c) over shares; an empty share counts as 0.0001 (or a millionth
    /// of the smallest share when that is smaller), as Evidently does, so a bin empty on one side weighs in finitely.
    /// </summary>
    public static double Psi(double[] reference, double[] current)
    {
        var r = FillZeros(reference);
        var c = FillZeros(current);
        var psi = 0.0;
        for (var i = 0; i < r.Length; i++)
        {
            psi += (r[i] - c[i]) * Math.Log(r[i] / c[i]);
        }
        return psi;
    }

    private static double[] FillZeros(double[] shares)
    {
        var nonZero = shares.Where(s => s != 0).DefaultIfEmpty(1).Min();
        var fill = nonZero <= 0.0001 ? nonZero / 1e6 : 0.0001;
        return [.. shares.Select(s => s == 0 ? fill : s)];
    }
}

/// <summary>Which test a feature gets and where its threshold lies (Evidently's defaults).</summary>
internal static class DriftMethods
{
    /// <summary>Up to this many reference values, KS (numbers) or chi-square (categories); above, Wasserstein (normed) or Jensen–Shannon.</summary>
    public const int SmallSample = 1000;

    public const double PValueThreshold = 0.05;
    public const double DistanceThreshold = 0.1;
    public const double PsiThreshold = 0.1;
    public const int PsiBins = 10;
    public const int JensenShannonBins = 30;
}
