using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Astralytiq.ML.Forecasting;

/// <summary>
/// Exponential smoothing (Holt-Winters family) in error-correction form: level, optional (damped) additive trend,
/// optional additive or multiplicative season. Smoothing parameters are fitted by minimizing the one-step-ahead
/// squared error with Nelder-Mead (MathNet.Numerics) over a bounded reparametrization
/// (0 &lt; α &lt; 1, 0 &lt; β &lt; α, 0 &lt; γ &lt; 1 − α, 0.8 ≤ φ ≤ 0.98); the variant is chosen by AICc, as R's <c>ets</c> does.
/// </summary>
internal sealed record EtsModel(
    bool Trend,
    bool Damped,
    char Season,
    int SeasonLength,
    double Alpha,
    double Beta,
    double Gamma,
    double Phi,
    double Level,
    double Slope,
    double[] Seasonals,
    double Sigma,
    double Sse,
    int N)
{
    public string Name => $"ets({(Trend ? (Damped ? "Ad" : "A") : "N")},{Season})";

    /// <summary>Smoothing parameters plus initial states (level; slope; the seasons, one less as they are normalized).</summary>
    public int ParameterCount => 1 + (Trend ? 2 : 0) + (Damped ? 1 : 0) + (Season != 'N' ? 1 + (SeasonLength - 1) : 0) + 1;

    public double Aicc
    {
        get
        {
            var k = ParameterCount + 1;
            var ll = N * Math.Log(Math.Max(Sse, 1e-300) / N);
            return N - k - 1 <= 0 ? double.PositiveInfinity : ll + (2 * k) + (2.0 * k * (k + 1) / (N - k - 1));
        }
    }

    public double[] Forecast(int horizon)
    {
        var result = new double[horizon];
        double damp = 0, power = 1;
        for (var h = 1; h <= horizon; h++)
        {
            power *= Trend ? (Damped ? Phi : 1) : 0;
            damp += power;
            var point = Level + (Trend ? damp * Slope : 0);
            var s = Season == 'N' ? 0 : Seasonals[(h - 1) % SeasonLength];
            result[h - 1] = Season switch { 'A' => point + s, 'M' => point * s, _ => point };
        }
        return result;
    }

    /// <summary>Standard deviation of the h-step error: σ·sqrt(1 + Σ_{j&lt;h} c_j²), c_j = α(1 + jβ/α·…) for the additive forms (an approximation for the multiplicative season).</summary>
    public double[] ErrorScale(int horizon)
    {
        var result = new double[horizon];
        double sum = 1;
        for (var h = 1; h <= horizon; h++)
        {
            result[h - 1] = Sigma * Math.Sqrt(sum);
            var j = h;
            var damp = Trend ? (Damped ? Enumerable.Range(1, j).Sum(i => Math.Pow(Phi, i)) : j) : 0;
            var c = Alpha + (Beta * damp) + (Season != 'N' && j % SeasonLength == 0 ? Gamma : 0);
            sum += c * c;
        }
        return result;
    }
}

internal static class Ets
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static (double Alpha, double Beta, double Gamma, double Phi) Parameters(Vector<double> x, bool trend, bool damped, bool season)
    {
        var alpha = 0.0001 + (0.9998 * Sigmoid(x[0]));
        var beta = trend ? alpha * Sigmoid(x[1]) : 0;
        var gamma = season ? (1 - alpha) * Sigmoid(x[2]) : 0;
        var phi = damped ? 0.8 + (0.18 * Sigmoid(x[3])) : 1;
        return (alpha, beta, gamma, phi);
    }

    /// <summary>Runs the recursions; returns the SSE of one-step errors and the final states.</summary>
    private static (double Sse, double Level, double Slope, double[] Seasonals) Run(double[] y, bool trend, char season, int m,
        double alpha, double beta, double gamma, double phi, (double Level, double Slope, double[] Seasonal) start, double[]? fitted = null)
    {
        var (level, slope) = (start.Level, start.Slope);
        var seasonal = (double[])start.Seasonal.Clone();
        double sse = 0;
        var d = trend ? phi : 0;
        for (var t = 0; t < y.Length; t++)
        {
            var s = season == 'N' ? 0 : seasonal[t % m];
            var baseline = level + (d * slope);
            var prediction = season switch { 'A' => baseline + s, 'M' => baseline * s, _ => baseline };
            if (fitted is not null)
            {
                fitted[t] = prediction;
            }
            var e = y[t] - prediction;
            sse += e * e;
            switch (season)
            {
                case 'M':
                {
                    var sn = s == 0 ? 1e-9 : s;
                    level = baseline + (alpha * e / sn);
                    slope = (d * slope) + (beta * e / sn);
                    seasonal[t % m] = s + (gamma * e / (baseline == 0 ? 1e-9 : baseline));
                    break;
                }
                default:
                    level = baseline + (alpha * e);
                    slope = (d * slope) + (beta * e);
                    if (season == 'A')
                    {
                        seasonal[t % m] = s + (gamma * e);
                    }
                    break;
            }
            if (!double.IsFinite(level))
            {
                return (double.PositiveInfinity, level, slope, seasonal);
            }
        }
        // Rotate so that Seasonals[0] is the season of the first step after the data.
        var rotated = new double[seasonal.Length];
        for (var i = 0; i < seasonal.Length; i++)
        {
            rotated[i] = seasonal[(y.Length + i) % seasonal.Length];
        }
        return (sse, level, trend ? slope : 0, rotated);
    }

    /// <summary>
    /// Starting states, as classical decomposition gives them: a line through the first two seasons (its slope from the
    /// difference of their means) or the first ten points (least squares) for level and trend, placed one step before the data; each season's average
    /// deviation (or ratio) from that line, normalized to sum 0 (or average 1).
    /// </summary>
    internal static (double Level, double Slope, double[] Seasonal) InitialStates(double[] y, bool trend, char season, int m)
    {
        var span = season != 'N' ? Math.Min(y.Length, 2 * m) : Math.Min(y.Length, 10);
        var xMean = (span - 1) / 2.0;
        var yMean = y.Take(span).Average();
        double sxy = 0, sxx = 0;
        for (var i = 0; i < span; i++)
        {
            sxy += (i - xMean) * (y[i] - yMean);
            sxx += (i - xMean) * (i - xMean);
        }
        var slope = trend && sxx > 0 ? sxy / sxx : 0;
        if (trend && season != 'N' && y.Length >= 2 * m)
        {
            // Whole seasons average the season out: the change of the seasonal means is the trend.
            slope = (y.Skip(m).Take(m).Average() - y.Take(m).Average()) / m;
        }
        var level = season == 'N' && !trend ? y[0] : yMean - (slope * (xMean + 1));
        var seasonal = new double[Math.Max(1, m)];
        if (season == 'N')
        {
            return (level, slope, seasonal);
        }
        var counts = new int[m];
        for (var i = 0; i < span; i++)
        {
            var line = level + (slope * (i + 1));
            seasonal[i % m] += season == 'A' ? y[i] - line : (line == 0 ? 1 : y[i] / line);
            counts[i % m]++;
        }
        for (var i = 0; i < m; i++)
        {
            seasonal[i] /= Math.Max(1, counts[i]);
        }
        var center = seasonal.Average();
        for (var i = 0; i < m; i++)
        {
            seasonal[i] = season == 'A' ? seasonal[i] - center : (center == 0 ? 1 : seasonal[i] / center);
        }
        return (level, slope, seasonal);
    }

    public static EtsModel Fit(double[] y, bool trend, bool damped, char season, int m)
    {
        var seasonLength = season == 'N' ? 1 : m;
        // The starting level and slope are fitted too (as offsets from the decomposition's, in units of the data's
        // spread), alongside the smoothing parameters.
        var initial = InitialStates(y, trend, season, seasonLength);
        var spread = Math.Max(1e-9, Math.Sqrt(y.Select(v => (v - y.Average()) * (v - y.Average())).Average()));
        (double, double, double[]) Start(Vector<double> x) =>
            (initial.Level + (x[4] * spread), trend ? initial.Slope + (x[5] * spread / Math.Max(1, seasonLength)) : 0, initial.Seasonal);
        double Objective(Vector<double> x)
        {
            var (a, b, g, p) = Parameters(x, trend, damped, season != 'N');
            return Run(y, trend, season, seasonLength, a, b, g, p, Start(x)).Sse;
        }
        // Nelder-Mead from a few starting points (low, middle and high smoothing); the best end point wins.
        double[][] starts = [[-1.0, -1.0, -2.0, 1.0, 0, 0], [1.5, -2.0, -1.0, 0.0, 0, 0], [-2.5, -3.0, -3.0, 2.0, 0, 0], [3.0, 0.0, 0.0, -1.0, 0, 0]];
        var best = Vector<double>.Build.DenseOfArray(starts[0]);
        var bestValue = Objective(best);
        foreach (var s in starts)
        {
            var start = Vector<double>.Build.DenseOfArray(s);
            Vector<double> end;
            try
            {
                end = new NelderMeadSimplex(1e-9, 6000).FindMinimum(ObjectiveFunction.Value(Objective), start).MinimizingPoint;
            }
            catch (MaximumIterationsException)
            {
                // Not converged within the iteration cap from this start: its starting point still competes below.
                end = start;
            }
            var value = Objective(end);
            if (value < bestValue)
            {
                (best, bestValue) = (end, value);
            }
        }
        var (alpha, beta, gamma, phi) = Parameters(best, trend, damped, season != 'N');
        var (sse, level, slope, seasonals) = Run(y, trend, season, seasonLength, alpha, beta, gamma, phi, Start(best));
        var sigma = Math.Sqrt(sse / Math.Max(1, y.Length - 1));
        return new EtsModel(trend, damped, season, seasonLength, alpha, beta, gamma, phi, level, slope, seasonals, sigma, sse, y.Length);
    }

    /// <summary>Fits every variant the series allows and keeps the lowest AICc.</summary>
    public static EtsModel FitBest(double[] y, int m)
    {
        var candidates = new List<EtsModel>();
        var seasons = new List<char> { 'N' };
        if (m > 1 && y.Length >= (2 * m) + 2)
        {
            seasons.Add('A');
            if (y.All(v => v > 0))
            {
                seasons.Add('M');
            }
        }
        foreach (var season in seasons)
        {
            candidates.Add(Fit(y, false, false, season, m));
            if (y.Length >= 6)
            {
                candidates.Add(Fit(y, true, false, season, m));
                candidates.Add(Fit(y, true, true, season, m));
            }
        }
        return candidates.Where(c => double.IsFinite(c.Aicc)).OrderBy(c => c.Aicc).FirstOrDefault() ?? candidates[0];
    }
}
