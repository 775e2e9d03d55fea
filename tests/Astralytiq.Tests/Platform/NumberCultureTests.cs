using System.Globalization;
using Astralytiq.Contracts.Formatting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Platform;

/// <summary>The number format of a locale, as the web client, the PDF and the email write it.</summary>
public sealed class NumberCultureTests
{
    [Theory]
    [InlineData("en-US", "1,234,567.89", "12.5 %")]
    [InlineData("de-DE", "1.234.567,89", "12,5 %")]
    [InlineData("en-IN", "12,34,567.89", "12.5 %")]
    [InlineData("fr-FR", "1\u202F234\u202F567,89", "12,5 %")]
    [InlineData("", "1,234,567.89", "12.5 %")]
    [InlineData("xx-NOT-A-LOCALE", "1,234,567.89", "12.5 %")]
    public void A_locale_gives_its_separators_and_grouping(string locale, string number, string share)
    {
        var culture = NumberCulture.For(locale);
        Assert.Equal((number, share), (1_234_567.891.ToString("N2", culture), 0.125.ToString("P1", culture)));
    }

    [Theory]
    [InlineData(new[] { "1", "234", "567", "890" }, new[] { 3 })]
    [InlineData(new[] { "1", "23", "45", "67", "890" }, new[] { 3, 2 })]
    [InlineData(new[] { "1234567890" }, new[] { 0 })]
    [InlineData(new string[0], new[] { 3 })]
    public void Grouping_is_read_from_the_browsers_digit_groups(string[] groups, int[] sizes) =>
        Assert.Equal(sizes, NumberCulture.GroupSizes(groups));

    [Fact]
    public void Separators_from_the_browser_make_the_same_culture_as_the_servers()
    {
        var fromBrowser = NumberCulture.From(",", ".", NumberCulture.GroupSizes(["1", "234", "567", "890"]));
        Assert.Equal(9_876_543.21.ToString("#,0.##", NumberCulture.For("de-DE")), 9_876_543.21.ToString("#,0.##", fromBrowser));
    }

    [Fact]
    public void Every_offered_locale_is_one_the_server_accepts() =>
        Assert.All(NumberCulture.Common, c => Assert.Equal(c.Name, CultureInfo.GetCultureInfo(c.Name, predefinedOnly: true).Name));

    /// <summary>What is written in a locale reads back as the same number in it (no separator taken for another).</summary>
    [Property(MaxTest = 200)]
    public Property A_number_written_in_a_locale_reads_back_in_it() =>
        Prop.ForAll(Gen.Elements(NumberCulture.Common.Select(c => c.Name).ToArray()).ToArbitrary(),
            Gen.Choose(-1_000_000, 1_000_000).Select(i => i * 1234.567).ToArbitrary(), (locale, value) =>
            {
                var culture = NumberCulture.For(locale);
                var written = value.ToString("N2", culture);
                Assert.Equal(double.Parse(value.ToString("F2", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), double.Parse(written, NumberStyles.Number, culture));
            });
}
