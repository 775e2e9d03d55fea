using Astralytiq.Contracts.Formatting;

namespace Astralytiq.Tests.Platform;

/// <summary>Metrics as people read them: the one rule the web client and documents share.</summary>
public sealed class MetricFormatTests
{
    [Theory]
    [InlineData("r2", 0.99996, "0.99996")]      // never rounded up to a perfect score
    [InlineData("r2", 0.97213, "0.9721")]
    [InlineData("r2", 1.0, "1.0000")]
    [InlineData("r2", -0.0938, "-0.0938")]
    [InlineData("mape", 0.0262, "2.62 %")]      // a share is a percentage
    [InlineData("accuracy", 0.8333333, "83.33 %")]
    [InlineData("accuracy", 0.99999, "99.999 %")]
    [InlineData("interval_coverage", 0.9, "90.00 %")]
    [InlineData("rmse", 1_750_000.4, "1,750,000")] // no scientific notation, thousands separated
    [InlineData("rmse", 243.796142578125, "243.8")]
    [InlineData("mae", 3.14159, "3.14")]
    [InlineData("mase", 0.012345, "0.0123")]
    [InlineData("log_loss", 0.00001234, "1.234E-5")]
    [InlineData("R²", 0.5, "0.5000")]
    public void A_metric_reads_as_people_expect(string metric, double value, string shown) =>
        Assert.Equal(shown, MetricFormat.Show(metric, value));

    [Theory]
    [InlineData("r2", "R²")]
    [InlineData("roc_auc", "ROC AUC")]
    [InlineData("mase", "MASE")]
    [InlineData("accuracy", "Accuracy")]
    public void A_metric_is_named_as_people_write_it(string metric, string name) => Assert.Equal(name, MetricFormat.Name(metric));

    [Fact]
    public void A_missing_or_undefined_value_is_a_dash() =>
        Assert.Equal(["—", "—", "—"], new double?[] { null, double.NaN, double.PositiveInfinity }.Select(v => MetricFormat.Show("r2", v)));

    [Fact]
    public void A_tenants_locale_gives_its_separators() =>
        Assert.Equal(("1.750.000", "2,62 %"), (MetricFormat.Format("rmse", 1_750_000, System.Globalization.CultureInfo.GetCultureInfo("de-DE")), MetricFormat.Format("mape", 0.0262, System.Globalization.CultureInfo.GetCultureInfo("de-DE"))));
}
