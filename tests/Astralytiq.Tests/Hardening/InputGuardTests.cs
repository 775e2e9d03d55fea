using System.Text;
using System.Text.Json;
using Astralytiq.Data.Engine;
using Astralytiq.Identity.Passwords;
using Astralytiq.Platform.Errors;
using Astralytiq.Platform.Http;
using DuckDB.NET.Data;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Hardening;

/// <summary>JSON text whose nesting is known to the generator's own count, with brackets and escapes inside strings.</summary>
public sealed record NestedJson(string Text, int Depth)
{
    public override string ToString() => $"depth {Depth}: {(Text.Length > 120 ? Text[..120] + "…" : Text)}";
}

public sealed class GuardArbitraries
{
    // Strings that look structural: brackets, quotes and backslashes inside them must not count.
    private static readonly string[] Tricky = ["a", "[", "]", "{", "}", "\\\"", "\\\\", "\\\\\\\"", "x y", "é", "\\u005b", ":", ","];

    private static Gen<string> JsonString() =>
        Gen.Elements(Tricky).ArrayOf().Select(parts => "\"" + string.Concat(parts.Take(8)) + "\"");

    public static Arbitrary<NestedJson> Nested() =>
        (from depth in Gen.Frequency((3, Gen.Choose(1, 70)), (1, Gen.Choose(60, 70)), (1, Gen.Choose(70, 300)))
         from kinds in Gen.Elements(true, false).ArrayOf(depth)
         from keys in JsonString().ArrayOf(depth)
         from siblings in Gen.Frequency((3, Gen.Constant("")), (1, JsonString().Select(s => s + ",")), (1, Gen.Constant("[1,[2]],"))).ArrayOf(depth)
         from leaf in Gen.OneOf(JsonString(), Gen.Constant("1e308"), Gen.Constant("null"), Gen.Constant("[]"), Gen.Constant("{}"))
         select Build(kinds, keys, siblings, leaf)).ToArbitrary();

    private static NestedJson Build(bool[] objects, string[] keys, string[] siblings, string leaf)
    {
        var text = new StringBuilder();
        for (var i = 0; i < objects.Length; i++)
        {
            // A sibling before the nested value: in an object it needs a key of its own.
            var sibling = siblings[i].Length == 0 ? "" : objects[i] ? $"\"s{i}\":{siblings[i]}" : siblings[i];
            text.Append(objects[i] ? "{" + sibling + keys[i] + ":" : "[" + sibling);
        }
        text.Append(leaf);
        for (var i = objects.Length - 1; i >= 0; i--)
        {
            text.Append(objects[i] ? '}' : ']');
        }
        return new NestedJson(text.ToString(), MeasuredDepth(text.ToString()));
    }

    /// <summary>The oracle: System.Text.Json's reader, which knows JSON, counting open containers.</summary>
    public static int MeasuredDepth(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = 100_000 });
        var deepest = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                deepest = Math.Max(deepest, reader.CurrentDepth + 1);
            }
        }
        return deepest;
    }
}

/// <summary>The checks that run before the engine sees user input, tested without a server.</summary>
public sealed class InputGuardTests
{
    /// <summary>The scanner fed <paramref name="bytes"/> in random chunks of 1 to 8 bytes, as a file is read: whether it stopped, and what it found.</summary>
    private static (bool Refused, string? Found) FedInChunks(byte[] bytes, int seed)
    {
        var random = new Random(seed);
        var scanner = new JsonGuard.DepthScanner(InputLimits.MaxJsonDepth);
        var refused = false;
        for (var at = 0; at < bytes.Length && !refused;)
        {
            var size = Math.Min(bytes.Length - at, random.Next(1, 9));
            refused = scanner.Feed(bytes.AsSpan(at, size)) >= 0;
            at += size;
        }
        return (refused, scanner.Found);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(GuardArbitraries)])]
    public void P36_json_nesting_is_measured_exactly_whatever_the_strings_and_however_the_text_is_split(NestedJson json, int seed)
    {
        // Inside a record, as a table's value: the record is one level more.
        var bytes = Encoding.UTF8.GetBytes("{\"v\":" + json.Text + "}");
        var verdict = JsonGuard.Check(bytes, "file", "x.json");
        Assert.Equal(json.Depth + 1 <= InputLimits.MaxJsonDepth, verdict.IsSuccess);
        if (!verdict.IsSuccess)
        {
            Assert.Contains($"more than {InputLimits.MaxJsonDepth} levels", Assert.Single(verdict.Error!.Details!).Message, StringComparison.Ordinal);
        }

        // Fed in arbitrary chunks (as a file is read), the scanner reaches the same verdict.
        Assert.Equal(!verdict.IsSuccess, FedInChunks(bytes, seed).Refused);
    }

    [Theory]
    [InlineData("42", "a number (line 1)")]
    [InlineData("\n\n-1.5", "a number (line 3)")]
    [InlineData("\"text\"", "a text value (line 1)")]
    [InlineData("true", "a true/false value (line 1)")]
    [InlineData("null", "a null (line 1)")]
    [InlineData("[1, 2]", "a number inside the array (line 1)")]
    [InlineData("[{\"a\":1},\n\"b\"]", "a text value inside the array (line 2)")]
    [InlineData("[[1], [2]]", "an array inside the array (line 1)")]
    [InlineData("{\"a\":1}\n7", "a number (line 2)")]
    [InlineData("[{\"a\":1}]\n[{\"a\":2}]", "a second top-level array (line 2)")]
    [InlineData("{\"a\":1}\n{\"a\":2}", null)]
    [InlineData("\uFEFF[ {\"a\": \"[1]\"} , {\"a\": 2} ]", null)]
    [InlineData("[]", null)]
    public void Only_an_array_of_objects_or_objects_one_per_line_is_a_table(string json, string? found)
    {
        var verdict = JsonGuard.Check(Encoding.UTF8.GetBytes(json), "file", "x.json");
        if (found is null)
        {
            Assert.True(verdict.IsSuccess, verdict.Error?.Details?[0].Message);
            return;
        }
        Assert.Equal($"x.json holds {found} where a table was expected: a JSON array of objects, or one object per line (NDJSON)", Assert.Single(verdict.Error!.Details!).Message);
    }

    /// <summary>P36: whatever the records and however the file is split into reads, the shape verdict is the JSON reader's.</summary>
    [Property(MaxTest = 200)]
    public void P36_a_json_table_is_recognised_exactly_however_the_text_is_split(bool[] records, bool asArray, int seed)
    {
        var items = records.Take(20).Select((isObject, i) => isObject ? $"{{\"k\":\"[{i}]\",\"n\":{{\"x\":[{i}]}}}}" : (i % 3) switch { 0 => i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 => "\"{s}\"", _ => "[{}]" }).ToList();
        var text = asArray ? "[" + string.Join(",\n", items) + "]" : string.Join("\n", items);
        var bytes = Encoding.UTF8.GetBytes(text);
        var table = items.Count == 0 || records.Take(20).All(r => r);
        var (refused, found) = FedInChunks(bytes, seed);
        Assert.Equal(!table, refused);
        Assert.Equal(table, JsonGuard.Check(bytes, "file", "x.json").IsSuccess);
        Assert.Equal(!table, found is not null);
    }

    [Fact]
    public async Task The_inputs_that_crashed_the_server_are_refused_by_the_guard_in_one_pass()
    {
        var path = Path.Combine(Path.GetTempPath(), $"guard-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000));
            var objects = await JsonGuard.CheckFileAsync(path, "file", "deep.json", CancellationToken.None);
            Assert.Equal("deep.json is nested more than 64 levels deep (line 1); flatten the data or split it into several datasets", objects.Error!.Details![0].Message);

            await File.WriteAllTextAsync(path, "{\"ok\":1}\n{\"ok\":[[1]]}\n{\"deep\":" + new string('[', 10_000) + new string(']', 10_000) + "}\n");
            var arrays = await JsonGuard.CheckFileAsync(path, "rows", "the batch", CancellationToken.None);
            Assert.Contains("(line 3)", arrays.Error!.Details![0].Message, StringComparison.Ordinal);
            Assert.Equal("rows", arrays.Error.Details[0].Field);

            await File.WriteAllTextAsync(path, string.Concat(Enumerable.Repeat("[{\"a\":", 32)) + "1" + string.Concat(Enumerable.Repeat("}]", 32)));
            Assert.True((await JsonGuard.CheckFileAsync(path, "file", "ok.json", CancellationToken.None)).IsSuccess);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Struct_types_as_the_engine_prints_them_are_read_back_field_by_field()
    {
        // Keys with quotes, commas, parentheses and spaces, nested: DESCRIBE's text must split exactly into them.
        var path = Path.Combine(Path.GetTempPath(), $"types-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """[{"a":{"b c":1,"d\"q":{"x,y":"s","z(1)":[1,2]},"n":{"A":1},"e":1.5,"m":{"k":{"k2":null}}}}]""");
        try
        {
            await using var duck = new DuckDBConnection("DataSource=:memory:");
            await duck.OpenAsync();
            var column = Assert.Single(await DuckDb.DescribeAsync(duck, $"SELECT * FROM read_json({DuckDb.Literal(path)})", CancellationToken.None));
            var fields = DuckTypes.StructFields(column.SourceType)!;
            Assert.Equal(new[] { "b c", "d\"q", "n", "e", "m" }, fields.Select(f => f.Name));
            Assert.Equal(new[] { "x,y", "z(1)" }, DuckTypes.StructFields(fields[1].Type)!.Select(f => f.Name));
            Assert.Equal("BIGINT[]", DuckTypes.StructFields(fields[1].Type)![1].Type);
            Assert.Equal("DOUBLE", fields[3].Type);
            Assert.Null(DuckTypes.StructFields("STRUCT(a BIGINT)[]"));
            Assert.Null(DuckTypes.StructFields("MAP(VARCHAR, BIGINT)"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_parquet_schema_nested_past_the_limit_is_refused_before_the_engine_opens_it()
    {
        var shallow = await ParquetWithDepthAsync(3);
        var deep = await ParquetWithDepthAsync(InputLimits.MaxJsonDepth + 6);
        try
        {
            Assert.True(ParquetFooter.Check(shallow, "flat.parquet").IsSuccess);
            Assert.Equal(4, ParquetFooter.SchemaDepth(Footer(shallow)));
            var refused = ParquetFooter.Check(deep, "deep.parquet");
            Assert.Equal($"deep.parquet has a schema nested {InputLimits.MaxJsonDepth + 7} levels deep; more than {InputLimits.MaxJsonDepth} levels are not supported",
                refused.Error!.Details![0].Message);
        }
        finally
        {
            File.Delete(shallow);
            File.Delete(deep);
        }
    }

    [Property(MaxTest = 200)]
    public void P36_a_damaged_parquet_file_is_refused_with_a_reason_and_never_throws(int cut, byte value, int position)
    {
        var original = SampleParquet.Value;
        var bytes = (byte[])original.Clone();
        // Either truncated somewhere, or one byte of the footer region changed.
        if (cut % 2 == 0)
        {
            bytes = bytes[..(Math.Abs(cut) % bytes.Length)];
        }
        else
        {
            bytes[bytes.Length - 1 - (Math.Abs(position) % Math.Min(200, bytes.Length))] = value;
        }
        var path = Path.Combine(Path.GetTempPath(), $"damaged-{Guid.NewGuid():N}.parquet");
        File.WriteAllBytes(path, bytes);
        try
        {
            var result = ParquetFooter.Check(path, "x.parquet");
            if (!result.IsSuccess)
            {
                Assert.StartsWith("x.parquet ", Assert.Single(result.Error!.Details!).Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly Lazy<byte[]> SampleParquet = new(() =>
    {
        var path = ParquetWithDepthAsync(2).GetAwaiter().GetResult();
        try
        {
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    });

    private static byte[] Footer(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = BitConverter.ToInt32(bytes, bytes.Length - 8);
        return bytes[(bytes.Length - 8 - length)..(bytes.Length - 8)];
    }

    /// <summary>A Parquet file (written by DuckDB) with a struct column nested <paramref name="depth"/> levels and a flat one.</summary>
    private static async Task<string> ParquetWithDepthAsync(int depth)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nested-{Guid.NewGuid():N}.parquet");
        var expression = "1";
        for (var i = 0; i < depth; i++)
        {
            expression = $"{{'a': {expression}}}";
        }
        await using var duck = new DuckDBConnection("DataSource=:memory:");
        await duck.OpenAsync();
        await DuckDb.ExecuteAsync(duck, $"COPY (SELECT 7 AS flat, {expression} AS nested) TO {DuckDb.Literal(path)} (FORMAT parquet)", CancellationToken.None);
        return path;
    }

    [Theory]
    [InlineData("bomb", "would inflate")]
    [InlineData("huge-shared", "its shared text table is 300 MiB; at most 256 MiB are supported")]
    [InlineData("dtd", "it declares a document type (DTD)")]
    [InlineData("far-cell", "has 16,384 columns in sheet 'Data'; at most 4,096 are supported")]
    [InlineData("no-workbook", "is not an Excel workbook")]
    public void Hostile_workbooks_are_refused_with_the_reason_before_a_sheet_is_read(string damage, string reason)
    {
        var table = new Properties.GeneratedTable([("name", "string"), ("n", "integer")], [["a", 1L], ["b", 2L]]);
        var input = Path.Combine(Path.GetTempPath(), $"wb-{Guid.NewGuid():N}.xlsx");
        var output = Path.ChangeExtension(input, ".csv");
        File.WriteAllBytes(input, HostileGenerators.WorkbookCase(table, damage, 1).Bytes);
        try
        {
            var result = Excel.ToCsv(input, output, null, "book.xlsx", CancellationToken.None);
            Assert.Contains(reason, Assert.Single(result.Error!.Details!).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("utf-16 with a mark", "fffe")]
    [InlineData("utf-16 big-endian with a mark", "feff")]
    [InlineData("utf-16 without a mark", "le")]
    [InlineData("utf-16 big-endian without a mark", "be")]
    [InlineData("windows-1252", "1252")]
    public async Task Text_in_other_encodings_is_recognised_and_transcoded_to_utf8(string why, string kind)
    {
        const string text = "name,city,price\nJosé,Zürich,€ 12\nŒuvre,Łódź?,3\n";
        var bytes = kind switch
        {
            "fffe" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "feff" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            "le" => Encoding.Unicode.GetBytes(text),
            "be" => Encoding.BigEndianUnicode.GetBytes(text),
            _ => CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text.Replace("Łódź?", "Lodz?", StringComparison.Ordinal)),
        };
        var source = Path.Combine(Path.GetTempPath(), $"enc-{Guid.NewGuid():N}.csv");
        var target = source + ".utf8";
        await File.WriteAllBytesAsync(source, bytes);
        try
        {
            var encoding = await TextEncoding.DetectAsync(source, CancellationToken.None);
            Assert.True(encoding is not null, why);
            await TextEncoding.TranscodeAsync(source, encoding, target, CancellationToken.None);
            var expected = kind == "1252" ? text.Replace("Łódź?", "Lodz?", StringComparison.Ordinal) : text;
            Assert.Equal(expected, await File.ReadAllTextAsync(target, new UTF8Encoding(false, true)));
        }
        finally
        {
            File.Delete(source);
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Utf8_is_left_as_it_is_even_when_a_few_bytes_are_broken()
    {
        var source = Path.Combine(Path.GetTempPath(), $"enc-{Guid.NewGuid():N}.csv");
        try
        {
            await File.WriteAllTextAsync(source, "name\nZürich\n" + new string('x', 70_000) + "é\n", new UTF8Encoding(true));
            Assert.Null(await TextEncoding.DetectAsync(source, CancellationToken.None));
            await File.WriteAllBytesAsync(source, [.. Encoding.UTF8.GetBytes("name\nZürich\nSão\n"), 0xC3, 0x28, 0x0A]);
            Assert.Null(await TextEncoding.DetectAsync(source, CancellationToken.None));
        }
        finally
        {
            File.Delete(source);
        }
    }

    [Theory]
    [InlineData("aaaaaaaaaaaa", "repeated")]
    [InlineData("passwordpassword", "common-or-repeated")]
    [InlineData("123456789012", "sequence")]
    [InlineData("correcthorse", "guessable")]
    [InlineData("abcabcabcabc", "repeated")]
    [InlineData("zyxwvutsrqpo", "sequence")]
    [InlineData("Summer2024!!", "guessable")]
    [InlineData("qwertyuiopasdf", "guessable")]
    [InlineData("Acme Rockets 2024", "organisation")]
    [InlineData("alice.smith.1990", "email")]
    public void Weak_passwords_are_refused_with_the_reason(string password, string why)
    {
        var errors = new FieldErrors();
        PasswordPolicy.Check("password", password, "alice.smith@example.com", errors, "Alice Smith", "Acme Rockets");
        Assert.False(errors.IsEmpty, $"{password} ({why}) was accepted");
    }

    [Theory]
    [InlineData("Correct-Horse-Battery-9")]
    [InlineData("tangerine voltage pebble march")]
    [InlineData("x7#kQ9!mZ2v")]
    public void Strong_passwords_pass(string password)
    {
        var errors = new FieldErrors();
        PasswordPolicy.Check("password", password, "alice.smith@example.com", errors, "Alice Smith", "Acme Rockets");
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToError().Details?.Select(d => d.Message) ?? []));
    }

    [Fact]
    public void Kestrels_empty_refusals_become_the_error_envelope_and_other_responses_pass_untouched()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
        var kestrel = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\nDate: Sat, 05 Dec 2026 10:00:00 GMT\r\n\r\n"u8;
        var replaced = Encoding.ASCII.GetString(ServerErrorEnvelope.Replacement(kestrel, time)!);
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", replaced, StringComparison.Ordinal);
        var body = replaced[(replaced.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", replaced, StringComparison.Ordinal);
        using var envelope = JsonDocument.Parse(body);
        Assert.Equal("BAD_REQUEST", envelope.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.StartsWith("req_", envelope.RootElement.GetProperty("error").GetProperty("request_id").GetString(), StringComparison.Ordinal);

        Assert.Null(ServerErrorEnvelope.Replacement("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8, time));
        Assert.Null(ServerErrorEnvelope.Replacement("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8, time));
        Assert.Null(ServerErrorEnvelope.Replacement("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n"u8, time));
    }
}
