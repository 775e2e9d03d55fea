using System.Text.RegularExpressions;

namespace Astralytiq.Data.Engine;

/// <summary>How to read an uploaded file. Anything not given is detected.</summary>
internal sealed record ParseOptions(string Format, string? Delimiter, bool? Header, string? Sheet = null, string? Table = null, string? Query = null);

internal sealed record IngestResult(IReadOnlyList<ColumnDto> Schema, long RowCount);

/// <summary>Reads an uploaded file with DuckDB and writes it as one Parquet file (zstd), or explains why it cannot.</summary>
internal static partial class Ingest
{
    public static readonly string[] Formats = ["csv", "tsv", "json", "parquet", "xlsx", "sqlite"];

    public static string? FormatFromFileName(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" or ".txt" => "csv",
        ".tsv" or ".tab" => "tsv",
        ".json" or ".ndjson" or ".jsonl" => "json",
        ".parquet" or ".pq" => "parquet",
        ".xlsx" or ".xlsm" => "xlsx",
        ".sqlite" or ".sqlite3" or ".db" or ".db3" => "sqlite",
        _ => null,
    };

    public static async Task<Result<IngestResult>> ToParquetAsync(
        DuckDBConnection connection, string inputPath, string outputPath, ParseOptions options, string displayName, CancellationToken ct)
    {
        if (options.Format == "xlsx")
        {
            // The chosen sheet becomes a CSV next to the upload, then goes the CSV way with a comma and a header.
            var csvPath = Path.ChangeExtension(inputPath, ".sheet.csv");
            try
            {
                var sheet = Excel.ToCsv(inputPath, csvPath, options.Sheet, displayName, ct);
                if (!sheet.IsSuccess)
                {
                    return sheet.Error!;
                }
                return await ReadAsync(connection, csvPath, outputPath, new ParseOptions("csv", ",", true), displayName, "XLSX", ct).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(csvPath);
            }
        }
        if (options.Format == "sqlite")
        {
            var read = await SqliteSource.ReadIntoAsync(connection, inputPath, options.Table, options.Query, displayName, ct).ConfigureAwait(false);
            if (!read.IsSuccess)
            {
                return read.Error!;
            }
            if (read.Value == 0)
            {
                return ValidationError.For(options.Query is null ? "table" : "query", $"{displayName}: no rows to import");
            }
            await DuckDb.ExecuteAsync(connection, $"COPY imported TO {DuckDb.Literal(outputPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)", ct).ConfigureAwait(false);
            return new IngestResult(await DuckDb.DescribeAsync(connection, "imported", ct).ConfigureAwait(false), read.Value);
        }
        if (options.Format == "json")
        {
            // Depth first: DuckDB's JSON reader recurses per level and a deep enough file kills the process.
            var shallow = await JsonGuard.CheckFileAsync(inputPath, "file", displayName, ct).ConfigureAwait(false);
            if (!shallow.IsSuccess)
            {
                return shallow.Error!;
            }
        }
        if (options.Format == "parquet")
        {
            var footer = ParquetFooter.Check(inputPath, displayName);
            if (!footer.IsSuccess)
            {
                return footer.Error!;
            }
        }
        if (options.Format is "csv" or "tsv")
        {
            // DuckDB reads UTF-8 only: other encodings are transcoded into a sibling file first.
            if (await TextEncoding.DetectAsync(inputPath, ct).ConfigureAwait(false) is { } encoding)
            {
                var utf8Path = Path.ChangeExtension(inputPath, ".utf8.csv");
                try
                {
                    await TextEncoding.TranscodeAsync(inputPath, encoding, utf8Path, ct).ConfigureAwait(false);
                    return await ReadAsync(connection, utf8Path, outputPath, options, displayName, options.Format.ToUpperInvariant(), ct).ConfigureAwait(false);
                }
                finally
                {
                    File.Delete(utf8Path);
                }
            }
        }
        return await ReadAsync(connection, inputPath, outputPath, options, displayName, options.Format.ToUpperInvariant(), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first wide DECIMAL column (over 18 digits, stored as 128-bit integers) holding a value beyond its declared
    /// precision: Parquet files carry such values unchecked when damaged, and nothing could read them back.
    /// </summary>
    private static async Task<ColumnDto?> OutOfPrecisionAsync(DuckDBConnection connection, string table, IReadOnlyList<ColumnDto> schema, CancellationToken ct)
    {
        var wide = schema.Select(c => (Column: c, Match: WideDecimal().Match(c.SourceType))).Where(x => x.Match.Success)
            .Select(x => (x.Column, Digits: int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture) - int.Parse(x.Match.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        if (wide.Count == 0)
        {
            return null;
        }
        var checks = wide.Select(w => $"count(*) FILTER (WHERE abs(CAST({DuckDb.Identifier(w.Column.Name)} AS DOUBLE)) >= 1e{w.Digits.ToString(CultureInfo.InvariantCulture)})");
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", checks)} FROM {table}";
        using var traced = DataTelemetry.Query("ingest", command.CommandText);
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        for (var i = 0; i < wide.Count; i++)
        {
            if (reader.GetInt64(i) > 0)
            {
                return wide[i].Column;
            }
        }
        return null;
    }

    [GeneratedRegex(@"^DECIMAL\((19|2\d|3[0-8]),(\d+)\)$")]
    private static partial Regex WideDecimal();

    /// <summary>Reads a UTF-8 CSV/TSV, a depth-checked JSON or a footer-checked Parquet file into Parquet.</summary>
    private static async Task<Result<IngestResult>> ReadAsync(
        DuckDBConnection connection, string inputPath, string outputPath, ParseOptions options, string displayName, string formatName, CancellationToken ct)
    {
        if (options.Format is "csv" or "tsv"
            && CsvShape.FirstRecordFieldCount(inputPath, Delimiter(inputPath, options)[0], InputLimits.MaxColumns) > InputLimits.MaxColumns)
        {
            return ValidationError.For("file", $"{displayName} has more than {InputLimits.MaxColumns:N0} columns; at most {InputLimits.MaxColumns:N0} are supported");
        }
        var reader = options.Format switch
        {
            "csv" or "tsv" => CsvReader(inputPath, options, await WordBooleansAsync(connection, inputPath, options, ct).ConfigureAwait(false)),
            "json" => $"read_json({DuckDb.Literal(inputPath)}, format = 'auto', sample_size = 20480)",
            "parquet" => $"read_parquet({DuckDb.Literal(inputPath)})",
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "unknown format"),
        };
        try
        {
            // Streamed straight from the reader into Parquet: the table is never held whole in memory.
            // 128-bit and unsigned 64-bit integers (JSON's guess for large numbers) have no Parquet type and would
            // become doubles: they are stored as BIGINT, or as DECIMAL(38,0) when a value does not fit.
            // Nested JSON objects become columns with dotted names ("user.geo.lat").
            var detected = Flatten(await DuckDb.DescribeAsync(connection, "SELECT * FROM " + reader, ct).ConfigureAwait(false));
            if (InputLimits.CheckColumns(detected.Select(c => c.Name).ToList(), displayName) is { } tooWide)
            {
                return tooWide;
            }
            string SelectList(string wide) => string.Join(", ", detected.Select(c => c.SourceType is "HUGEINT" or "UHUGEINT" or "UBIGINT"
                ? $"CAST({c.Expression} AS {wide}) AS {DuckDb.Identifier(c.Name)}"
                : $"{c.Expression} AS {DuckDb.Identifier(c.Name)}"));
            var copy = (string wide) => $"COPY (SELECT {SelectList(wide)} FROM {reader}) TO {DuckDb.Literal(outputPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)";
            try
            {
                await DuckDb.ExecuteAsync(connection, detected.Count == 0 ? $"COPY (SELECT * FROM {reader}) TO {DuckDb.Literal(outputPath)} (FORMAT parquet)" : copy("BIGINT"), ct).ConfigureAwait(false);
            }
            catch (DuckDBException ex) when (ex.Message.Contains("out of range", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("Overflow", StringComparison.OrdinalIgnoreCase))
            {
                await DuckDb.ExecuteAsync(connection, copy("DECIMAL(38,0)"), ct).ConfigureAwait(false);
            }
            var written = $"read_parquet({DuckDb.Literal(outputPath)})";
            var schema = await DuckDb.DescribeAsync(connection, "SELECT * FROM " + written, ct).ConfigureAwait(false);
            var rows = await DuckDb.ScalarLongAsync(connection, "SELECT count(*) FROM " + written, ct).ConfigureAwait(false);
            if (schema.Count == 0)
            {
                return ValidationError.For("file", $"{displayName} has no columns");
            }
            if (rows == 0)
            {
                return ValidationError.For("file", $"{displayName} has no data rows");
            }
            if (await OutOfPrecisionAsync(connection, written, schema, ct).ConfigureAwait(false) is { } column)
            {
                return ValidationError.For("file", $"{displayName} is damaged: column '{column.Name}' holds values too large for its type {column.SourceType}");
            }
            return new IngestResult(schema, rows);
        }
        catch (DuckDBException ex) when (!ct.IsCancellationRequested)
        {
            // For delimited text, name the first record whose field count is off: DuckDB only says it could not parse.
            if (options.Format is "csv" or "tsv" && Delimiter(inputPath, options) is [var d]
                && CsvShape.FirstRaggedRecord(inputPath, d) is { } ragged)
            {
                return ValidationError.For("file",
                    $"{displayName} could not be read as {formatName}: line {ragged.Record} has {ragged.Fields} fields where the header has {ragged.Expected}");
            }
            return ValidationError.For("file", $"{displayName} could not be read as {formatName}: {Explain(ex.Message, inputPath, displayName)}");
        }
    }

    private sealed record FlatColumn(string Name, string Expression, string SourceType);

    /// <summary>
    /// The reader's columns with every STRUCT expanded into its fields (named parent.field) down to
    /// <see cref="InputLimits.MaxFlattenDepth"/> levels, read from the type names DESCRIBE gives: one query, and
    /// a work list instead of recursion.
    /// </summary>
    private static List<FlatColumn> Flatten(IReadOnlyList<ColumnDto> columns)
    {
        var flat = new List<FlatColumn>();
        var pending = new Stack<(string Expression, string Name, string Type, int Depth)>();
        foreach (var column in columns.Reverse())
        {
            pending.Push((DuckDb.Identifier(column.Name), column.Name, column.SourceType, 0));
        }
        while (pending.Count > 0)
        {
            var (expression, name, type, depth) = pending.Pop();
            if (depth < InputLimits.MaxFlattenDepth && DuckTypes.StructFields(type) is { Count: > 0 } fields)
            {
                for (var i = fields.Count - 1; i >= 0; i--)
                {
                    pending.Push(($"{expression}.{DuckDb.Identifier(fields[i].Name)}", name + "." + fields[i].Name, fields[i].Type, depth + 1));
                }
                continue;
            }
            flat.Add(new FlatColumn(name, expression, type));
        }
        return flat;
    }

    /// <summary>
    /// The given delimiter, tab for TSV, else the one the header line uses, else a comma. DuckDB's sniffer
    /// gives up on ragged files and can take a comma inside quoted text for the delimiter of a one-column file.
    /// </summary>
    private static string Delimiter(string path, ParseOptions options) =>
        options.Format == "tsv" ? "\t" : options.Delimiter ?? CsvShape.DetectDelimiter(path) ?? ",";

    /// <summary>
    /// DuckDB types a column of yes/no (or y/n, t/f) as BOOLEAN and the user's words are lost: "yes" comes back "true", and
    /// a model trained on it predicts true/false instead of the labels in the data. Only true/false columns stay
    /// BOOLEAN; the others are read as the text they are. Checked on the rows the type was detected from.
    /// </summary>
    private static async Task<IReadOnlyList<string>> WordBooleansAsync(DuckDBConnection connection, string path, ParseOptions options, CancellationToken ct)
    {
        try
        {
            var detected = await DuckDb.DescribeAsync(connection, "SELECT * FROM " + CsvReader(path, options, []), ct).ConfigureAwait(false);
            var booleans = detected.Where(c => c.SourceType == "BOOLEAN").Select(c => c.Name).ToList();
            if (booleans.Count == 0)
            {
                return [];
            }
            var checks = booleans.Select(b => $"count(*) FILTER (WHERE lower(trim({DuckDb.Identifier(b)})) NOT IN ('true', 'false'))");
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {string.Join(", ", checks)} FROM (SELECT * FROM {CsvReader(path, options, [], allText: true)} LIMIT 20480)";
            using var traced2 = DataTelemetry.Query("ingest", command.CommandText);
            using var result = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await result.ReadAsync(ct).ConfigureAwait(false);
            return booleans.Where((_, i) => result.GetInt64(i) > 0).ToList();
        }
        catch (DuckDBException)
        {
            return []; // a file DuckDB cannot read is reported by the read itself, with its reason
        }
    }

    private static string CsvReader(string path, ParseOptions options, IReadOnlyList<string> asText, bool allText = false)
    {
        var args = new List<string> { DuckDb.Literal(path), "auto_detect = true", "sample_size = 20480" };
        if (allText)
        {
            args.Add("all_varchar = true");
        }
        else if (asText.Count > 0)
        {
            args.Add("types = {" + string.Join(", ", asText.Select(c => DuckDb.Literal(c) + ": 'VARCHAR'")) + "}");
        }
        args.Add("delim = " + DuckDb.Literal(Delimiter(path, options)));
        // The first line is the header unless the caller says otherwise: sniffing it is a guess when every
        // column is text, and a dataset whose columns change name with its content would be worse.
        args.Add("header = " + (options.Header ?? true ? "true" : "false"));
        return $"read_csv({string.Join(", ", args)})";
    }

    /// <summary>
    /// DuckDB's message in the platform's words, for the client: no server paths, no hints about settings the
    /// user cannot change, no links, and resource failures said plainly.
    /// </summary>
    internal static string Explain(string message, string inputPath, string displayName)
    {
        if (message.Contains("Out of Memory Error", StringComparison.OrdinalIgnoreCase))
        {
            return "it needs more memory than the engine may use for one request; use fewer columns or split the data";
        }
        if (message.Contains("INTERRUPT", StringComparison.Ordinal))
        {
            return "reading was stopped";
        }
        var text = message.Length > 4000 ? message[..4000] : message;
        text = text.Replace(inputPath, displayName, StringComparison.Ordinal);
        text = ServerPath().Replace(text, displayName);
        text = SettingHint().Replace(text, string.Empty);
        var firstLines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Possible ", StringComparison.Ordinal) && !l.StartsWith('*') && !l.StartsWith("See also", StringComparison.Ordinal)
                && !l.StartsWith("Original Line:", StringComparison.Ordinal)
                // DuckDB echoes the statement it was given (ours, with server paths) and points into it.
                && !l.StartsWith("LINE ", StringComparison.Ordinal) && l != "^")
            .Select(l => l.Length > 200 ? l[..200] + "…" : l)
            .Take(3);
        var result = ErrorClass().Replace(string.Join(" ", firstLines), string.Empty).Trim();
        return result.Length > 500 ? result[..500] + "…" : result;
    }

    /// <summary>A temporary file of this server, wherever DuckDB names it.</summary>
    [GeneratedRegex(@"[^\s'""]*ingest-[0-9a-f]{32}[\w.]*", RegexOptions.None, 1000)]
    private static partial Regex ServerPath();

    /// <summary>DuckDB's advice to change a setting (which user sessions cannot).</summary>
    [GeneratedRegex(@"\s*(Use|Set) ""?SET [^""]*""?[^.\n]*\.?", RegexOptions.None, 1000)]
    private static partial Regex SettingHint();

    /// <summary>The error class DuckDB puts first ("Invalid Input Error: ").</summary>
    [GeneratedRegex(@"^([A-Z][a-z]+ ){1,3}Error: ", RegexOptions.None, 1000)]
    private static partial Regex ErrorClass();
}
