using System.Text.RegularExpressions;
using Astralytiq.Contracts.Data;
using Astralytiq.Platform.Errors;
using DuckDB.NET.Data;

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
                var sheet = Excel.ToCsv(inputPath, csvPath, options.Sheet, displayName);
                if (!sheet.IsSuccess)
                {
                    return sheet.Error!;
                }
                return await ToParquetAsync(connection, csvPath, outputPath, new ParseOptions("csv", ",", true), displayName, ct).ConfigureAwait(false);
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
        var reader = options.Format switch
        {
            "csv" or "tsv" => CsvReader(inputPath, options),
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
            var detected = await FlattenAsync(connection, reader, ct).ConfigureAwait(false);
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
            return new IngestResult(schema, rows);
        }
        catch (DuckDBException ex)
        {
            // For delimited text, name the first record whose field count is off: DuckDB only says it could not parse.
            if (options.Format is "csv" or "tsv" && Delimiter(inputPath, options) is [var d]
                && CsvShape.FirstRaggedRecord(inputPath, d) is { } ragged)
            {
                return ValidationError.For("file",
                    $"{displayName} could not be read as {options.Format.ToUpperInvariant()}: line {ragged.Record} has {ragged.Fields} fields where the header has {ragged.Expected}");
            }
            return ValidationError.For("file", $"{displayName} could not be read as {options.Format.ToUpperInvariant()}: {Explain(ex.Message, inputPath, displayName)}");
        }
    }

    private sealed record FlatColumn(string Name, string Expression, string SourceType);

    /// <summary>The reader's columns with every STRUCT expanded, recursively, into its fields (named parent.field).</summary>
    private static async Task<List<FlatColumn>> FlattenAsync(DuckDBConnection connection, string reader, CancellationToken ct)
    {
        var flat = new List<FlatColumn>();
        async Task WalkAsync(string expression, string name, string type, int depth)
        {
            if (type.StartsWith("STRUCT(", StringComparison.OrdinalIgnoreCase) && depth < 10)
            {
                var fields = await DuckDb.DescribeAsync(connection, $"SELECT x.* FROM (SELECT {expression} AS x FROM {reader})", ct).ConfigureAwait(false);
                foreach (var field in fields)
                {
                    await WalkAsync($"{expression}.{DuckDb.Identifier(field.Name)}", name + "." + field.Name, field.SourceType, depth + 1).ConfigureAwait(false);
                }
                return;
            }
            flat.Add(new FlatColumn(name, expression, type));
        }
        foreach (var column in await DuckDb.DescribeAsync(connection, "SELECT * FROM " + reader, ct).ConfigureAwait(false))
        {
            await WalkAsync(DuckDb.Identifier(column.Name), column.Name, column.SourceType, 0).ConfigureAwait(false);
        }
        return flat;
    }

    /// <summary>
    /// The given delimiter, tab for TSV, else the one the header line uses, else a comma. DuckDB's sniffer
    /// gives up on ragged files and can take a comma inside quoted text for the delimiter of a one-column file.
    /// </summary>
    private static string Delimiter(string path, ParseOptions options) =>
        options.Format == "tsv" ? "\t" : options.Delimiter ?? CsvShape.DetectDelimiter(path) ?? ",";

    private static string CsvReader(string path, ParseOptions options)
    {
        var args = new List<string> { DuckDb.Literal(path), "auto_detect = true", "sample_size = 20480" };
        args.Add("delim = " + DuckDb.Literal(Delimiter(path, options)));
        // The first line is the header unless the caller says otherwise: sniffing it is a guess when every
        // column is text, and a dataset whose columns change name with its content would be worse.
        args.Add("header = " + (options.Header ?? true ? "true" : "false"));
        return $"read_csv({string.Join(", ", args)})";
    }

    /// <summary>DuckDB's message without server paths or its long hints, for the client.</summary>
    internal static string Explain(string message, string inputPath, string displayName)
    {
        var text = message.Replace(inputPath, displayName, StringComparison.Ordinal);
        text = ServerPath().Replace(text, displayName);
        var firstLines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Possible ", StringComparison.Ordinal) && !l.StartsWith('*'))
            .Take(3);
        var result = string.Join(" ", firstLines);
        return result.Length > 500 ? result[..500] + "…" : result;
    }

    [GeneratedRegex(@"(/[\w.\-]+)+/ingest-[0-9a-f]+[\w.]*")]
    private static partial Regex ServerPath();
}
