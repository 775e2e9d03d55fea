using System.IO.Compression;
using ExcelDataReader;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Reads one sheet of an .xlsx workbook (ExcelDataReader, streaming) into a CSV file DuckDB then reads
/// like any other: numbers as written, dates as ISO dates or timestamps, booleans as true/false, text quoted.
/// The first row is the header. Workbooks are checked before reading: a valid zip, and no entry that
/// inflates beyond the limits (a zip bomb is refused without being inflated).
/// </summary>
internal static class Excel
{
    public const long MaxUncompressedBytes = 4L * 1024 * 1024 * 1024;
    public const int MaxCompressionRatio = 200;

    // ExcelDataReader reads legacy code pages (1252 for older workbooks' strings) that .NET does not load by default.
    static Excel() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The shared-string table is held in memory whole while a sheet is read.</summary>
    public const long MaxSharedStringsBytes = 256L * 1024 * 1024;

    public static Result<Unit> ToCsv(string xlsxPath, string csvPath, string? sheet, string displayName, CancellationToken ct)
    {
        try
        {
            using var zip = ZipFile.OpenRead(xlsxPath);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (entry.FullName.EndsWith("sharedStrings.xml", StringComparison.OrdinalIgnoreCase) && entry.Length > MaxSharedStringsBytes)
                {
                    return ValidationError.For("file", $"{displayName} is refused: its shared text table is {entry.Length / (1024 * 1024):N0} MiB; at most {MaxSharedStringsBytes / (1024 * 1024)} MiB are supported");
                }
                if (entry.Length > 10 * 1024 * 1024 && entry.CompressedLength > 0 && entry.Length / entry.CompressedLength > MaxCompressionRatio)
                {
                    return ValidationError.For("file", $"{displayName} is refused: '{entry.FullName}' would inflate {entry.Length / entry.CompressedLength}-fold (a zip bomb?)");
                }
            }
            if (total > MaxUncompressedBytes)
            {
                return ValidationError.For("file", $"{displayName} is refused: it would inflate to more than {MaxUncompressedBytes >> 30} GiB");
            }
            if (zip.GetEntry("xl/workbook.xml") is null)
            {
                return ValidationError.For("file", $"{displayName} is not an Excel workbook (.xlsx)");
            }
        }
        catch (InvalidDataException)
        {
            return ValidationError.For("file", $"{displayName} is not a valid .xlsx file (it is not a readable zip archive)");
        }

        try
        {
            using var stream = File.OpenRead(xlsxPath);
            using var reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
            var names = new List<string>();
            var found = false;
            var index = 0;
            do
            {
                index++;
                names.Add(reader.Name);
                if (sheet is null || string.Equals(reader.Name, sheet, StringComparison.OrdinalIgnoreCase)
                    || (int.TryParse(sheet, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == index))
                {
                    found = true;
                    break;
                }
            }
            while (reader.NextResult());
            if (!found)
            {
                return ValidationError.For("sheet", $"{displayName} has no sheet '{sheet}'; its sheets are {string.Join(", ", names.Select(s => $"'{s}'"))}");
            }
            using var writer = new StreamWriter(csvPath, false, new UTF8Encoding(false));
            var pendingEmpty = 0;
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                // A cell far to the right (XFD1) widens every row to 16,384 columns.
                if (reader.FieldCount > InputLimits.MaxColumns)
                {
                    return ValidationError.For("file", $"{displayName} has {reader.FieldCount:N0} columns in sheet '{reader.Name}'; at most {InputLimits.MaxColumns:N0} are supported");
                }
                var cells = new string[reader.FieldCount];
                var empty = true;
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = Cell(reader.GetValue(i));
                    empty &= cells[i].Length == 0;
                }
                // Empty rows inside the data are kept as empty records; trailing ones are dropped.
                if (empty)
                {
                    pendingEmpty++;
                    continue;
                }
                for (; pendingEmpty > 0; pendingEmpty--)
                {
                    writer.Write(new string(',', Math.Max(0, cells.Length - 1)));
                    writer.Write('\n');
                }
                writer.Write(string.Join(",", cells));
                writer.Write('\n');
            }
            return Unit.Value;
        }
        catch (Exception ex) when (ex is InvalidDataException or ExcelDataReader.Exceptions.ExcelReaderException or System.Xml.XmlException
            or NotSupportedException or IOException or FormatException or InvalidCastException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            return ValidationError.For("file", $"{displayName} could not be read as XLSX: {Why(ex)}");
        }
    }

    /// <summary>What is wrong with the workbook, in words that do not come from the XML parser's internals.</summary>
    private static string Why(Exception ex) => ex switch
    {
        System.Xml.XmlException { Message: var m } when m.Contains("DTD", StringComparison.Ordinal) =>
            "it declares a document type (DTD), which workbooks never need and which is refused",
        System.Xml.XmlException { LineNumber: > 0 } xml when xml.Message.Contains("end of file", StringComparison.OrdinalIgnoreCase) =>
            "a part of it ends early; the file is truncated or its recorded sizes are false",
        System.Xml.XmlException { LineNumber: > 0 } xml => $"a part of it is not well-formed XML (line {xml.LineNumber}, position {xml.LinePosition})",
        InvalidDataException or IOException => "its compressed parts are damaged",
        ExcelDataReader.Exceptions.ExcelReaderException => "it is not a workbook this reader understands (" + ex.Message.TrimEnd('.') + ")",
        _ => "it is damaged or not a real .xlsx workbook",
    };

    private static string Cell(object? value) => value switch
    {
        null => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int or long or decimal => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        bool b => b ? "true" : "false",
        DateTime dt when dt.TimeOfDay == TimeSpan.Zero => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        _ => "\"" + Convert.ToString(value, CultureInfo.InvariantCulture)!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
    };
}
