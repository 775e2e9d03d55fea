using Astralytiq.ML.Forecasting;
using Astralytiq.ML.Training;

namespace Astralytiq.Tests.ML;

/// <summary>Every metric against its reference value on known vectors (the examples of scikit-learn's documentation, or worked by hand).</summary>
public sealed class MetricsTests
{
    private static readonly double[] Actual = [3, -0.5, 2, 7];
    private static readonly double[] Predicted = [2.5, 0.0, 2, 8];

    [Fact]
    public void Regression_metrics_equal_their_formulas()
    {
        Assert.Equal(0.9486081370449679, Metrics.R2(Actual, Predicted), 12);
        Assert.Equal(Math.Sqrt(0.375), Metrics.Rmse(Actual, Predicted), 12);
        Assert.Equal(0.5, Metrics.Mae(Actual, Predicted), 12);
        Assert.Equal(((0.5 / 3) + 1 + 0 + (1.0 / 7)) / 4, Metrics.Mape(Actual, Predicted)!.Value, 12);
        // A zero actual is left out of MAPE; all zeros give none.
        Assert.Equal(0.5, Metrics.Mape([0, 2], [5, 1])!.Value, 12);
        Assert.Null(Metrics.Mape([0, 0], [1, 1]));
        // sMAPE: mean of 2|a−p|/(|a|+|p|); 0/0 counts 0.
        Assert.Equal(((2 * 0.5 / 5.5) + (2 * 0.5 / 0.5) + 0 + (2 * 1.0 / 15)) / 4, Metrics.Smape(Actual, Predicted), 12);
        Assert.Equal(0, Metrics.Smape([0], [0]));
        // A constant actual: R² is 1 when matched exactly, 0 otherwise.
        Assert.Equal(1, Metrics.R2([2, 2], [2, 2]));
        Assert.Equal(0, Metrics.R2([2, 2], [1, 3]));
    }

    [Fact]
    public void Mase_scales_by_the_in_sample_seasonal_naive_error()
    {
        double[] training = [1, 2, 3, 4, 5, 6];
        // Naive (lag 1) in-sample MAE is 1; the forecast's MAE is 2.
        Assert.Equal(2, Metrics.Mase([9, 10], [7, 12], training, 1), 12);
        // Lag 2: |3−1|,|4−2|,|5−3|,|6−4| → 2; MAE 2 → MASE 1.
        Assert.Equal(1, Metrics.Mase([9, 10], [7, 12], training, 2), 12);
        Assert.True(double.IsNaN(Metrics.Mase([1], [1], [5, 5, 5], 1)));
    }

    [Fact]
    public void Classification_metrics_equal_their_formulas()
    {
        int[] actual = [0, 1, 2, 0, 1, 2];
        int[] predicted = [0, 2, 1, 0, 0, 1];
        var confusion = Metrics.Confusion(actual, predicted, 3);
        Assert.Equal([[2L, 0, 0], [1L, 0, 1], [0L, 2, 0]], confusion);
        var (pMacro, rMacro, fMacro, pMicro, rMicro, fMicro) = Metrics.PrecisionRecallF1(confusion);
        Assert.Equal(0.2222222222222222, pMacro, 12);
        Assert.Equal(0.3333333333333333, rMacro, 12);
        Assert.Equal(0.26666666666666666, fMacro, 12);
        Assert.Equal(0.3333333333333333, pMicro, 12);
        Assert.Equal(0.3333333333333333, rMicro, 12);
        Assert.Equal(0.3333333333333333, fMicro, 12);
        Assert.Equal(2.0 / 6, Metrics.Accuracy(actual, predicted), 12);
    }

    [Fact]
    public void Ranking_metrics_equal_their_formulas()
    {
        bool[] positive = [false, false, true, true];
        double[] score = [0.1, 0.4, 0.35, 0.8];
        Assert.Equal(0.75, Metrics.RocAuc(positive, score)!.Value, 12);
        Assert.Equal(0.8333333333333333, Metrics.AveragePrecision(positive, score)!.Value, 12);
        // Ties count half.
        Assert.Equal(0.5, Metrics.RocAuc([false, true], [0.5, 0.5])!.Value, 12);
        Assert.Null(Metrics.RocAuc([true, true], [0.1, 0.2]));
        var curve = Metrics.RocCurve(positive, score);
        Assert.Equal([(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)], curve.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)));
        Assert.Null(curve[0].Threshold);
        Assert.Equal(0.8, curve[1].Threshold);
    }

    [Fact]
    public void Log_loss_equals_its_formula_and_clips_certain_mistakes()
    {
        // scikit-learn: log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) with classes [ham, spam].
        double[][] probabilities = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]];
        Assert.Equal(0.21616187468057912, Metrics.LogLoss([1, 0, 0, 1], probabilities), 12);
        Assert.Equal(-Math.Log(1e-15), Metrics.LogLoss([0], [[0.0, 1.0]]), 9);
        // Macro one-vs-rest AUC of a perfect ranking is 1.
        Assert.Equal(1, Metrics.MacroRocAuc([0, 1, 2], [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]], 3)!.Value, 12);
    }

    [Fact]
    public void The_conformal_interval_covers_the_promised_share_of_held_out_residuals()
    {
        var actual = Enumerable.Range(1, 19).Select(i => (double)i).ToArray();
        var predicted = new double[19];
        // Residuals 1..19: ⌈20·0.9⌉ = 18th smallest.
        Assert.Equal(18, ModelTrainer.ConformalHalfWidth(actual, predicted));
    }

    [Fact]
    public void Exponential_smoothing_recovers_a_trend_and_a_season()
    {
        var y = Enumerable.Range(0, 72).Select(t => 50 + (1.5 * t) + (10 * Math.Sin(2 * Math.PI * t / 12))).ToArray();
        var model = Ets.FitBest(y, 12);
        Assert.True(model.Trend);
        Assert.Equal('A', model.Season);
        var forecast = model.Forecast(12);
        for (var h = 0; h < 12; h++)
        {
            var t = 72 + h;
            Assert.Equal(50 + (1.5 * t) + (10 * Math.Sin(2 * Math.PI * t / 12)), forecast[h], 0.5);
        }
        // Error bands widen with the horizon.
        var scale = model.ErrorScale(12);
        Assert.True(scale.Zip(scale.Skip(1)).All(p => p.First <= p.Second));
    }

    [Fact]
    public void Season_detection_finds_a_yearly_cycle_in_monthly_data_and_none_in_noise()
    {
        var seasonal = Enumerable.Range(0, 60).Select(t => (0.5 * t) + (10 * Math.Sin(2 * Math.PI * t / 12))).ToArray();
        var random = new Random(1);
        var noise = Enumerable.Range(0, 60).Select(_ => random.NextDouble()).ToArray();
        var monthly = new Frequency("month", 0);
        Assert.Equal(12, SeriesBuilder.DetectSeason([seasonal], monthly));
        Assert.Equal(1, SeriesBuilder.DetectSeason([noise], monthly));
        Assert.Equal(1, SeriesBuilder.DetectSeason([seasonal], new Frequency("year", 0)));
    }
}
