using System.Buffers;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Measures the nesting of JSON text before DuckDB sees it. DuckDB's JSON reader (and its schema
/// detection) recurses once per level on the native stack: 100,000 nested objects crash the process and
/// 10,000 nested arrays hang it. This scan is one forward pass with a counter, no recursion, no
/// allocation per value; it is lenient about everything but depth (syntax is DuckDB's to judge), so a
/// file it passes is one DuckDB can walk safely. It also checks the shape a table needs: one JSON array of
/// objects, or objects one after another (NDJSON); a bare number, text or an array of non-objects is refused.
/// </summary>
internal static class JsonGuard
{
    private const int BufferSize = 1 << 16;

    /// <summary>Opening and closing brackets and the quote; backslashes matter only inside strings.</summary>
    private static readonly SearchValues<byte> Structural = SearchValues.Create("{}[]\""u8);

    /// <summary>A 422 naming the limit and the line where it was passed, or success.</summary>
    public static async Task<Result<Unit>> CheckFileAsync(string path, string field, string displayName, CancellationToken ct)
    {
        var scanner = new DepthScanner(InputLimits.MaxJsonDepth);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            long offset = 0;
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                var at = scanner.Feed(buffer.AsSpan(0, read));
                if (at >= 0)
                {
                    var line = await LineAtAsync(path, offset + at, ct).ConfigureAwait(false);
                    return scanner.Found is { } found ? NotATable(field, displayName, found, line) : TooDeep(field, displayName, line);
                }
                offset += read;
            }
            return Unit.Value;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The same check over text in memory.</summary>
    public static Result<Unit> Check(ReadOnlySpan<byte> json, string field, string displayName)
    {
        var scanner = new DepthScanner(InputLimits.MaxJsonDepth);
        var at = scanner.Feed(json);
        if (at < 0)
        {
            return Unit.Value;
        }
        var line = json[..at].Count((byte)'\n') + 1;
        return scanner.Found is { } found ? NotATable(field, displayName, found, line) : TooDeep(field, displayName, line);
    }

    private static ValidationError NotATable(string field, string displayName, string found, long line) =>
        ValidationError.For(field, $"{displayName} holds {found} (line {line:N0}) where a table was expected: a JSON array of objects, or one object per line (NDJSON)");

    private static ValidationError TooDeep(string field, string displayName, long line) =>
        ValidationError.For(field, $"{displayName} is nested more than {InputLimits.MaxJsonDepth} levels deep (line {line:N0}); flatten the data or split it into several datasets");

    private static async Task<long> LineAtAsync(string path, long offset, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            long line = 1, position = 0;
            int read;
            while (position < offset && (read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, offset - position)), ct).ConfigureAwait(false)) > 0)
            {
                line += buffer.AsSpan(0, read).Count((byte)'\n');
                position += read;
            }
            return line;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Bytes between a table's records: whitespace, the commas of an array, a byte-order mark.</summary>
    private static readonly SearchValues<byte> Between = SearchValues.Create(" \t\r\n,\uFEFF"u8);

    /// <summary>Tracks bracket depth across chunks, skipping string contents (with escapes), and where records may start, what starts them.</summary>
    internal struct DepthScanner(int maxDepth)
    {
        private int _depth;
        private bool _inString;
        private bool _escaped;
        private bool _topArray;
        private bool _seenRecord;

        public readonly int Depth => _depth;

        /// <summary>Set when <see cref="Feed"/> stopped because the text is not a table: what was found instead.</summary>
        public string? Found { get; private set; }

        /// <summary>Where a record may start: at the top level, or directly inside the one top-level array.</summary>
        private readonly bool AtRecordLevel => _depth == 0 || (_depth == 1 && _topArray);

        /// <summary>Consumes a chunk; the index in it where the depth passed the limit or a non-record was found, or -1.</summary>
        public int Feed(ReadOnlySpan<byte> data)
        {
            var i = 0;
            while (i < data.Length)
            {
                if (!_inString && !_escaped && AtRecordLevel)
                {
                    var start = data[i..].IndexOfAnyExcept(Between);
                    if (start < 0)
                    {
                        return -1;
                    }
                    i += start;
                    var b = data[i];
                    if (b == (byte)'{')
                    {
                        _seenRecord = true;
                    }
                    else if (b == (byte)'[' && _depth == 0 && !_seenRecord)
                    {
                        _topArray = true;
                        _seenRecord = true;
                    }
                    else if (!(b == (byte)']' && _depth == 1))
                    {
                        Found = b switch
                        {
                            (byte)'[' => _depth == 0 ? "a second top-level array" : "an array inside the array",
                            (byte)'"' => "a text value",
                            (byte)'t' or (byte)'f' => "a true/false value",
                            (byte)'n' => "a null",
                            (byte)'}' or (byte)']' => "an unmatched closing bracket",
                            _ when b is (byte)'-' || char.IsAsciiDigit((char)b) => "a number",
                            _ => "text that is not JSON",
                        };
                        if (_depth == 1 && Found is not ("an array inside the array" or "an unmatched closing bracket"))
                        {
                            Found += " inside the array";
                        }
                        return i;
                    }
                }
                if (_escaped)
                {
                    _escaped = false;
                    i++;
                    continue;
                }
                if (_inString)
                {
                    var end = data[i..].IndexOfAny((byte)'"', (byte)'\\');
                    if (end < 0)
                    {
                        return -1;
                    }
                    i += end;
                    if (data[i] == (byte)'\\')
                    {
                        _escaped = true;
                    }
                    else
                    {
                        _inString = false;
                    }
                    i++;
                    continue;
                }
                var next = data[i..].IndexOfAny(Structural);
                if (next < 0)
                {
                    return -1;
                }
                i += next;
                switch (data[i])
                {
                    case (byte)'"':
                        _inString = true;
                        break;
                    case (byte)'{' or (byte)'[':
                        if (++_depth > maxDepth)
                        {
                            return i;
                        }
                        break;
                    default:
                        if (_depth > 0)
                        {
                            _depth--;
                        }
                        break;
                }
                i++;
            }
            return -1;
        }
    }
}
