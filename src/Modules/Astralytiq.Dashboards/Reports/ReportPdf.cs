using System.Reflection;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using Astralytiq.Platform.Pdf;

namespace Astralytiq.Dashboards.Reports;

/// <summary>
/// The PDF of a report (PDFsharp, MIT): a header with when and with which filters it was made, then each widget in reading
/// order — KPIs as numbers with their change, charts drawn as vector charts, tables as tables (repeating their header
/// across pages), text as text. Fonts are embedded in the kernel (<see cref="PdfFonts"/>), so no system fonts are needed.
/// </summary>
internal static class ReportPdf
{
    public const string Family = PdfFonts.Family;
    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Margin = 40;
    private const double ContentWidth = PageWidth - 2 * Margin;

    private static readonly XColor[] Palette =
    [
        XColor.FromArgb(25, 118, 210), XColor.FromArgb(56, 142, 60), XColor.FromArgb(245, 124, 0), XColor.FromArgb(142, 36, 170),
        XColor.FromArgb(0, 151, 167), XColor.FromArgb(211, 47, 47), XColor.FromArgb(121, 85, 72), XColor.FromArgb(96, 125, 139),
    ];


    public static ReportFile Render(ReportContent content)
    {
        PdfFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"{content.DashboardName} — {content.ReportName}";
        document.Info.Creator = "Astralytiq";
        // PDFsharp's deflate output trips some readers' checksum test (Ghostscript warns); plain streams read everywhere.
        document.Options.CompressContentStreams = false;
        var writer = new Writer(document, content.Numbers);
        writer.Heading(content.DashboardName, 20);
        writer.Line($"{content.ReportName} · data as of {content.LocalTime()}", 9, XColors.DimGray);
        if (content.Filters.Count > 0)
        {
            writer.Line("Filters: " + string.Join(", ", content.Filters), 9, XColors.DimGray);
        }
        if (!string.IsNullOrWhiteSpace(content.Message))
        {
            writer.Space(4);
            writer.Paragraph(content.Message!, 10);
        }
        writer.Space(10);
        foreach (var section in content.Sections)
        {
            writer.Section(section);
        }
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return new ReportFile(ReportFiles.Slug(content.DashboardName) + ".pdf", "pdf", ReportFiles.ContentType("pdf"), stream.ToArray());
    }

    private sealed class Writer(PdfDocument document, IFormatProvider numbers)
    {
        /// <summary>A cell as people read it, in the organisation's number format.</summary>
        private string Show(object? value) => Cells.Display(value, numbers);

        private XGraphics? _gfx;
        private double _y;

        private XGraphics Gfx
        {
            get
            {
                if (_gfx is null)
                {
                    NewPage();
                }
                return _gfx!;
            }
        }

        private void NewPage()
        {
            _gfx?.Dispose();
            var page = document.AddPage();
            page.Size = PageSize.A4;
            _gfx = XGraphics.FromPdfPage(page);
            _y = Margin;
            var footer = new XFont(Family, 7);
            _gfx.DrawText($"Astralytiq · page {document.PageCount}", footer, XBrushes.Gray, new XRect(Margin, PageHeight - Margin + 12, ContentWidth, 10), XStringFormats.TopRight);
        }

        /// <summary>Starts a new page unless <paramref name="height"/> points still fit on this one.</summary>
        private void Need(double height)
        {
            _ = Gfx;
            if (_y + height > PageHeight - Margin)
            {
                NewPage();
            }
        }

        public void Space(double points) => _y += points;

        public void Heading(string text, double size)
        {
            var font = new XFont(Family, size, XFontStyleEx.Bold);
            Need(size * 1.4);
            Gfx.DrawText(text, font, XBrushes.Black, new XRect(Margin, _y, ContentWidth, size * 1.4), XStringFormats.TopLeft);
            _y += size * 1.4;
        }

        public void Line(string text, double size, XColor color)
        {
            var font = new XFont(Family, size);
            Need(size * 1.5);
            Gfx.DrawText(Fit(text, font, ContentWidth), font, new XSolidBrush(color), new XRect(Margin, _y, ContentWidth, size * 1.5), XStringFormats.TopLeft);
            _y += size * 1.5;
        }

        public void Paragraph(string text, double size)
        {
            var font = new XFont(Family, size);
            foreach (var line in Wrap(text, font, ContentWidth))
            {
                Need(size * 1.4);
                Gfx.DrawText(line, font, XBrushes.Black, new XRect(Margin, _y, ContentWidth, size * 1.4), XStringFormats.TopLeft);
                _y += size * 1.4;
            }
        }

        private List<string> Wrap(string text, XFont font, double width) => Gfx.WrapText(text, font, width);

        /// <summary>Shortens text with an ellipsis to fit a width.</summary>
        private string Fit(string text, XFont font, double width) => Gfx.FitText(text, font, width);

        public void Section(ReportSection section)
        {
            var type = section.Widget.Type;
            var data = section.Data;
            var chartHeight = type switch
            {
                "kpi" => 50,
                "text" or "table" or "model_metrics" => 40,
                "bar" when data is not null => Math.Clamp(Math.Min(20, data.RowCount) * 18 + 12, 30, 200),
                _ => 200,
            };
            Need(22 + chartHeight);
            if (type != "text" || !string.IsNullOrWhiteSpace(section.Widget.Title))
            {
                Heading(section.Title, 12);
            }
            if (type == "text")
            {
                Paragraph(PlainText(section.Widget.Markdown ?? string.Empty), 10);
            }
            else if (data is null || data.RowCount == 0)
            {
                Line("No data", 10, XColors.Gray);
            }
            else
            {
                switch (type)
                {
                    case "kpi":
                        Kpi(data);
                        break;
                    case "table" or "model_metrics":
                        Table(data);
                        break;
                    default:
                        Chart(type, data, new XRect(Margin, _y, ContentWidth, chartHeight));
                        _y += chartHeight;
                        break;
                }
                if (data.Truncated)
                {
                    Line("Only the first rows are shown: the query's row limit was reached.", 8, XColors.Gray);
                }
            }
            _y += 14;
        }

        private void Kpi(Contracts.Dashboards.WidgetDataResponse data)
        {
            var value = data.Values[^1][0];
            var font = new XFont(Family, 28, XFontStyleEx.Bold);
            Gfx.DrawText(Show(value), font, XBrushes.Black, new XRect(Margin, _y, ContentWidth, 36), XStringFormats.TopLeft);
            _y += 36;
            if (data.Previous is { Count: > 0 } previous && previous[^1].Count > 0 && Cells.Number(value) is { } now && Cells.Number(previous[^1][0]) is { } before)
            {
                var change = before == 0 ? (double?)null : (now - before) / Math.Abs(before);
                var text = (change is { } c ? $"{(c >= 0 ? "▲" : "▼")} {Math.Abs(c).ToString("P1", numbers)}" : "—")
                    + $" vs {Show(previous[^1][0])} in {data.PreviousPeriod}";
                Line(text, 10, change is > 0 ? XColor.FromArgb(56, 142, 60) : change is < 0 ? XColor.FromArgb(211, 47, 47) : XColors.DimGray);
            }
        }

        private void Table(Contracts.Dashboards.WidgetDataResponse data)
        {
            var font = new XFont(Family, 8);
            var bold = new XFont(Family, 8, XFontStyleEx.Bold);
            const double rowHeight = 13;
            var columns = data.Columns.Count;
            var width = ContentWidth / Math.Max(1, columns);
            var numeric = Enumerable.Range(0, columns).Select(c => data.Values[c].Any(v => v is not null) && data.Values[c].All(v => v is null || Cells.IsNumber(v))).ToArray();
            void Header()
            {
                Need(rowHeight * 2);
                Gfx.DrawRectangle(new XSolidBrush(XColor.FromArgb(236, 239, 241)), Margin, _y, ContentWidth, rowHeight);
                for (var c = 0; c < columns; c++)
                {
                    Gfx.DrawText(Fit(data.Columns[c].Name, bold, width - 6), bold, XBrushes.Black, new XRect(Margin + c * width + 3, _y + 2, width - 6, rowHeight), numeric[c] ? XStringFormats.TopRight : XStringFormats.TopLeft);
                }
                _y += rowHeight;
            }
            Header();
            var shown = Math.Min(data.RowCount, ReportFiles.MaxTableRowsInPdf);
            for (var r = 0; r < shown; r++)
            {
                if (_y + rowHeight > PageHeight - Margin)
                {
                    NewPage();
                    Header();
                }
                for (var c = 0; c < columns; c++)
                {
                    Gfx.DrawText(Fit(Show(data.Values[c][r]), font, width - 6), font, XBrushes.Black, new XRect(Margin + c * width + 3, _y + 2, width - 6, rowHeight), numeric[c] ? XStringFormats.TopRight : XStringFormats.TopLeft);
                }
                Gfx.DrawLine(new XPen(XColor.FromArgb(224, 224, 224), 0.5), Margin, _y + rowHeight, Margin + ContentWidth, _y + rowHeight);
                _y += rowHeight;
            }
            if (data.RowCount > shown)
            {
                Line($"{shown:N0} of {data.RowCount:N0} rows shown; the CSV and XLSX files have them all.", 8, XColors.Gray);
            }
        }

        private void Chart(string type, Contracts.Dashboards.WidgetDataResponse data, XRect area)
        {
            var rows = data.RowCount;
            var labels = Enumerable.Range(0, rows).Select(r => data.Columns.Count > 1 ? Show(data.Values[0][r]) : "value").ToList();
            var values = Enumerable.Range(0, rows).Select(r => Cells.Number(data.Values[^1][r]) ?? double.NaN).ToList();
            switch (type)
            {
                case "forecast" when data.Columns.Count >= 4:
                    // History and forecast as one line (the forecast continues the history), the time as labels.
                    Xy(Enumerable.Range(0, rows).Select(r => ((double)r, Cells.Number(data.Values[2][r]) ?? Cells.Number(data.Values[3][r]) ?? double.NaN)).ToList(),
                        area, lines: true, fill: false, Enumerable.Range(0, rows).Select(r => Show(data.Values[0][r])).ToList());
                    break;
                case "pie":
                    Pie(labels, values, area);
                    break;
                case "scatter" when data.Columns.Count >= 2:
                    Xy(Enumerable.Range(0, rows).Select(r => (Cells.Number(data.Values[0][r]) ?? double.NaN, values[r])).ToList(), area, lines: false, fill: false, null);
                    break;
                case "line" or "area" when data.Columns.Count >= 2:
                    Xy(Enumerable.Range(0, rows).Select(r => ((double)r, values[r])).ToList(), area, lines: true, fill: type == "area", labels);
                    break;
                case "heatmap" when data.Columns.Count >= 3:
                    Heatmap(data, area);
                    break;
                case "histogram":
                    Columns(labels, values, area);
                    break;
                default:
                    Bars(labels, values, area);
                    break;
            }
        }

        private static (double Min, double Max) Range(IEnumerable<double> values, bool includeZero)
        {
            var finite = values.Where(double.IsFinite).ToList();
            var min = finite.Count == 0 ? 0 : finite.Min();
            var max = finite.Count == 0 ? 1 : finite.Max();
            if (includeZero)
            {
                (min, max) = (Math.Min(0, min), Math.Max(0, max));
            }
            return min == max ? (min - 1, max + 1) : (min, max);
        }

        /// <summary>An axis range widened to round steps (1, 2, 2.5 or 5 times a power of ten), four steps from bottom to top.</summary>
        private static (double Min, double Max) Nice((double Min, double Max) range)
        {
            var raw = (range.Max - range.Min) / 4;
            var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= raw);
            var min = Math.Floor(range.Min / step) * step;
            while (min + 4 * step < range.Max)
            {
                step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s > step);
                min = Math.Floor(range.Min / step) * step;
            }
            return (min, min + 4 * step);
        }

        private void Axes(XRect plot, double min, double max)
        {
            var font = new XFont(Family, 7);
            var pen = new XPen(XColor.FromArgb(224, 224, 224), 0.5);
            for (var i = 0; i <= 4; i++)
            {
                var v = min + (max - min) * i / 4;
                var y = plot.Bottom - plot.Height * i / 4;
                Gfx.DrawLine(pen, plot.Left, y, plot.Right, y);
                Gfx.DrawText(Show(Math.Round(v, 6)), font, XBrushes.DimGray, new XRect(plot.Left - 56, y - 4, 52, 9), XStringFormats.TopRight);
            }
            Gfx.DrawLine(XPens.Gray, plot.Left, plot.Top, plot.Left, plot.Bottom);
        }

        private void Xy(List<(double X, double Y)> points, XRect area, bool lines, bool fill, List<string>? labels)
        {
            var plot = new XRect(area.Left + 60, area.Top + 4, area.Width - 64, area.Height - 24);
            var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            var (ymin, ymax) = Nice(Range(finite.Select(p => p.Y), includeZero: fill));
            var (xmin, xmax) = Range(finite.Select(p => p.X), includeZero: false);
            Axes(plot, ymin, ymax);
            XPoint At((double X, double Y) p) => new(plot.Left + (p.X - xmin) / (xmax - xmin) * plot.Width, plot.Bottom - (p.Y - ymin) / (ymax - ymin) * plot.Height);
            var color = Palette[0];
            if (finite.Count > 0 && lines)
            {
                var xy = finite.Select(At).ToArray();
                if (fill)
                {
                    var baseline = plot.Bottom - (0 - ymin) / (ymax - ymin) * plot.Height;
                    var polygon = xy.Prepend(new XPoint(xy[0].X, baseline)).Append(new XPoint(xy[^1].X, baseline)).ToArray();
                    Gfx.DrawPolygon(new XSolidBrush(XColor.FromArgb(70, color.R, color.G, color.B)), polygon, XFillMode.Winding);
                }
                if (xy.Length > 1)
                {
                    Gfx.DrawLines(new XPen(color, 1.5), xy);
                }
                else
                {
                    Gfx.DrawEllipse(new XSolidBrush(color), xy[0].X - 2, xy[0].Y - 2, 4, 4);
                }
            }
            else
            {
                foreach (var p in finite.Select(At))
                {
                    Gfx.DrawEllipse(new XSolidBrush(XColor.FromArgb(160, color.R, color.G, color.B)), p.X - 2, p.Y - 2, 4, 4);
                }
            }
            var font = new XFont(Family, 7);
            if (labels is { Count: > 0 })
            {
                foreach (var i in new[] { 0, labels.Count / 2, labels.Count - 1 }.Distinct())
                {
                    var x = At(((double)i, ymin)).X;
                    var format = i == 0 ? XStringFormats.TopLeft : i == labels.Count - 1 ? XStringFormats.TopRight : XStringFormats.TopCenter;
                    var box = i == 0 ? new XRect(x, plot.Bottom + 4, 120, 10) : i == labels.Count - 1 ? new XRect(x - 120, plot.Bottom + 4, 120, 10) : new XRect(x - 60, plot.Bottom + 4, 120, 10);
                    Gfx.DrawText(labels[i], font, XBrushes.DimGray, box, format);
                }
            }
            else if (finite.Count > 0)
            {
                Gfx.DrawText(Show(Math.Round(xmin, 2)), font, XBrushes.DimGray, new XRect(plot.Left, plot.Bottom + 4, 100, 10), XStringFormats.TopLeft);
                Gfx.DrawText(Show(Math.Round(xmax, 2)), font, XBrushes.DimGray, new XRect(plot.Right - 100, plot.Bottom + 4, 100, 10), XStringFormats.TopRight);
            }
        }

        /// <summary>Horizontal bars with their labels and values (the 20 first rows).</summary>
        private void Bars(List<string> labels, List<double> values, XRect area)
        {
            var count = Math.Min(20, labels.Count);
            var font = new XFont(Family, 8);
            var rowHeight = Math.Min(18, area.Height / Math.Max(1, count));
            var (min, max) = Range(values.Take(count), includeZero: true);
            var left = area.Left + 120;
            var width = area.Width - 190;
            var zero = left + (0 - min) / (max - min) * width;
            for (var i = 0; i < count; i++)
            {
                var y = area.Top + i * rowHeight;
                Gfx.DrawText(Fit(labels[i], font, 114), font, XBrushes.Black, new XRect(area.Left, y + 2, 114, rowHeight), XStringFormats.TopLeft);
                if (double.IsFinite(values[i]))
                {
                    var x = left + (values[i] - min) / (max - min) * width;
                    Gfx.DrawRectangle(new XSolidBrush(Palette[0]), Math.Min(zero, x), y + 2, Math.Max(0.5, Math.Abs(x - zero)), rowHeight - 5);
                }
                Gfx.DrawText(double.IsFinite(values[i]) ? Show(values[i]) : "—", font, XBrushes.DimGray, new XRect(left + width + 6, y + 2, 64, rowHeight), XStringFormats.TopLeft);
            }
            if (labels.Count > count)
            {
                Gfx.DrawText($"first {count} of {labels.Count}", new XFont(Family, 7), XBrushes.Gray, new XRect(area.Left, area.Bottom - 9, area.Width, 9), XStringFormats.TopRight);
            }
        }

        /// <summary>Vertical columns (histograms): one per bin.</summary>
        private void Columns(List<string> labels, List<double> values, XRect area)
        {
            var plot = new XRect(area.Left + 60, area.Top + 4, area.Width - 64, area.Height - 24);
            var (min, max) = Nice(Range(values, includeZero: true));
            Axes(plot, min, max);
            var n = Math.Max(1, values.Count);
            var w = plot.Width / n;
            for (var i = 0; i < values.Count; i++)
            {
                if (!double.IsFinite(values[i]))
                {
                    continue;
                }
                var top = plot.Bottom - (values[i] - min) / (max - min) * plot.Height;
                var zero = plot.Bottom - (0 - min) / (max - min) * plot.Height;
                Gfx.DrawRectangle(new XSolidBrush(Palette[0]), plot.Left + i * w + 0.5, Math.Min(top, zero), Math.Max(0.5, w - 1), Math.Abs(zero - top));
            }
            var font = new XFont(Family, 7);
            if (labels.Count > 0)
            {
                Gfx.DrawText(labels[0], font, XBrushes.DimGray, new XRect(plot.Left, plot.Bottom + 4, 120, 10), XStringFormats.TopLeft);
                Gfx.DrawText(labels[^1], font, XBrushes.DimGray, new XRect(plot.Right - 120, plot.Bottom + 4, 120, 10), XStringFormats.TopRight);
            }
        }

        private void Pie(List<string> labels, List<double> values, XRect area)
        {
            var slices = labels.Zip(values).Where(s => double.IsFinite(s.Second) && s.Second > 0).OrderByDescending(s => s.Second).ToList();
            if (slices.Count > 8)
            {
                slices = [.. slices.Take(7), ("other", slices.Skip(7).Sum(s => s.Second))];
            }
            var total = slices.Sum(s => s.Second);
            if (total <= 0)
            {
                Gfx.DrawText("No positive values to show", new XFont(Family, 9), XBrushes.Gray, new XRect(area.Left, area.Top, area.Width, 12), XStringFormats.TopLeft);
                return;
            }
            var size = Math.Min(area.Height - 10, 180);
            var box = new XRect(area.Left + 10, area.Top + 5, size, size);
            var angle = -90.0;
            var font = new XFont(Family, 8);
            for (var i = 0; i < slices.Count; i++)
            {
                var sweep = 360 * slices[i].Second / total;
                Gfx.DrawPie(new XPen(XColors.White, 1), new XSolidBrush(Palette[i % Palette.Length]), box, angle, sweep);
                angle += sweep;
                var y = area.Top + 10 + i * 16;
                Gfx.DrawRectangle(new XSolidBrush(Palette[i % Palette.Length]), box.Right + 24, y + 1, 9, 9);
                var share = (slices[i].Second / total).ToString("P1", numbers);
                Gfx.DrawText(Fit($"{slices[i].First}: {Show(slices[i].Second)} ({share})", font, area.Right - box.Right - 40), font, XBrushes.Black,
                    new XRect(box.Right + 38, y, area.Right - box.Right - 40, 12), XStringFormats.TopLeft);
            }
        }

        /// <summary>A grid of the first two columns' values, shaded by the last column.</summary>
        private void Heatmap(Contracts.Dashboards.WidgetDataResponse data, XRect area)
        {
            var xs = data.Values[0].Select(Show).Distinct().Take(24).ToList();
            var ys = data.Values[1].Select(Show).Distinct().Take(12).ToList();
            var cells = Enumerable.Range(0, data.RowCount).Select(r => (X: Show(data.Values[0][r]), Y: Show(data.Values[1][r]), V: Cells.Number(data.Values[^1][r]) ?? double.NaN)).ToList();
            var (min, max) = Range(cells.Select(c => c.V), includeZero: false);
            var plot = new XRect(area.Left + 90, area.Top, area.Width - 90, area.Height - 14);
            var (w, h) = (plot.Width / Math.Max(1, xs.Count), plot.Height / Math.Max(1, ys.Count));
            var font = new XFont(Family, 7);
            foreach (var c in cells)
            {
                var (i, j) = (xs.IndexOf(c.X), ys.IndexOf(c.Y));
                if (i < 0 || j < 0 || !double.IsFinite(c.V))
                {
                    continue;
                }
                var t = (c.V - min) / (max - min);
                var color = XColor.FromArgb((int)(30 + t * 225), Palette[0].R, Palette[0].G, Palette[0].B);
                Gfx.DrawRectangle(new XSolidBrush(color), plot.Left + i * w, plot.Top + j * h, w - 1, h - 1);
            }
            for (var j = 0; j < ys.Count; j++)
            {
                Gfx.DrawText(Fit(ys[j], font, 86), font, XBrushes.DimGray, new XRect(area.Left, plot.Top + j * h + h / 2 - 4, 86, 9), XStringFormats.TopLeft);
            }
            if (xs.Count > 0)
            {
                Gfx.DrawText(xs[0], font, XBrushes.DimGray, new XRect(plot.Left, plot.Bottom + 3, 120, 9), XStringFormats.TopLeft);
                Gfx.DrawText(xs[^1], font, XBrushes.DimGray, new XRect(plot.Right - 120, plot.Bottom + 3, 120, 9), XStringFormats.TopRight);
            }
        }
    }

    /// <summary>Markdown as plain text: emphasis marks, heading marks and code ticks dropped, links as their text.</summary>
    internal static string PlainText(string markdown)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(markdown, @"\[([^\]]*)\]\([^)]*\)", "$1", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(\*\*|__|\*|`|^#{1,6}\s*)", string.Empty, System.Text.RegularExpressions.RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        return text;
    }
}
