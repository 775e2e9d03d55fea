namespace Astralytiq.ML.Forecasting;

/// <summary>
/// A fitted Theta model (Assimakopoulos and Nikolopoulos, 2000, in Hyndman and Billah's form, as R's
/// <c>forecast::thetaf</c> computes it): simple exponential smoothing of the seasonally adjusted series plus half the
/// slope of its least-squares line as drift, then the season put back. <see cref="Season"/> holds the multiplicative
/// seasonal index of each position in the cycle (position 0 = the series' first point), or null when the series is
/// not seasonal.
/// </summary>
internal sealed record ThetaModel(double Alpha, double Level, double Drift, int N, double Sigma2, double[]? Season)
{
    public double[] Forecast(int horizon)
    {
        var result = new double[horizon];
        var a = Math.Max(1e-10, Alpha);
        var start = (1 - Math.Pow(1 - a, N)) / a;
        for (var h = 1; h <= horizon; h++)
        {
            var value = Level + (Drift * (h - 1 + start));
            result[h - 1] = Season is null ? value : value * Season[(N + h - 1) % Season.Length];
        }
        return result;
    }

    /// <summary>The standard deviation of the h-step error as thetaf gives it: σ·sqrt((h − 1)·α² + 1).</summary>
    public double[] ErrorScale(int horizon) =>
        Enumerable.Range(1, horizon).Select(h => Math.Sqrt(Sigma2) * Math.Sqrt(((h - 1) * Alpha * Alpha) + 1)).ToArray();
}

internal static class Theta
{
    public const string Name = "theta";

    /// <summary>
    /// Fits the Theta method. Seasonal adjustment (classical multiplicative decomposition) when the season length is above 1,
    /// the series is longer than two seasons, positive, and its autocorrelation at the season's lag is significant at 90 %
    /// (|r_m| above 1.645 times its standard error under the white-noise-plus-lower-lags hypothesis), as thetaf tests.
    /// </summary>
    public static ThetaModel Fit(double[] y, int m)
    {
        var n = y.Length;
        double[]? season = null;
        var x = y;
        if (m > 1 && n > 2 * m && y.Any(v => v != y[0]) && y.All(v => v > 0) && IsSeasonal(y, m))
        {
            var figure = MultiplicativeSeason(y, m);
            if (figure.All(f => Math.Abs(f) >= 1e-4))
            {
                season = figure;
                x = y.Select((v, t) => v / figure[t % m]).ToArray();
            }
        }
        var ses = Ets.Fit(x, false, false, 'N', 1);
        // R's ets: the residual variance over the observations less the parameters (alpha and the initial level).
        var sigma2 = ses.Sse / Math.Max(1, n - 2);
        return new ThetaModel(ses.Alpha, ses.Level, SeriesBuilder.Slope(x) / 2, n, sigma2, season);
    }

    /// <summary>thetaf's test on the sample autocorrelations r_1 … r_m (R's <c>acf</c>: lagged products over the full sum of squares).</summary>
    internal static bool IsSeasonal(double[] y, int m)
    {
        var r = Enumerable.Range(1, m).Select(k => SeriesBuilder.Autocorrelation(y, k)).ToArray();
        var stat = Math.Sqrt((1 + (2 * r.Take(m - 1).Sum(v => v * v))) / y.Length);
        return Math.Abs(r[m - 1]) / stat > 1.6448536269514722;
    }

    /// <summary>
    /// Classical multiplicative decomposition (R's <c>decompose</c>): the trend a centred moving average over one season
    /// (2×m for an even m), each point's ratio to it averaged by position in the cycle, the averages scaled to mean 1.
    /// </summary>
    internal static double[] MultiplicativeSeason(double[] y, int m)
    {
        var n = y.Length;
        var weights = m % 2 == 0
            ? [.. new[] { 0.5 / m }, .. Enumerable.Repeat(1.0 / m, m - 1), .. new[] { 0.5 / m }]
            : Enumerable.Repeat(1.0 / m, m).ToArray();
        var half = weights.Length / 2;
        var sums = new double[m];
        var counts = new int[m];
        for (var t = half; t < n - half; t++)
        {
            double trend = 0;
            for (var j = 0; j < weights.Length; j++)
            {
                trend += weights[j] * y[t - half + j];
            }
            sums[t % m] += y[t] / trend;
            counts[t % m]++;
        }
        var figure = sums.Select((s, i) => counts[i] == 0 ? 1 : s / counts[i]).ToArray();
        var mean = figure.Average();
        return figure.Select(f => f / mean).ToArray();
    }
}
