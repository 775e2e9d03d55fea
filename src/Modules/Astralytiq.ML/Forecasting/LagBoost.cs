using System.Runtime.CompilerServices;

namespace Astralytiq.ML.Forecasting;

/// <summary>
/// Gradient boosting on lags: LightGBM learns the seasonal difference d_t = y_t − y_{t−D} (D = the season length,
/// 1 without a season) from the previous differences and the position in the season, so trees never have to
/// extrapolate a level or trend. Forecasts are recursive: each predicted step feeds the next one's lags. The
/// one-step error spread comes from a fit on the first 80 % of the samples scored on the last 20 %, not from
/// the (optimistic) training fit; the model used is then fitted on all samples.
/// </summary>
internal static class LagBoost
{
    public const string Name = "gbm_lags";
    private const int MinSamples = 16;
    private static readonly ConditionalWeakTable<byte[], Loaded> Engines = [];

    private sealed class Loaded(MLContext context, ITransformer model, int width)
    {
        public Lock Gate { get; } = new();

        public PredictionEngine<FeatureRow, ScoreOutput> Engine { get; } =
            context.Model.CreatePredictionEngine<FeatureRow, ScoreOutput>(model, inputSchemaDefinition: Learner.Schema(width, 2));
    }

    public static int Lags(int m) => Math.Clamp(m > 1 ? m + 1 : 4, 3, 25);

    /// <summary>Whether a series is long enough to learn from (enough samples after differencing and lags).</summary>
    public static bool Fits(int length, int m) => length - Math.Max(1, m) - Lags(m) >= MinSamples;

    private static float[] Features(IReadOnlyList<double> y, int t, int d, int lags, int m, double scale)
    {
        var features = new float[lags + 1];
        for (var k = 1; k <= lags; k++)
        {
            var i = t - k;
            features[k - 1] = (float)((y[i] - y[i - d]) / scale);
        }
        features[lags] = m > 1 ? t % m : 0;
        return features;
    }

    private static Dictionary<string, double> Parameters() => new()
    {
        ["num_leaves"] = 8, ["learning_rate"] = 0.05, ["iterations"] = 200, ["min_leaf"] = 3, ["l2"] = 1e-4,
    };

    public static SeriesModel Fit(string key, DateTime start, double[] y, int m, int tailStart, double[] tail, int seed)
    {
        var d = Math.Max(1, m);
        var lags = Lags(m);
        var diffs = Enumerable.Range(d, y.Length - d).Select(t => y[t] - y[t - d]).ToArray();
        var scale = Math.Max(1e-9, diffs.Select(Math.Abs).Average());
        var samples = Enumerable.Range(d + lags, y.Length - d - lags)
            .Select(t => new FeatureRow { Features = Features(y, t, d, lags, m, scale), Value = (float)((y[t] - y[t - d]) / scale) }).ToList();
        var cut = (int)(samples.Count * 0.8);
        var check = Learner.Fit(TaskKind.Regression, Learner.LightGbm, Parameters(), seed, samples[..cut], lags + 1, 2, CancellationToken.None);
        var held = Learner.Score(check, TaskKind.Regression, samples[cut..], lags + 1, 2).Values!;
        var sigma = scale * Math.Sqrt(held.Select((p, i) => (p - samples[cut + i].Value) * (p - samples[cut + i].Value)).Average());
        var fitted = Learner.Fit(TaskKind.Regression, Learner.LightGbm, Parameters(), seed, samples, lags + 1, 2, CancellationToken.None);
        using var buffer = new MemoryStream();
        fitted.Context!.Model.Save(fitted.Model!, null, buffer);
        // The recursion needs the last D + lags values; the tail kept for charts is at least that long.
        return new SeriesModel(key, Name, start, y.Length, tail, null, sigma, tailStart, buffer.ToArray(), scale);
    }

    public static (double[] Values, double[] Scale) Predict(SeriesModel series, int m, int horizon)
    {
        var d = Math.Max(1, m);
        var lags = Lags(m);
        var loaded = Engines.GetValue(series.Booster!, bytes =>
        {
            var context = new MLContext(0);
            using var stream = new MemoryStream(bytes);
            return new Loaded(context, context.Model.Load(stream, out _), lags + 1);
        });
        var history = series.Tail.ToList();
        // Positions in the season count from the series' start, as in training.
        var offset = series.TailStart;
        var values = new double[horizon];
        var scale = new double[horizon];
        lock (loaded.Gate)
        {
            for (var h = 0; h < horizon; h++)
            {
                var t = history.Count;
                var features = Features(history, t, d, lags, m, series.DiffScale);
                if (m > 1)
                {
                    features[lags] = (offset + t) % m;
                }
                var diff = loaded.Engine.Predict(new FeatureRow { Features = features }).Score * series.DiffScale;
                var value = history[t - d] + diff;
                history.Add(value);
                values[h] = value;
                scale[h] = series.Sigma * Math.Sqrt((h / d) + 1);
            }
        }
        return (values, scale);
    }
}
