using Astralytiq.Platform.Pdf;
using Astralytiq.Tenancy.Contracts;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Astralytiq.Billing.Invoices;

/// <summary>
/// An invoice as a one-or-more-page A4 PDF (PDFsharp, with the kernel's embedded fonts so names in any script keep their
/// letters): a band in the organisation's colour, seller and customer, number, dates and status, the lines with their
/// amounts, then subtotal, tax, credit and total. Amounts are in the organisation's number format with the currency code.
/// </summary>
internal static class InvoicePdf
{
    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Margin = 48;
    private const double ContentWidth = PageWidth - (2 * Margin);
    private const double AmountWidth = 110;

    public static InvoiceFile Render(Invoice invoice, IReadOnlyList<InvoiceLine> lines, TenantProfile? tenant, BillingSettings settings, IFormatProvider numbers)
    {
        PdfFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"Invoice {invoice.Number}";
        document.Info.Author = settings.Seller;
        document.Info.Creator = "Astralytiq";
        document.Options.CompressContentStreams = false;
        var brand = Colour(tenant?.PrimaryColor);
        var page = document.AddPage();
        page.Size = PageSize.A4;
        var gfx = XGraphics.FromPdfPage(page);
        var regular = new XFont(PdfFonts.Family, 9.5);
        var small = new XFont(PdfFonts.Family, 8);
        var bold = new XFont(PdfFonts.Family, 9.5, XFontStyleEx.Bold);
        var title = new XFont(PdfFonts.Family, 20, XFontStyleEx.Bold);
        string Money(long cents) => $"{invoice.Currency} {InvoiceMath.Money(cents, numbers)}";
        string Day(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

        gfx.DrawRectangle(new XSolidBrush(brand), 0, 0, PageWidth, 10);
        var y = Margin;
        gfx.DrawText("Invoice", title, XBrushes.Black, new XRect(Margin, y, ContentWidth / 2, 26), XStringFormats.TopLeft);
        gfx.DrawText(invoice.Number, new XFont(PdfFonts.Family, 12, XFontStyleEx.Bold), new XSolidBrush(brand), new XRect(Margin + (ContentWidth / 2), y + 4, ContentWidth / 2, 16), XStringFormats.TopRight);
        y += 36;

        // Seller on the left, customer on the right.
        var left = new List<(string Text, XFont Font)> { (settings.Seller, bold) };
        left.AddRange((settings.SellerDetails ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => (l, regular)));
        var right = new List<(string Text, XFont Font)> { ("Billed to", small), (invoice.BillTo, bold) };
        right.AddRange((invoice.BillToAddress ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => (l, regular)));
        if (invoice.BillToTaxId is { } taxId)
        {
            right.Add(("Tax number: " + taxId, regular));
        }
        if (invoice.BillToEmail is { } email)
        {
            right.Add((email, regular));
        }
        var top = y;
        foreach (var (text, font) in left)
        {
            gfx.DrawText(gfx.FitText(text, font, (ContentWidth / 2) - 10), font, XBrushes.Black, new XRect(Margin, y, (ContentWidth / 2) - 10, 13), XStringFormats.TopLeft);
            y += 13;
        }
        var yRight = top;
        foreach (var (text, font) in right)
        {
            gfx.DrawText(gfx.FitText(text, font, ContentWidth / 2), font, font == small ? XBrushes.Gray : XBrushes.Black, new XRect(Margin + (ContentWidth / 2), yRight, ContentWidth / 2, 13), XStringFormats.TopLeft);
            yRight += 13;
        }
        y = Math.Max(y, yRight) + 14;

        var facts = new (string Label, string Value)[]
        {
            ("Period", InvoiceMath.Range(invoice.PeriodStart, invoice.PeriodEnd)),
            ("Issued", Day(invoice.IssuedAt)),
            (invoice.Status == Invoice.Paid ? "Paid" : "Due", invoice.Status == Invoice.Paid ? Day(invoice.PaidAt ?? invoice.IssuedAt) : Day(invoice.DueAt)),
            ("Status", invoice.Status == Invoice.Paid ? "Paid" : invoice.Status == Invoice.Void ? "Void" : "Open"),
        };
        var column = ContentWidth / facts.Length;
        for (var i = 0; i < facts.Length; i++)
        {
            gfx.DrawText(facts[i].Label, small, XBrushes.Gray, new XRect(Margin + (i * column), y, column, 11), XStringFormats.TopLeft);
            gfx.DrawText(gfx.FitText(facts[i].Value, bold, column - 6), bold, XBrushes.Black, new XRect(Margin + (i * column), y + 11, column, 13), XStringFormats.TopLeft);
        }
        y += 40;

        // The lines.
        gfx.DrawRectangle(new XSolidBrush(XColor.FromArgb(40, brand)), Margin, y, ContentWidth, 18);
        gfx.DrawText("Description", bold, XBrushes.Black, new XRect(Margin + 6, y + 4, ContentWidth - AmountWidth, 12), XStringFormats.TopLeft);
        gfx.DrawText("Amount", bold, XBrushes.Black, new XRect(Margin + ContentWidth - AmountWidth, y + 4, AmountWidth - 6, 12), XStringFormats.TopRight);
        y += 22;
        foreach (var line in lines.Where(l => l.Kind is InvoiceLine.Base or InvoiceLine.Overage))
        {
            var wrapped = gfx.WrapText(line.Description, regular, ContentWidth - AmountWidth - 12);
            if (y + (wrapped.Count * 13) + 8 > PageHeight - Margin - 90)
            {
                gfx.Dispose();
                page = document.AddPage();
                page.Size = PageSize.A4;
                gfx = XGraphics.FromPdfPage(page);
                y = Margin;
            }
            for (var i = 0; i < wrapped.Count; i++)
            {
                gfx.DrawText(wrapped[i], regular, XBrushes.Black, new XRect(Margin + 6, y + (i * 13), ContentWidth - AmountWidth - 12, 13), XStringFormats.TopLeft);
            }
            gfx.DrawText(Money(line.AmountCents), regular, XBrushes.Black, new XRect(Margin + ContentWidth - AmountWidth, y, AmountWidth - 6, 13), XStringFormats.TopRight);
            y += (wrapped.Count * 13) + 6;
            gfx.DrawLine(new XPen(XColors.LightGray, 0.5), Margin, y - 3, Margin + ContentWidth, y - 3);
        }
        y += 6;
        var totals = new List<(string Label, long Cents, bool Strong)> { ("Subtotal", invoice.SubtotalCents, false) };
        totals.AddRange(lines.Where(l => l.Kind == InvoiceLine.Tax).Select(l => (l.Description, l.AmountCents, false)));
        totals.AddRange(lines.Where(l => l.Kind == InvoiceLine.Credit).Select(l => (l.Description, l.AmountCents, false)));
        totals.Add(("Total", invoice.TotalCents, true));
        foreach (var (label, cents, strong) in totals)
        {
            var font = strong ? new XFont(PdfFonts.Family, 11, XFontStyleEx.Bold) : regular;
            gfx.DrawText(label, font, XBrushes.Black, new XRect(Margin + ContentWidth - AmountWidth - 200, y, 194, 14), XStringFormats.TopRight);
            gfx.DrawText(Money(cents), font, XBrushes.Black, new XRect(Margin + ContentWidth - AmountWidth, y, AmountWidth - 6, 14), XStringFormats.TopRight);
            y += strong ? 18 : 14;
        }
        if (invoice.Status == Invoice.Open && settings.PaymentInstructions is { } how)
        {
            y += 16;
            gfx.DrawText("How to pay", bold, XBrushes.Black, new XRect(Margin, y, ContentWidth, 13), XStringFormats.TopLeft);
            y += 14;
            foreach (var text in gfx.WrapText(how, regular, ContentWidth))
            {
                gfx.DrawText(text, regular, XBrushes.Black, new XRect(Margin, y, ContentWidth, 13), XStringFormats.TopLeft);
                y += 13;
            }
        }
        gfx.DrawText($"{settings.Seller} · invoice {invoice.Number}", small, XBrushes.Gray, new XRect(Margin, PageHeight - Margin + 16, ContentWidth, 10), XStringFormats.TopLeft);
        gfx.Dispose();
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return new InvoiceFile($"invoice-{invoice.Number}.pdf", stream.ToArray());
    }

    /// <summary>The organisation's colour (#RRGGBB); a dark blue when it has none that reads.</summary>
    internal static XColor Colour(string? hex) =>
        hex is { Length: 7 } && hex[0] == '#' && int.TryParse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb)
            ? XColor.FromArgb((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF)
            : XColor.FromArgb(0x39, 0x49, 0xAB);
}
