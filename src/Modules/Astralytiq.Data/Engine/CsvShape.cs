namespace Astralytiq.Data.Engine;

/// <summary>
/// Cheap looks at a delimited text file that DuckDB's sniffer does not give: the delimiter of the header
/// line, and the first record whose field count differs from the header's (to name it in an error).
/// Quotes follow RFC 4180: a delimiter or line break inside double quotes is data.
/// </summary>
internal static class CsvShape
{
    private static readonly char[] Candidates = [',', ';', '\t', '|'];

    /// <summary>A header line is not read further than this (MaxColumns names of MaxColumnNameLength characters fit).</summary>
    private const int MaxHeaderChars = InputLimits.MaxColumns * (InputLimits.MaxColumnNameLength + 3);

    /// <summary>The candidate delimiter found most often in the first record, or null when none is.</summary>
    public static string? DetectDelimiter(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var counts = new int[Candidates.Length];
        var inQuotes = false;
        for (var read = 0; read < 64 * 1024; read++)
        {
            var c = reader.Read();
            if (c < 0 || (!inQuotes && c is '\n' or '\r'))
            {
                break;
            }
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && Array.IndexOf(Candidates, (char)c) is var i and >= 0)
            {
                counts[i]++;
            }
        }
        var best = Array.IndexOf(counts, counts.Max());
        return counts[best] > 0 ? Candidates[best].ToString() : null;
    }

    /// <summary>
    /// How many fields the first record has, read without DuckDB (whose reader allocates per column before it
    /// can refuse a file with tens of thousands of them). Stops counting past <paramref name="stopAfter"/>.
    /// </summary>
    public static int FirstRecordFieldCount(string path, char delimiter, int stopAfter)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var inQuotes = false;
        var fields = 1;
        int c;
        for (var read = 0; read < MaxHeaderChars && (c = reader.Read()) >= 0 && fields <= stopAfter; read++)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && c == delimiter)
            {
                fields++;
            }
            else if (!inQuotes && c is '\n' or '\r')
            {
                break;
            }
        }
        return fields;
    }

    /// <summary>The 1-based line number of the first record with another field count than the header, with both counts.</summary>
    public static (long Record, int Fields, int Expected)? FirstRaggedRecord(string path, char delimiter)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var inQuotes = false;
        var fields = 1;
        var expected = -1;
        long record = 1;
        var empty = true;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                empty = false;
            }
            else if (!inQuotes && c == delimiter)
            {
                fields++;
                empty = false;
            }
            else if (!inQuotes && c is '\n' or '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }
                if (!empty)
                {
                    if (expected < 0)
                    {
                        expected = fields;
                    }
                    else if (fields != expected)
                    {
                        return (record, fields, expected);
                    }
                    record++;
                }
                fields = 1;
                empty = true;
            }
            else
            {
                empty = false;
            }
        }
        return !empty && expected >= 0 && fields != expected ? (record, fields, expected) : null;
    }
}
