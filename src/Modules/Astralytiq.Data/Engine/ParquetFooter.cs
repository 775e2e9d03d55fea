using System.Buffers.Binary;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Looks at an uploaded Parquet file's footer before DuckDB opens it: the magic bytes, a footer that fits the
/// file, and a schema that is not nested deeper than <see cref="InputLimits.MaxJsonDepth"/> levels (DuckDB
/// builds its readers for nested groups recursively). The footer is Thrift's compact encoding of
/// <c>FileMetaData</c>; only its schema (field 2, a flat pre-order list of elements with child counts) is
/// read, and the nesting is measured with a stack of remaining child counts, not by recursion.
/// </summary>
internal static class ParquetFooter
{
    private const int MaxFooterBytes = 256 << 20;
    private const int MaxSchemaElements = 1_000_000;

    public static Result<Unit> Check(string path, string displayName)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var length = file.Length;
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        if (length < 12 || file.Read(head) != 4 || !head.SequenceEqual("PAR1"u8))
        {
            return Damaged(displayName, "it does not start like a Parquet file");
        }
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(tail);
        if (!tail[4..].SequenceEqual("PAR1"u8))
        {
            return Damaged(displayName, "it does not end like a Parquet file (truncated?)");
        }
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12 || footerLength > MaxFooterBytes)
        {
            return Damaged(displayName, "its footer length is impossible (truncated or corrupted)");
        }
        var footer = new byte[footerLength];
        file.Seek(-8 - footerLength, SeekOrigin.End);
        file.ReadExactly(footer);
        try
        {
            var depth = SchemaDepth(footer);
            return depth > InputLimits.MaxJsonDepth
                ? ValidationError.For("file", $"{displayName} has a schema nested {depth:N0} levels deep; more than {InputLimits.MaxJsonDepth} levels are not supported")
                : Unit.Value;
        }
        catch (FormatException ex)
        {
            return Damaged(displayName, ex.Message);
        }
    }

    private static ValidationError Damaged(string displayName, string why) =>
        ValidationError.For("file", $"{displayName} could not be read as PARQUET: {why}");

    /// <summary>The deepest nesting of the schema (a flat table is 1).</summary>
    internal static int SchemaDepth(ReadOnlySpan<byte> footer)
    {
        var reader = new CompactReader(footer);
        short fieldId = 0;
        while (reader.NextField(ref fieldId) is var type && type != 0)
        {
            if (fieldId != 2 || type != CompactReader.List)
            {
                reader.Skip(type, 0);
                continue;
            }
            var (count, elementType) = reader.ListHeader();
            if (elementType != CompactReader.Struct || count > MaxSchemaElements)
            {
                throw new FormatException("its schema is malformed");
            }
            var remaining = new Stack<int>();
            var deepest = 0;
            for (var i = 0; i < count; i++)
            {
                var children = ReadSchemaElement(ref reader);
                while (remaining.Count > 0 && remaining.Peek() == 0)
                {
                    remaining.Pop();
                }
                if (remaining.Count > 0)
                {
                    remaining.Push(remaining.Pop() - 1);
                }
                if (children > 0)
                {
                    remaining.Push(children);
                    deepest = Math.Max(deepest, remaining.Count);
                }
            }
            return deepest;
        }
        throw new FormatException("its footer has no schema");
    }

    /// <summary>Reads one SchemaElement; its num_children (field 5), 0 for a leaf.</summary>
    private static int ReadSchemaElement(ref CompactReader reader)
    {
        var children = 0;
        short fieldId = 0;
        while (reader.NextField(ref fieldId) is var type && type != 0)
        {
            if (fieldId == 5 && type == CompactReader.I32)
            {
                children = (int)reader.ZigZag();
                if (children < 0 || children > MaxSchemaElements)
                {
                    throw new FormatException("its schema is malformed");
                }
            }
            else
            {
                reader.Skip(type, 0);
            }
        }
        return children;
    }

    /// <summary>Just enough of Thrift's compact protocol to read and skip fields, with bounds on everything.</summary>
    private ref struct CompactReader(ReadOnlySpan<byte> data)
    {
        public const byte I32 = 5;
        public const byte List = 9;
        public const byte Struct = 12;
        private const int MaxNesting = 64;

        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        /// <summary>The next field's type (0 at the end of a struct), with its id in <paramref name="id"/>.</summary>
        public byte NextField(ref short id)
        {
            var header = Byte();
            if (header == 0)
            {
                return 0;
            }
            var delta = header >> 4;
            id = delta == 0 ? (short)ZigZag() : (short)(id + delta);
            return (byte)(header & 0x0F);
        }

        public (int Count, byte Type) ListHeader()
        {
            var header = Byte();
            var count = header >> 4;
            if (count == 15)
            {
                var big = Varint();
                if (big > int.MaxValue)
                {
                    throw new FormatException("a list is impossibly long");
                }
                count = (int)big;
            }
            return (count, (byte)(header & 0x0F));
        }

        public void Skip(byte type, int nesting)
        {
            if (nesting > MaxNesting)
            {
                throw new FormatException("its footer is nested too deeply");
            }
            switch (type)
            {
                case 1 or 2:
                    break;
                case 3:
                    Advance(1);
                    break;
                case 4 or 5 or 6:
                    Varint();
                    break;
                case 7:
                    Advance(8);
                    break;
                case 8:
                    var size = Varint();
                    if (size > int.MaxValue)
                    {
                        throw new FormatException("a value is impossibly long");
                    }
                    Advance((int)size);
                    break;
                case 9 or 10:
                    var (count, element) = ListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        if (element is 1 or 2)
                        {
                            Advance(1);
                        }
                        else
                        {
                            Skip(element, nesting + 1);
                        }
                    }
                    break;
                case 11:
                    var entries = Varint();
                    if (entries > 0)
                    {
                        var kinds = Byte();
                        for (ulong i = 0; i < entries; i++)
                        {
                            Skip((byte)(kinds >> 4), nesting + 1);
                            Skip((byte)(kinds & 0x0F), nesting + 1);
                        }
                    }
                    break;
                case 12:
                    short id = 0;
                    while (NextField(ref id) is var field && field != 0)
                    {
                        Skip(field, nesting + 1);
                    }
                    break;
                default:
                    throw new FormatException("its footer has an unknown value type");
            }
        }

        public long ZigZag()
        {
            var raw = Varint();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
            throw new FormatException("its footer has a malformed number");
        }

        private byte Byte()
        {
            if (_at >= _data.Length)
            {
                throw new FormatException("its footer ends early (truncated or corrupted)");
            }
            return _data[_at++];
        }

        private void Advance(int count)
        {
            if (count < 0 || count > _data.Length - _at)
            {
                throw new FormatException("its footer ends early (truncated or corrupted)");
            }
            _at += count;
        }
    }
}
