using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Astralytiq.Dashboards.Reports;

/// <summary>A file a report run made.</summary>
internal sealed record ReportFile(string Name, string Format, string ContentType, byte[] Content);

/// <summary>Writes a report's data as CSV (one file per data widget) and XLSX (one sheet per data widget).</summary>
internal static class ReportFiles
{
    public const int MaxTableRowsInPdf = 500;

    public static string ContentType(string format) => format switch
    {
        "pdf" => "application/pdf",
        "csv" => "text/csv",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };

    /// <summary>A file name from free text: letters, digits, dashes; never empty.</summary>
    public static string Slug(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            builder.Append(char.IsLetterOrDigit(c) && c < 128 ? c : '-');
        }
        var slug = string.Join('-', builder.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "report" : slug.Length > 60 ? slug[..60].TrimEnd('-') : slug;
    }

    public static IReadOnlyList<ReportFile> Csv(ReportContent content)
    {
        var files = new List<ReportFile>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in content.Sections.Where(s => s.Data is not null))
        {
            var name = Unique(names, $"{Slug(content.DashboardName)}-{Slug(section.Title)}", ".csv");
            var data = section.Data!;
            var text = new StringBuilder();
            text.AppendJoin(',', data.Columns.Select(c => Quote(c.Name))).Append("\r\n");
            for (var r = 0; r < data.RowCount; r++)
            {
                var row = r;
                text.AppendJoin(',', data.Values.Select(column => Quote(Cells.Raw(column[row])))).Append("\r\n");
            }
            // A byte order mark, so spreadsheet programs read the file as UTF-8.
            files.Add(new ReportFile(name, "csv", ContentType("csv"), [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())]));
        }
        return files;
    }

    private static string Unique(HashSet<string> taken, string stem, string extension)
    {
        var name = stem + extension;
        for (var i = 2; !taken.Add(name); i++)
        {
            name = $"{stem}-{i}{extension}";
        }
        return name;
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets never run it as a formula.</summary>
    private static string Quote(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public static ReportFile Xlsx(ReportContent content)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = Stylesheet();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            uint id = 1;
            foreach (var section in content.Sections.Where(s => s.Data is not null))
            {
                var data = section.Data!;
                var part = workbook.AddNewPart<WorksheetPart>();
                var rows = new SheetData();
                var header = new Row();
                foreach (var column in data.Columns)
                {
                    header.Append(new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(column.Name)), StyleIndex = 1 });
                }
                rows.Append(header);
                for (var r = 0; r < data.RowCount; r++)
                {
                    var row = new Row();
                    foreach (var column in data.Values)
                    {
                        var value = column[r];
                        row.Append(Cells.IsNumber(value) && Cells.Number(value) is { } n && double.IsFinite(n)
                            ? new Cell { DataType = CellValues.Number, CellValue = new CellValue(n) }
                            : new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(Cells.Raw(value))) });
                    }
                    rows.Append(row);
                }
                part.Worksheet = new Worksheet(rows);
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id++, Name = SheetName(names, section.Title) });
            }
            if (id == 1)
            {
                // A workbook needs a sheet: a dashboard of text widgets gets one that says so.
                var part = workbook.AddNewPart<WorksheetPart>();
                part.Worksheet = new Worksheet(new SheetData(new Row(new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text("This dashboard has no data widgets")) })));
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = "Report" });
            }
            workbook.Workbook.Save();
        }
        return new ReportFile(Slug(content.DashboardName) + ".xlsx", "xlsx", ContentType("xlsx"), stream.ToArray());
    }

    /// <summary>Excel's rules: at most 31 characters, none of []:*?/\, unique in the workbook.</summary>
    private static string SheetName(HashSet<string> taken, string title)
    {
        var clean = new string(title.Select(c => "[]:*?/\\".Contains(c, StringComparison.Ordinal) ? ' ' : c).ToArray()).Trim().Trim('\'');
        clean = clean.Length == 0 ? "Sheet" : clean;
        var name = clean.Length > 31 ? clean[..31] : clean;
        for (var i = 2; !taken.Add(name); i++)
        {
            var suffix = $" ({i})";
            name = (clean.Length + suffix.Length > 31 ? clean[..(31 - suffix.Length)] : clean) + suffix;
        }
        return name;
    }

    private static Stylesheet Stylesheet() => new(
        new Fonts(new Font(), new Font(new Bold())),
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
        new Borders(new Border()),
        new CellFormats(new CellFormat(), new CellFormat { FontId = 1, ApplyFont = true }));
}
