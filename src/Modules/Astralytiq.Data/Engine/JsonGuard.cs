using System.Buffers;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Measures the nesting of JSON text before DuckDB sees it. DuckDB's JSON reader (and its schema
/// detection) recurses once per level on the native stack: 100,000 nested objects crash the process and
/// 10,000 nested arrays hang it. This scan is one forward pass with a counter, no recursion, no
/// allocation per value; it is lenient about everything but depth (syntax is DuckDB's to judge), so a
/// file it passes is one DuckDB can walk safely.
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
                    return TooDeep(field, displayName, line);
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
        return at < 0 ? Unit.Value : TooDeep(field, displayName, json[..at].Count((byte)'\n') + 1);
    }

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

    /// <summary>Tracks bracket depth across chunks, skipping string contents (with escapes).</summary>
    internal struct DepthScanner(int maxDepth)
    {
        private int _depth;
        private bool _inString;
        private bool _escaped;

        public readonly int Depth => _depth;

        /// <summary>Consumes a chunk; the index in it where the depth passed the limit, or -1.</summary>
        public int Feed(ReadOnlySpan<byte> data)
        {
            var i = 0;
            while (i < data.Length)
            {
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
