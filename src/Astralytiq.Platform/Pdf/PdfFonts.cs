using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;

namespace Astralytiq.Platform.Pdf;

/// <summary>
/// The fonts of every PDF the platform makes (reports, invoices), embedded in this assembly (no system fonts needed): Liberation Sans for Latin, Greek and Cyrillic,
/// then Noto Sans for Arabic, Hebrew, Devanagari, Bengali, Thai, Armenian and Georgian, Droid Sans Fallback for
/// Chinese and Japanese, and Nanum Gothic Coding for Korean. Text is drawn in runs, each in the first font that has its letters, so a label in any of
/// these scripts keeps every letter, on the page and in the text layer. (Arabic and Hebrew are placed right to left, their
/// letters kept in reading order in the text layer; Arabic letters are not joined as a text shaper would join them.)
/// </summary>
public static class PdfFonts
{
    /// <summary>The family text is drawn in first (Latin, Greek, Cyrillic); other scripts fall back by run.</summary>
    public const string Family = "Liberation Sans";

    private sealed record Face(string Family, string Regular, string? Bold);

    private static readonly Face[] Faces =
    [
        new(Family, "LiberationSans-Regular", "LiberationSans-Bold"),
        new("Noto Sans Arabic", "NotoSansArabic-Regular", null),
        new("Noto Sans Hebrew", "NotoSansHebrew-Regular", null),
        new("Noto Sans Devanagari", "NotoSansDevanagari-Regular", null),
        new("Noto Sans Bengali", "NotoSansBengali-Regular", null),
        new("Noto Sans Thai", "NotoSansThai-Regular", null),
        new("Noto Sans Armenian", "NotoSansArmenian-Regular", null),
        new("Noto Sans Georgian", "NotoSansGeorgian-Regular", null),
        new("Droid Sans Fallback", "DroidSansFallbackFull", null),
        new("Nanum Gothic Coding", "NanumGothicCoding", null),
    ];

    private static readonly Lazy<HashSet<int>[]> Coverage = new(() => Faces.Select(f => CharacterMap(Bytes(f.Regular)!)).ToArray());

    private static readonly Lock ResolverLock = new();

    public static void Install()
    {
        lock (ResolverLock)
        {
            GlobalFontSettings.FontResolver ??= new Resolver();
        }
    }

    /// <summary>The text cut where the font that draws it changes (a single run when the first font draws it all).</summary>
    public static List<(string Text, string Family)> Runs(string text)
    {
        var runs = new List<(string Text, string Family)>();
        var coverage = Coverage.Value;
        var current = new StringBuilder();
        var family = Faces[0].Family;
        foreach (var rune in text.EnumerateRunes())
        {
            // A space stays in the run it is in; a letter no font has stays in the current run (drawn as a box, kept in the text layer).
            var index = Array.FindIndex(coverage, c => c.Contains(rune.Value));
            var wanted = index < 0 || (Rune.IsWhiteSpace(rune) && current.Length > 0) ? family : Faces[index].Family;
            if (wanted != family && current.Length > 0)
            {
                runs.Add((current.ToString(), family));
                current.Clear();
            }
            family = wanted;
            current.Append(rune.ToString());
        }
        if (current.Length > 0)
        {
            runs.Add((current.ToString(), family));
        }
        return runs;
    }

    private static XFont In(XFont font, string family) => family == Family ? font : new XFont(family, font.Size, font.Style);

    /// <summary>The width of text drawn in its runs.</summary>
    /// <summary>The text, shortened with an ellipsis when it is wider than <paramref name="width"/>.</summary>
    public static string FitText(this XGraphics graphics, string text, XFont font, double width)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (graphics.MeasureText(text, font).Width <= width)
        {
            return text;
        }
        var cut = text;
        while (cut.Length > 1 && graphics.MeasureText(cut + "…", font).Width > width)
        {
            cut = cut[..^1];
        }
        return cut + "…";
    }

    /// <summary>The text broken into lines at spaces to fit <paramref name="width"/> (each paragraph's last line shortened if a word alone is too wide).</summary>
    public static List<string> WrapText(this XGraphics graphics, string text, XFont font, double width)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var current = string.Empty;
            foreach (var word in paragraph.Split(' '))
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (current.Length > 0 && graphics.MeasureText(candidate, font).Width > width)
                {
                    lines.Add(current);
                    current = word;
                }
                else
                {
                    current = candidate;
                }
            }
            lines.Add(graphics.FitText(current, font, width));
        }
        return lines;
    }

    public static XSize MeasureText(this XGraphics graphics, string text, XFont font)
    {
        var runs = Runs(text);
        if (runs.Count <= 1)
        {
            return graphics.MeasureString(text, runs.Count == 0 ? font : In(font, runs[0].Family));
        }
        var sizes = runs.Select(r => graphics.MeasureString(r.Text, In(font, r.Family))).ToList();
        return new XSize(sizes.Sum(s => s.Width), sizes.Max(s => s.Height));
    }

    /// <summary>
    /// Draws text in its runs, placed in the box as the format says (left, centre or right; top, middle or bottom). Every
    /// run sits on the first font's baseline, whatever its own font's ascent (Arabic fonts reach far higher than Latin).
    /// </summary>
    public static void DrawText(this XGraphics graphics, string text, XFont font, XBrush brush, XRect box, XStringFormat format)
    {
        var runs = Runs(text);
        if (runs.Count == 0 || (runs.Count == 1 && runs[0].Family == Family))
        {
            graphics.DrawString(text, font, brush, box, format);
            return;
        }
        var widths = runs.Select(r => graphics.MeasureString(r.Text, In(font, r.Family)).Width).ToList();
        var total = widths.Sum();
        var x = format.Alignment switch
        {
            XStringAlignment.Far => box.Right - total,
            XStringAlignment.Center => box.Left + (box.Width - total) / 2,
            _ => box.Left,
        };
        var metrics = font.Metrics;
        var ascent = font.Size * metrics.Ascent / metrics.UnitsPerEm;
        var descent = font.Size * Math.Abs((double)metrics.Descent) / metrics.UnitsPerEm;
        var baseline = format.LineAlignment switch
        {
            XLineAlignment.Far => box.Bottom - descent,
            XLineAlignment.Center => box.Top + (box.Height + ascent - descent) / 2,
            XLineAlignment.BaseLine => box.Top,
            _ => box.Top + ascent,
        };
        for (var i = 0; i < runs.Count; i++)
        {
            var runFont = In(font, runs[i].Family);
            if (RightToLeft.Contains(runs[i].Family))
            {
                // Letters in reading order in the text layer, placed from the right: Hebrew reads right, Arabic goes the right way
                // (unjoined). Spaces before and after the words stay on their side of the line.
                var run = runs[i].Text;
                var words = run.Trim();
                var before = run.Length - run.TrimStart().Length;
                var end = x + graphics.MeasureString(run[..before] + words, runFont).Width;
                if (before > 0)
                {
                    graphics.DrawString(run[..before], runFont, brush, new XPoint(x, baseline), XStringFormats.BaseLineLeft);
                }
                var right = end;
                foreach (var rune in words.EnumerateRunes())
                {
                    var letter = rune.ToString();
                    right -= graphics.MeasureString(letter, runFont).Width;
                    graphics.DrawString(letter, runFont, brush, new XPoint(right, baseline), XStringFormats.BaseLineLeft);
                }
                if (before + words.Length < run.Length)
                {
                    graphics.DrawString(run[(before + words.Length)..], runFont, brush, new XPoint(end, baseline), XStringFormats.BaseLineLeft);
                }
            }
            else
            {
                graphics.DrawString(runs[i].Text, runFont, brush, new XPoint(x, baseline), XStringFormats.BaseLineLeft);
            }
            x += widths[i];
        }
    }

    private static readonly HashSet<string> RightToLeft = ["Noto Sans Arabic", "Noto Sans Hebrew"];

    private static byte[]? Bytes(string face)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Astralytiq.Platform.Fonts.{face}.ttf");
        if (stream is null)
        {
            return null;
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The code points a TrueType font maps to glyphs: its Unicode cmap (format 12, else format 4).</summary>
    internal static HashSet<int> CharacterMap(byte[] font)
    {
        var covered = new HashSet<int>();
        var span = font.AsSpan();
        var tables = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        var cmap = -1;
        for (var t = 0; t < tables; t++)
        {
            var record = span[(12 + 16 * t)..];
            if (Encoding.ASCII.GetString(record[..4]) == "cmap")
            {
                cmap = (int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]);
            }
        }
        if (cmap < 0)
        {
            return covered;
        }
        var count = BinaryPrimitives.ReadUInt16BigEndian(span[(cmap + 2)..]);
        int? format4 = null, format12 = null;
        for (var s = 0; s < count; s++)
        {
            var entry = span[(cmap + 4 + 8 * s)..];
            var (platform, encoding) = (BinaryPrimitives.ReadUInt16BigEndian(entry), BinaryPrimitives.ReadUInt16BigEndian(entry[2..]));
            var offset = cmap + (int)BinaryPrimitives.ReadUInt32BigEndian(entry[4..]);
            var format = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
            if (format == 12 && (platform == 0 || (platform == 3 && encoding == 10)))
            {
                format12 = offset;
            }
            else if (format == 4 && (platform == 0 || (platform == 3 && encoding == 1)))
            {
                format4 = offset;
            }
        }
        if (format12 is { } f12)
        {
            var groups = BinaryPrimitives.ReadUInt32BigEndian(span[(f12 + 12)..]);
            for (var g = 0; g < groups; g++)
            {
                var group = span[(f12 + 16 + 12 * g)..];
                var (start, end) = (BinaryPrimitives.ReadUInt32BigEndian(group), BinaryPrimitives.ReadUInt32BigEndian(group[4..]));
                for (var c = start; c <= end && c <= 0x10FFFF; c++)
                {
                    covered.Add((int)c);
                }
            }
        }
        else if (format4 is { } f4)
        {
            var segments = BinaryPrimitives.ReadUInt16BigEndian(span[(f4 + 6)..]) / 2;
            var ends = f4 + 14;
            var starts = ends + 2 * segments + 2;
            var deltas = starts + 2 * segments;
            var ranges = deltas + 2 * segments;
            for (var s = 0; s < segments; s++)
            {
                var end = BinaryPrimitives.ReadUInt16BigEndian(span[(ends + 2 * s)..]);
                var start = BinaryPrimitives.ReadUInt16BigEndian(span[(starts + 2 * s)..]);
                var delta = BinaryPrimitives.ReadInt16BigEndian(span[(deltas + 2 * s)..]);
                var rangeOffset = BinaryPrimitives.ReadUInt16BigEndian(span[(ranges + 2 * s)..]);
                for (int c = start; c <= end && c != 0xFFFF; c++)
                {
                    var glyph = rangeOffset == 0
                        ? (c + delta) & 0xFFFF
                        : BinaryPrimitives.ReadUInt16BigEndian(span[(ranges + 2 * s + rangeOffset + 2 * (c - start))..]) is var raw && raw != 0 ? (raw + delta) & 0xFFFF : 0;
                    if (glyph != 0)
                    {
                        covered.Add(c);
                    }
                }
            }
        }
        return covered;
    }

    private sealed class Resolver : IFontResolver
    {
        public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic)
        {
            var face = Faces.FirstOrDefault(f => string.Equals(f.Family, familyName, StringComparison.OrdinalIgnoreCase)) ?? Faces[0];
            return isBold && face.Bold is { } bold
                ? new FontResolverInfo(bold, mustSimulateBold: false, mustSimulateItalic: isItalic)
                : new FontResolverInfo(face.Regular, mustSimulateBold: isBold, mustSimulateItalic: isItalic);
        }

        public byte[]? GetFont(string faceName) => Bytes(faceName);
    }
}
