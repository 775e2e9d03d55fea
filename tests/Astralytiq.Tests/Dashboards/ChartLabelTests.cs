using Astralytiq.Web.Charts;

namespace Astralytiq.Tests.Dashboards;

/// <summary>Chart labels read as people write numbers: no scientific notation for ordinary amounts.</summary>
public sealed class ChartLabelTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(0.25, "0.25")]
    [InlineData(0.0012, "0.0012")]
    [InlineData(7, "7")]
    [InlineData(12.3456, "12.346")]
    [InlineData(5000, "5,000")]
    [InlineData(-5000, "-5,000")]
    [InlineData(98765.4, "98,765.4")]
    [InlineData(1234567.5, "1.23M")]
    [InlineData(-2500000, "-2.5M")]
    [InlineData(4.5e9, "4.5B")]
    [InlineData(2e12, "2T")]
    [InlineData(3.2e-7, "3.2E-7")]
    public void Values_are_labelled_with_separators_and_compact_suffixes(double value, string label) =>
        Assert.Equal(label, Plot.Label(value));
}
