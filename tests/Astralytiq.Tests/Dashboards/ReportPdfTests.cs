using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Dashboards.Reports;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Dashboards;

/// <summary>What a report's PDF says, read back from its text layer (PdfPig), without a server.</summary>
public sealed class ReportPdfTests
{
    // Latin with accents, Greek, Cyrillic, digits and punctuation (a T up front often), and the scripts the fallback fonts
    // draw: Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari, Bengali, Thai, Armenian, Georgian.
    private static readonly string[] Pieces =
    [
        .. "TTTabcXYZéÆøÅßΩμέγαПривет0123456789-&.,'() ".Select(c => c.ToString()),
        "销售", "東京", "カタカナ", "서울", "مبيعات", "שלום", "बिक्री", "বিক্রয়", "ขาย", "Երևան", "თბილისი",
    ];

    private static Gen<string> Label() => Gen.Choose(1, 12).SelectMany(n => Gen.Elements(Pieces).ArrayOf(n)).Select(string.Concat);

    private static string Letters(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Concat(document.GetPages().SelectMany(p => p.Letters).Select(l => l.Value));
    }

    private static ReportContent Content(string[] labels, string type, string locale = "en-US")
    {
        var columns = new List<ColumnDto> { new("product", "string", "VARCHAR", true), new("total", "decimal", "DOUBLE", true) };
        IReadOnlyList<IReadOnlyList<object?>> values = [labels.Cast<object?>().ToList(), labels.Select((_, i) => (object?)(1000.5 * (i + 1))).ToList()];
        var data = new WidgetDataResponse(Guid.Empty, "w", Guid.Empty, 1, columns, values, labels.Length, false, false, []);
        return new ReportContent("Board", "Report", DateTimeOffset.UnixEpoch, "UTC", [], null,
            [new ReportSection(new WidgetDto("w", type, new GridPositionDto(0, 0, 6, 4), "By product"), data)], Astralytiq.Contracts.Formatting.NumberCulture.For(locale));
    }

    [Theory]
    [InlineData("en-US", "1,000.5", "12,006")]
    [InlineData("de-DE", "1.000,5", "12.006")]
    [InlineData("fr-FR", "1\u202F000,5", "12\u202F006")]
    [InlineData("de-CH", "1’000.5", "12’006")]
    public void Numbers_are_written_in_the_organisations_format(string locale, string first, string twelfth)
    {
        var labels = Enumerable.Range(1, 12).Select(i => $"p{i}").ToArray();
        var text = Letters(ReportPdf.Render(Content(labels, "table", locale)).Content);
        Assert.Contains(System.Text.RegularExpressions.Regex.Unescape(first), text, StringComparison.Ordinal);
        Assert.Contains(System.Text.RegularExpressions.Regex.Unescape(twelfth), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_that_start_with_a_T_keep_it_in_tables_and_charts()
    {
        foreach (var type in new[] { "table", "bar", "pie" })
        {
            var text = Letters(ReportPdf.Render(Content(["Thingamajig", "Tool", "Tee", "AT&T"], type)).Content);
            Assert.All(new[] { "Thingamajig", "Tool", "Tee", "AT&T" }, label => Assert.Contains(label, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Labels_in_other_scripts_keep_every_letter_in_headings_tables_and_charts()
    {
        string[] labels = ["销售额 2024", "東京の店", "서울 매장", "مبيعات الربع", "חנות תל אביב", "बिक्री कुल", "ร้านค้า", "Zoë & 東京"];
        foreach (var type in new[] { "table", "bar", "pie" })
        {
            var pdf = ReportPdf.Render(Content(labels, type) with { DashboardName = "売上 · مبيعات · Umsatz" }).Content;
            var text = Letters(pdf);
            Assert.All(labels, label => Assert.Contains(label, text, StringComparison.Ordinal));
            Assert.Contains("売上 · مبيعات · Umsatz", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Only_iso_date_times_lose_their_T()
    {
        var text = Letters(ReportPdf.Render(Content(["2024-01-31T00:00:00", "2024-02-01T10:15:00", "T-shirt"], "table")).Content);
        Assert.Contains("2024-01-31", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2024-01-31T", text, StringComparison.Ordinal);
        Assert.Contains("2024-02-01 10:15:00", text, StringComparison.Ordinal);
        Assert.Contains("T-shirt", text, StringComparison.Ordinal);
    }

    /// <summary>Every generated label reaches the PDF's text layer exactly, letter for letter.</summary>
    [Property(MaxTest = 100)]
    public Property Every_label_survives_into_the_pdf_text_layer() =>
        Prop.ForAll(Label().ArrayOf().Select(a => a.Take(6).Distinct().ToArray()).Where(a => a.Length > 0).ToArbitrary(), labels =>
        {
            var text = Letters(ReportPdf.Render(Content(labels, "table")).Content);
            Assert.All(labels, label => Assert.Contains(label, text, StringComparison.Ordinal));
        });
}
