using System.Buffers;
using System.Text.Unicode;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Delimited text arrives in whatever its program wrote: UTF-8 (with or without a byte-order mark), UTF-16
/// ("Unicode text" from Excel) or a Windows code page. DuckDB reads UTF-8 only, so anything else is
/// transcoded first: UTF-16 by its byte-order mark (or, without one, by its zero bytes), and text that is
/// not UTF-8 as Windows-1252 (a superset of Latin-1 for the printable range, what Excel on Windows
/// writes). Text that is UTF-8 with a few broken sequences is left alone, to be refused as UTF-8: read as
/// Windows-1252 its every accented letter would silently turn into two wrong ones.
/// </summary>
internal static class TextEncoding
{
    private const int BufferSize = 1 << 16;

    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>The encoding the file is in, or null when it is already UTF-8 (which is kept as it is).</summary>
    public static async Task<Encoding?> DetectAsync(string path, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize + 4);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var carried = 0;
            var first = true;
            long multibyte = 0;
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(carried, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                var span = buffer.AsSpan(0, carried + read);
                if (first)
                {
                    first = false;
                    if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
                    {
                        return Encoding.Unicode;
                    }
                    if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
                    {
                        return Encoding.BigEndianUnicode;
                    }
                    if (WithoutMark(span) is { } utf16)
                    {
                        return utf16;
                    }
                }
                var tail = IncompleteTail(span);
                if (!Utf8.IsValid(span[..^tail]))
                {
                    var (valid, invalid) = CountSequences(span[..^tail]);
                    multibyte += valid;
                    return multibyte > 0 && multibyte * 4 >= invalid ? null : Windows1252;
                }
                multibyte += CountLeads(span[..^tail]);
                span[^tail..].CopyTo(buffer);
                carried = tail;
            }
            return carried == 0 ? null : Windows1252;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the file as UTF-8 (without a byte-order mark) to <paramref name="target"/>.</summary>
    public static async Task TranscodeAsync(string source, Encoding encoding, string target, CancellationToken ct)
    {
        using var reader = new StreamReader(source, encoding, detectEncodingFromByteOrderMarks: false, BufferSize);
        await using var writer = new StreamWriter(target, false, new UTF8Encoding(false), BufferSize);
        var chars = ArrayPool<char>.Shared.Rent(BufferSize);
        try
        {
            int read;
            var first = true;
            while ((read = await reader.ReadAsync(chars.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                // The byte-order mark decodes to U+FEFF; it is not part of the first column's name.
                var skip = first && chars[0] == '\uFEFF' ? 1 : 0;
                first = false;
                await writer.WriteAsync(chars.AsMemory(skip, read - skip), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// UTF-16 without a byte-order mark: text whose every other byte is NUL (ASCII letters in two bytes each).
    /// Zero bytes in real UTF-8 text are rare; half of the first kilobytes being NUL, on one side, is not text.
    /// </summary>
    private static Encoding? WithoutMark(ReadOnlySpan<byte> start)
    {
        var sample = start[..(Math.Min(start.Length, 4096) & ~1)];
        if (sample.Length < 8)
        {
            return null;
        }
        int evenNul = 0, oddNul = 0;
        for (var i = 0; i < sample.Length; i += 2)
        {
            evenNul += sample[i] == 0 ? 1 : 0;
            oddNul += sample[i + 1] == 0 ? 1 : 0;
        }
        var pairs = sample.Length / 2;
        return oddNul * 10 >= pairs * 9 && evenNul * 10 < pairs ? Encoding.Unicode
            : evenNul * 10 >= pairs * 9 && oddNul * 10 < pairs ? Encoding.BigEndianUnicode
            : null;
    }

    /// <summary>Lead bytes of multi-byte sequences in text known to be valid UTF-8: how many non-ASCII characters it has.</summary>
    private static int CountLeads(ReadOnlySpan<byte> valid)
    {
        var count = 0;
        foreach (var b in valid)
        {
            count += b is >= 0xC2 and <= 0xF4 ? 1 : 0;
        }
        return count;
    }

    /// <summary>Well-formed multi-byte UTF-8 sequences and stray bytes (which no sequence explains) in a chunk.</summary>
    private static (int Valid, int Invalid) CountSequences(ReadOnlySpan<byte> span)
    {
        int valid = 0, invalid = 0;
        for (var i = 0; i < span.Length;)
        {
            var b = span[i];
            var length = b < 0x80 ? 1 : b is >= 0xC2 and <= 0xDF ? 2 : b is >= 0xE0 and <= 0xEF ? 3 : b is >= 0xF0 and <= 0xF4 ? 4 : 0;
            if (length == 1)
            {
                i++;
                continue;
            }
            if (length > 1 && i + length <= span.Length && Utf8.IsValid(span.Slice(i, length)))
            {
                valid++;
                i += length;
                continue;
            }
            invalid++;
            i++;
        }
        return (valid, invalid);
    }

    /// <summary>How many bytes at the end start a UTF-8 sequence that the next chunk completes.</summary>
    private static int IncompleteTail(ReadOnlySpan<byte> span)
    {
        for (var back = 1; back <= Math.Min(3, span.Length); back++)
        {
            var b = span[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }
            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back ? back : 0;
        }
        return 0;
    }
}
