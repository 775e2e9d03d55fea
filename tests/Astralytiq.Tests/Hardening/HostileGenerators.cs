using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Astralytiq.Tests.Properties;
using DuckDB.NET.Data;
using FsCheck;
using FsCheck.Fluent;

namespace Astralytiq.Tests.Hardening;

/// <summary>A generated hostile input: the bytes or text to send and what it was made of (shown when a case fails).</summary>
public sealed record HostileCase(string Label, byte[] Bytes, string FileName, int Depth = 0, string? MustRefuseWith = null)
{
    public override string ToString() => $"{Label} ({Bytes.Length:N0} bytes as {FileName})";
}

/// <summary>Hostile JSON for a structured endpoint (a query spec, transform steps, a dashboard, ...).</summary>
public sealed record HostileJson(string Label, string Json)
{
    public override string ToString() => $"{Label}: {(Json.Length > 300 ? Json[..300] + "…" : Json)}";
}

/// <summary>Generators of malformed, extreme and adversarial input for every parser and entry point (P36).</summary>
public static class HostileGenerators
{
    /// <summary>The columns of the dataset the structured cases run against.</summary>
    public const string BaseCsv = "id,amount,region,day,flag\n1,10.5,north,2024-01-01,true\n2,-3,south,2024-02-29,false\n3,,\"we,st\",2024-03-31,\n";

    private static readonly string[] Columns = ["id", "amount", "region", "day", "flag"];

    /// <summary>Names that are not columns, or are hostile: empty, quotes, SQL, control characters, very long.</summary>
    private static readonly string[] HostileNames =
        ["", " ", "ID", "region\"", "region'; DROP TABLE t; --", "a\u0000b", "[region]", "ümlaut", "x\ny", new string('n', 600), "__row", "*"];

    private static readonly string[] Texts =
        ["", "north", "'", "\"", "\\", "%", "_", "2024-13-45", "NaN", "1e309", "-0", "0x1F", "\u0000", "\ud83d\ude00", "漢字", "null", "true",
         "'; DROP TABLE t; --", "${jndi:x}", "<script>", new string('z', 5_000), "2024-01-01T25:61:61", "9999-12-31", "-1", "1", "0.5"];

    public static Gen<string> Name() => Gen.Frequency((4, Gen.Elements(Columns)), (1, Gen.Elements(HostileNames)));

    public static Gen<string> Text() => Gen.Elements(Texts);

    private static Gen<JsonNode?> Number() => Gen.Elements<JsonNode?>(
        JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1), JsonValue.Create(int.MaxValue), JsonValue.Create(long.MinValue),
        JsonValue.Create(1e308), JsonValue.Create(-1e-300), JsonValue.Create(0.5), JsonValue.Create(3_000_000_000L));

    /// <summary>Any JSON value, up to a depth; mostly from the vocabulary, sometimes anything.</summary>
    public static Gen<JsonNode?> Value(int depth) => depth <= 0
        ? Gen.OneOf(Text().Select(t => (JsonNode?)JsonValue.Create(t)), Number(), Gen.Elements<JsonNode?>(null, JsonValue.Create(true), JsonValue.Create(false)))
        : Gen.Frequency(
            (5, Value(0)),
            (1, Value(depth - 1).ArrayOf().Select(items => (JsonNode?)new JsonArray([.. items.Take(6).Select(Clone)]))),
            (1, Both(Gen.Elements("column", "op", "value", "all", "any", "not", "x"), Value(depth - 1)).ArrayOf()
                .Select(pairs => (JsonNode?)Obj(pairs.Take(5).Select(p => (p.Item1, p.Item2))))));

    public static JsonObject Obj(IEnumerable<(string Key, JsonNode? Value)> fields)
    {
        var o = new JsonObject();
        foreach (var (key, value) in fields)
        {
            o[key] = Clone(value);
        }
        return o;
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    private static Gen<(TA, TB)> Both<TA, TB>(Gen<TA> a, Gen<TB> b) => from x in a from y in b select (x, y);

    private static Gen<(TA, TB, TC)> Both<TA, TB, TC>(Gen<TA> a, Gen<TB> b, Gen<TC> c) => from x in a from y in b from z in c select (x, y, z);

    /// <summary>A field that is mostly the right kind of value and sometimes any value at all.</summary>
    private static Gen<JsonNode?> Field(Gen<JsonNode?> right) => Gen.Frequency((4, right), (1, Value(2)));

    private static Gen<JsonNode?> NameNode() => Name().Select(n => (JsonNode?)JsonValue.Create(n));

    private static Gen<JsonNode?> Names() => Name().ArrayOf().Select(ns => (JsonNode?)new JsonArray([.. ns.Take(4).Select(n => (JsonNode?)JsonValue.Create(n))]));

    private static Gen<JsonNode?> Pick(params string[] options) => Gen.Elements(options).Select(o => (JsonNode?)JsonValue.Create(o));

    /// <summary>An expression of the transform language: tokens of every kind, nested up to 120 deep, sometimes long.</summary>
    public static Gen<string> Expression() =>
        from depth in Gen.Frequency((4, Gen.Choose(0, 5)), (1, Gen.Choose(60, 120)))
        from tokens in Gen.Elements("id", "amount", "[region]", "[day]", "+", "-", "*", "/", "%", "and", "or", "not", "=", "<>", ">=", "is null",
            "in (1, 2)", "round(", "if(", "coalesce(", "year(", "substring(", "'text'", "'it''s'", "\"x\"", "1", "1.5e300", "-", ",", ")", "(", "unknown_fn(",
            "[unclosed", "'unclosed", "💥", "\u0000", "1e999", ".5", "9999999999999999999999").ArrayOf()
        select new string('(', depth) + string.Join(" ", tokens.Take(30)) + new string(')', depth);

    public static Arbitrary<HostileJson> QuerySpecs() =>
        (from dims in Both(NameNode(), Field(Pick("day", "week", "month", "quarter", "year", "hour", "decade", ""))).ArrayOf()
         from measures in Both(Field(Pick("count", "sum", "avg", "min", "max", "median", "stddev", "count_distinct", "drop")), NameNode()).ArrayOf()
         from filters in Both(NameNode(), Field(Pick("eq", "ne", "lt", "le", "gt", "ge", "contains", "starts_with", "is_null", "not_null", "regex")), Field(Text().Select(t => (JsonNode?)JsonValue.Create(t)))).ArrayOf()
         from limit in Field(Gen.Elements<JsonNode?>(JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(10), JsonValue.Create(int.MaxValue)))
         from offset in Field(Gen.Elements<JsonNode?>(JsonValue.Create(-5), JsonValue.Create(0), JsonValue.Create(2_000_000_000)))
         from picked in Gen.Frequency((3, Gen.Constant<JsonNode?>(null)), (1, Names()))
         from extra in Value(3)
         let spec = Obj([
             ("dimensions", new JsonArray([.. dims.Take(3).Select(d => (JsonNode?)Obj([("column", d.Item1), ("bucket", d.Item2)]))])),
             ("measures", new JsonArray([.. measures.Take(3).Select(m => (JsonNode?)Obj([("aggregation", m.Item1), ("column", m.Item2)]))])),
             ("filters", new JsonArray([.. filters.Take(3).Select(f => (JsonNode?)Obj([("column", f.Item1), ("op", f.Item2), ("value", f.Item3)]))])),
             ("limit", limit), ("offset", offset), ("select", picked), ("sort", extra)])
         select new HostileJson("query spec", spec.ToJsonString())).ToArbitrary();

    public static Gen<JsonNode?> Predicate(int depth) => depth <= 0
        ? from column in NameNode()
          from op in Field(Pick("eq", "ne", "lt", "in", "not_in", "contains", "is_null", "between"))
          from value in Value(1)
          select (JsonNode?)Obj([("column", column), ("op", op), ("value", value)])
        : Gen.Frequency(
            (3, Predicate(0)),
            (1, Predicate(depth - 1).ArrayOf().Select(ps => (JsonNode?)Obj([("all", new JsonArray([.. ps.Take(3).Select(Clone)]))]))),
            (1, Predicate(depth - 1).Select(p => (JsonNode?)Obj([("not", p)]))));

    public static Arbitrary<HostileJson> TransformSteps() =>
        (from steps in (from op in Pick("select", "drop", "rename", "cast", "filter", "fill_missing", "drop_duplicates", "derive", "group", "join", "sort",
                            "normalize", "one_hot", "sample", "limit", "date_parts", "explode", "")
                        from columns in Field(Names())
                        from column in Field(NameNode())
                        from to in Field(Pick("integer", "decimal", "string", "date", "timestamp", "boolean", "blob"))
                        from predicate in Predicate(3)
                        from expression in Expression()
                        from name in Field(NameNode())
                        from rows in Field(Gen.Elements<JsonNode?>(JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(5), JsonValue.Create(long.MaxValue)))
                        from fraction in Field(Gen.Elements<JsonNode?>(JsonValue.Create(-0.5), JsonValue.Create(0.5), JsonValue.Create(2.0)))
                        from strategy in Field(Pick("constant", "mean", "median", "mode", "forward_fill", "backward_fill", "magic"))
                        from mapping in Both(Name(), Name()).ArrayOf()
                        from aggregations in Both(Pick("count", "sum", "avg", "first", "median", "x"), NameNode()).ArrayOf()
                        select (JsonNode?)Obj([("op", op), ("columns", columns), ("column", column), ("to", to), ("where", predicate), ("expression", JsonValue.Create(expression)),
                            ("name", name), ("rows", rows), ("fraction", fraction), ("strategy", strategy),
                            ("mapping", Obj(mapping.Take(3).DistinctBy(m => m.Item1).Select(m => (m.Item1, (JsonNode?)JsonValue.Create(m.Item2))))),
                            ("group_by", columns),
                            ("aggregations", new JsonArray([.. aggregations.Take(3).Select(a => (JsonNode?)Obj([("function", a.Item1), ("column", a.Item2)]))]))])).ArrayOf()
         select new HostileJson("steps", Obj([("preview", JsonValue.Create(true)), ("steps", new JsonArray([.. steps.Take(4).Select(Clone)]))]).ToJsonString())).ToArbitrary();

    public static Arbitrary<string> Expressions() => Expression().ToArbitrary();

    /// <summary>Rows to score: the model's features with values of every kind, unknown fields, none at all, or too many rows.</summary>
    public static Arbitrary<HostileJson> PredictionRows() =>
        (from rows in (from rooms in Field(Gen.Elements<JsonNode?>(JsonValue.Create(3), JsonValue.Create(-1e308), JsonValue.Create("three"), null))
                       from area in Field(Gen.Elements<JsonNode?>(JsonValue.Create(75.5), JsonValue.Create(double.MaxValue), JsonValue.Create(""), new JsonArray(1, 2)))
                       from city in Field(Gen.Elements<JsonNode?>(JsonValue.Create("Oslo"), JsonValue.Create("Atlantis"), JsonValue.Create(new string('c', 10_000)), JsonValue.Create(7)))
                       from extra in Gen.Elements("noise", "price", "unknown", "")
                       from value in Value(2)
                       select (JsonNode?)Obj([("rooms", rooms), ("area", area), ("city", city), (extra, value)])).ArrayOf()
         from shape in Gen.Elements("row", "rows", "rows", "both", "neither", "many", "empty-rows")
         select new HostileJson("predict " + shape, (shape switch
         {
             "row" => Obj([("row", rows.FirstOrDefault()?.DeepClone())]),
             "rows" => Obj([("rows", new JsonArray([.. rows.Take(5).Select(Clone)]))]),
             "both" => Obj([("row", rows.FirstOrDefault()?.DeepClone()), ("rows", new JsonArray([.. rows.Take(2).Select(Clone)]))]),
             "many" => Obj([("rows", new JsonArray([.. Enumerable.Range(0, 10_050).Select(_ => (JsonNode?)Obj([("rooms", JsonValue.Create(2)), ("area", JsonValue.Create(50.0)), ("city", JsonValue.Create("Oslo"))]))]))]),
             "empty-rows" => Obj([("rows", new JsonArray())]),
             _ => new JsonObject(),
         }).ToJsonString())).ToArbitrary();

    public static Arbitrary<string> Crons() =>
        Gen.OneOf(
            Gen.Elements("0 3 * * *", "*/15 * * * *", "0 0 29 2 *", "0 0 31 4 *", "59 23 31 12 7", "*/0 * * * *", "99 99 99 99 99", "* * * * * *",
                "@daily", "", " ", "0 0 * * MON-FRI", "0 0 L * *", "0 0 1W * *", "0 0 ? * *", "1-60 * * * *", "0 0 * * 8", "0-59/1 * * * *",
                "* * * *", "a b c d e", "\u0000 * * * *", "٣ * * * *", "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0 * * * *"),
            Gen.Elements("*", "0", "59", "60", "*/7", "1-5", "5-1", "L", "#", "-", ",", "99999999999", "1/0").ArrayOf().Select(parts => string.Join(" ", parts.Take(7))),
            Gen.Constant(string.Join(",", Enumerable.Range(0, 2_000).Select(i => (i % 60).ToString(CultureInfo.InvariantCulture))) + " * * * *")).ToArbitrary();

    public static Gen<string> TimeZone() => Gen.Elements("UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Mars/Olympus", "", "../../etc/passwd", "+25:00", "Etc/GMT-14");

    public static Arbitrary<HostileJson> Dashboards() =>
        (from widgets in (from id in Gen.OneOf(Gen.Elements("w1", "w2", "", "💥", new string('w', 300)), Gen.Choose(0, 9).Select(i => $"w{i}"))
                          from type in Field(Pick("kpi", "line", "area", "bar", "pie", "scatter", "histogram", "heatmap", "table", "text", "forecast", "model_metrics", "gauge"))
                          from x in Field(Gen.Elements<JsonNode?>(JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(11), JsonValue.Create(int.MaxValue)))
                          from w in Field(Gen.Elements<JsonNode?>(JsonValue.Create(0), JsonValue.Create(3), JsonValue.Create(13), JsonValue.Create(int.MinValue)))
                          from spec in QuerySpecs().Generator
                          from markdown in Field(Gen.Elements<JsonNode?>(JsonValue.Create("# hi **there** [x](javascript:alert(1))"), JsonValue.Create(new string('m', 60_000))))
                          from options in Field(Gen.Constant<JsonNode?>(Obj([("compare", JsonValue.Create("previous_period")), ("stacked", JsonValue.Create("yes"))])))
                          select (JsonNode?)Obj([("id", JsonValue.Create(id)), ("type", type),
                              ("position", Obj([("x", x), ("y", JsonValue.Create(0)), ("w", w), ("h", JsonValue.Create(3))])),
                              ("source", Obj([("dataset_id", JsonValue.Create("{dataset}")), ("query", JsonNode.Parse(spec.Json))])),
                              ("markdown", markdown), ("options", options)])).ArrayOf()
         from filters in Both(Gen.Elements("f1", "f1", ""), NameNode(), Field(Pick("date_range", "values", "slider"))).ArrayOf()
         from name in Gen.Elements("Sales", "", " ", new string('n', 300), "<b>x</b>")
         select new HostileJson("dashboard", Obj([("name", JsonValue.Create(name)), ("definition", Obj([
             ("widgets", new JsonArray([.. widgets.Take(4).Select(Clone)])),
             ("filters", new JsonArray([.. filters.Take(3).Select(f => (JsonNode?)Obj([("id", JsonValue.Create(f.Item1)), ("column", f.Item2), ("kind", f.Item3)]))]))]))]).ToJsonString())).ToArbitrary();

    public static Arbitrary<string> Sql() =>
        (from depth in Gen.Frequency((5, Gen.Choose(0, 3)), (1, Gen.Choose(100, 3_000)))
         from parts in Gen.Elements("SELECT", "*", "id", "amount", "FROM", "base", "WHERE", "GROUP BY", "ORDER BY", "LIMIT 5", "UNION ALL", "JOIN base b ON true",
             "read_csv('/etc/passwd')", "glob('*')", "COPY base TO '/tmp/x.csv'", "ATTACH '/tmp/x.db'", "PRAGMA version", "INSTALL httpfs", "SET threads=64",
             "duckdb_settings()", "main.base", "pg_catalog.pg_tables", ";", "--", "/*", "*/", "'", "\"", "(", ")", "sum(", "count(*)", "random()",
             "generate_series(1, 100000000)", "range(10)", "repeat('x', 100000000)", "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM r) SELECT count(*) FROM r",
             "getenv('HOME')", "current_setting('memory_limit')", "💥", "\u0000", "漢字").ArrayOf()
         select new string('(', depth) + "SELECT " + string.Join(" ", parts.Take(12)) + new string(')', depth)).ToArbitrary();

    /// <summary>Delimited text: a clean table, then mutations of every kind a file can suffer on its way.</summary>
    public static Arbitrary<HostileCase> DelimitedText() =>
        (from table in DataArbitraries.Tables().Generator
         from delimiter in Gen.Elements(',', ';', '\t', '|')
         from mutations in Gen.Elements("none", "quote", "ragged", "cr", "crlf", "bom", "utf16", "utf16be", "1252", "nul", "huge-field", "wide", "truncate",
             "splice", "empty", "only-header", "blank-lines", "long-header").ArrayOf().Select(m => m.Take(3).ToArray())
         from seed in Gen.Choose(0, int.MaxValue)
         select Mutate(table.ToCsv().Replace(",", delimiter.ToString(), StringComparison.Ordinal), delimiter, mutations, seed)).ToArbitrary();

    private static HostileCase Mutate(string csv, char delimiter, string[] mutations, int seed)
    {
        var random = new Random(seed);
        var text = csv;
        byte[]? bytes = null;
        foreach (var mutation in mutations)
        {
            text = mutation switch
            {
                "quote" => text.Insert(random.Next(text.Length + 1), "\""),
                "ragged" => text + string.Join(delimiter, Enumerable.Repeat("x", random.Next(1, 9))) + "\n",
                "cr" => text.Replace("\n", "\r", StringComparison.Ordinal),
                "crlf" => text.Replace("\n", "\r\n", StringComparison.Ordinal),
                "nul" => text.Insert(random.Next(text.Length + 1), "\u0000"),
                "huge-field" => text + new string('h', 3 << 20) + "\n",
                "wide" => string.Join(delimiter, Enumerable.Range(0, 5_000).Select(i => $"c{i}")) + "\n" + string.Join(delimiter, Enumerable.Range(0, 5_000)) + "\n",
                "truncate" => text[..random.Next(text.Length + 1)],
                "splice" => text.Insert(random.Next(text.Length + 1), new string((char)random.Next(1, 0xD7FF), random.Next(1, 5))),
                "empty" => "",
                "only-header" => text.Split('\n')[0] + "\n",
                "blank-lines" => text.Replace("\n", "\n\n\n", StringComparison.Ordinal),
                "long-header" => new string('H', 700) + delimiter + text,
                _ => text,
            };
        }
        foreach (var mutation in mutations)
        {
            bytes = mutation switch
            {
                "bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
                "utf16" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
                "utf16be" => Encoding.BigEndianUnicode.GetBytes(text),
                "1252" => CodePagesEncodingProvider.Instance.GetEncoding(1252, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback)!.GetBytes(text),
                _ => bytes,
            };
        }
        return new HostileCase("delimited: " + string.Join("+", mutations), bytes ?? Encoding.UTF8.GetBytes(text), delimiter == '\t' ? "x.tsv" : "x.csv");
    }

    /// <summary>JSON and NDJSON: numbers at the limits, duplicate keys, bad escapes and bytes, truncation, any nesting.</summary>
    public static Arbitrary<HostileCase> Json() =>
        (from records in Gen.Choose(0, 6)
         from depth in Gen.Frequency((4, Gen.Choose(0, 8)), (1, Gen.Choose(50, 80)), (1, Gen.Choose(500, 20_000)))
         from lines in Gen.Elements(true, false)
         from oddities in Gen.Elements("1e308", "-1e309", "1e-400", "123456789012345678901234567890123456789", "-0", "NaN", "Infinity", "\"\\ud800\"", "\"\\u0000\"",
             "\"a\",\"a\":2", "true", "null", "[]", "{}", "\"\\x41\"", "0012", "1.", ".5", "\"" + new string('s', 200_000) + "\"").ArrayOf()
         from damage in Gen.Elements("none", "none", "none", "truncate", "invalid-utf8", "scalar", "trailing-comma", "bom", "empty")
         from seed in Gen.Choose(0, int.MaxValue)
         select JsonCase(records, depth, lines, oddities.Take(4).ToArray(), damage, seed)).ToArbitrary();

    private static HostileCase JsonCase(int records, int depth, bool lines, string[] oddities, string damage, int seed)
    {
        var random = new Random(seed);
        string Record(int i)
        {
            var nested = depth == 0 ? "1" : string.Concat(Enumerable.Repeat("{\"n\":", depth)) + "1" + new string('}', depth);
            var extra = string.Concat(oddities.Select((o, k) => $",\"o{k}\":{o}"));
            return $"{{\"id\":{i},\"deep\":{nested}{extra}}}";
        }
        var body = lines
            ? string.Join("\n", Enumerable.Range(0, Math.Max(1, records)).Select(Record)) + "\n"
            : "[" + string.Join(",", Enumerable.Range(0, records).Select(Record)) + "]";
        var bytes = Encoding.UTF8.GetBytes(damage switch
        {
            "truncate" => body[..random.Next(body.Length + 1)],
            "scalar" => "42",
            "trailing-comma" => body.Replace("}", ",}", StringComparison.Ordinal),
            "empty" => "",
            _ => body,
        });
        if (damage == "invalid-utf8" && bytes.Length > 2)
        {
            bytes[random.Next(bytes.Length)] = 0xFF;
        }
        if (damage == "bom")
        {
            bytes = [.. Encoding.UTF8.GetPreamble(), .. bytes];
        }
        // Nesting as the file has it: the record's array or object, the record, the nested chain.
        var measured = Math.Max(depth, 1) + (lines ? 1 : 2);
        return new HostileCase($"json: {records} records, nesting {depth}, {string.Join(" ", oddities.Select(o => o.Length > 20 ? o[..20] : o))}, {damage}",
            bytes, lines ? "x.ndjson" : "x.json", damage is "none" or "bom" or "trailing-comma" && records > 0 ? measured : 0,
            damage == "scalar" ? "where a table was expected" : null);
    }

    /// <summary>Workbooks: valid ones, and truncated, corrupted, bombed, DTD-laden, far-reaching and lying ones.</summary>
    public static Arbitrary<HostileCase> Workbooks() =>
        (from table in DataArbitraries.Tables().Generator
         from damage in Gen.Elements("none", "truncate", "flip", "dtd", "far-cell", "bomb", "lie", "deep-xml", "no-workbook", "not-zip", "huge-shared")
         from seed in Gen.Choose(0, int.MaxValue)
         select WorkbookCase(table, damage, seed)).ToArbitrary();

    internal static HostileCase WorkbookCase(GeneratedTable table, string damage, int seed)
    {
        var random = new Random(seed);
        var bytes = table.ToXlsx();
        switch (damage)
        {
            case "truncate":
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case "flip":
                for (var i = 0; i < 8; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }
                break;
            case "not-zip":
                bytes = Encoding.UTF8.GetBytes("this is not a workbook");
                break;
            default:
                if (damage != "none")
                {
                    bytes = Rewrite(bytes, damage);
                }
                break;
        }
        return new HostileCase("xlsx: " + damage, bytes, "x.xlsx");
    }

    /// <summary>Rewrites the workbook's parts: a DTD, a far cell, a bomb entry, deep XML, a missing workbook part, a huge shared-string table.</summary>
    private static byte[] Rewrite(byte[] xlsx, string damage)
    {
        using var input = new MemoryStream(xlsx);
        using var output = new MemoryStream();
        using (var source = new ZipArchive(input, ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                if (damage == "no-workbook" && entry.FullName == "xl/workbook.xml")
                {
                    continue;
                }
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                if (entry.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal))
                {
                    text = damage switch
                    {
                        "dtd" => text.Replace("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>", StringComparison.Ordinal),
                        "far-cell" => text.Replace("</x:sheetData>", "<x:row r=\"2\"><x:c r=\"XFD2\"><x:v>1</x:v></x:c></x:row></x:sheetData>", StringComparison.Ordinal),
                        "deep-xml" => text.Replace("</x:sheetData>", string.Concat(Enumerable.Repeat("<x:row>", 20_000)) + string.Concat(Enumerable.Repeat("</x:row>", 20_000)) + "</x:sheetData>", StringComparison.Ordinal),
                        _ => text,
                    };
                }
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.Fastest);
                using var writer = new StreamWriter(copy.Open());
                writer.Write(text);
            }
            if (damage == "bomb")
            {
                // 12 MiB of zeros in a few KiB: past the size at which the inflation ratio is checked.
                var bomb = target.CreateEntry("xl/media/padding.bin", CompressionLevel.SmallestSize);
                using var stream = bomb.Open();
                var zeros = new byte[1 << 20];
                for (var i = 0; i < 12; i++)
                {
                    stream.Write(zeros);
                }
            }
            if (damage == "huge-shared")
            {
                var shared = target.CreateEntry("xl/sharedStrings.xml", CompressionLevel.Fastest);
                using var writer = new StreamWriter(shared.Open());
                writer.Write("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>a</t></si></sst>");
            }
        }
        var bytes = output.ToArray();
        if (damage == "huge-shared")
        {
            // The shared-string table claims 300 MiB (both headers), as a real one that size would.
            Claim(bytes, "xl/sharedStrings.xml", 300 << 20);
        }
        if (damage == "lie")
        {
            // Every entry claims to hold 1,000 bytes, whatever it holds (local headers and the central directory).
            for (var i = 0; i + 30 < bytes.Length; i++)
            {
                if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(i + 22, 4), 1_000);
                }
                else if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(i + 24, 4), 1_000);
                }
            }
        }
        return bytes;
    }

    /// <summary>Sets the uncompressed size one entry declares, in its local header and in the central directory.</summary>
    private static void Claim(byte[] zip, string entry, int size)
    {
        var name = Encoding.ASCII.GetBytes(entry);
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4 && zip.AsSpan(i + 30).StartsWith(name))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), size);
            }
            else if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2 && zip.AsSpan(i + 46).StartsWith(name))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
            }
        }
    }

    /// <summary>Parquet written by DuckDB from a generated table, then truncated, corrupted or nested past the limit.</summary>
    public static Arbitrary<HostileCase> ParquetFiles() =>
        (from rows in Gen.Choose(1, 50)
         from damage in Gen.Elements("none", "truncate", "flip-footer", "flip-pages", "footer-length", "deep", "magic")
         from seed in Gen.Choose(0, int.MaxValue)
         select ParquetCase(rows, damage, seed)).ToArbitrary();

    private static HostileCase ParquetCase(int rows, string damage, int seed)
    {
        var random = new Random(seed);
        var path = Path.Combine(Path.GetTempPath(), $"p36-{Guid.NewGuid():N}.parquet");
        var nested = "1";
        for (var i = 0; i < (damage == "deep" ? 70 : 2); i++)
        {
            nested = $"{{'a': {nested}}}";
        }
        using (var duck = new DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"COPY (SELECT i AS id, i * 1.5 AS amount, 'r' || (i % 3) AS region, {nested} AS nested FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        switch (damage)
        {
            case "truncate":
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case "flip-footer":
                for (var i = 0; i < 4; i++)
                {
                    bytes[bytes.Length - 9 - random.Next(Math.Min(300, bytes.Length - 9))] ^= (byte)random.Next(1, 256);
                }
                break;
            case "flip-pages":
                for (var i = 0; i < 8; i++)
                {
                    bytes[4 + random.Next(bytes.Length / 2)] ^= (byte)random.Next(1, 256);
                }
                break;
            case "footer-length":
                BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), random.Next(int.MinValue, int.MaxValue));
                break;
            case "magic":
                bytes[^1] = (byte)'X';
                break;
        }
        return new HostileCase("parquet: " + damage, bytes, "x.parquet", damage == "deep" ? 71 : 0);
    }

    /// <summary>SQLite files (generated), damaged or not, with a table or a query to read.</summary>
    public static Arbitrary<(HostileCase File, string? Query)> SqliteFiles() =>
        (from rows in Gen.Choose(0, 30)
         from damage in Gen.Elements("none", "none", "truncate", "flip", "header")
         from query in Gen.Frequency((2, Gen.Constant<string?>(null)), (3, Gen.Elements<string?>(
             "SELECT * FROM t", "SELECT zeroblob(100000000) AS z", "SELECT randomblob(70000000) AS r", "SELECT * FROM t; DROP TABLE t", "ATTACH '/etc/passwd' AS p",
             "PRAGMA writable_schema=ON", "SELECT * FROM sqlite_master", "WITH x AS (SELECT 1) SELECT * FROM x", "SELECT load_extension('x')", "SELECT", "select 1/0 AS z",
             "SELECT printf('%.*c', 100000000, 'x') AS big", "SELECT * FROM t t1, t t2, t t3 LIMIT 5", "SELECT char(0) AS c")))
         from seed in Gen.Choose(0, int.MaxValue)
         select (SqliteCase(rows, damage, seed), query)).ToArbitrary();

    private static HostileCase SqliteCase(int rows, string damage, int seed)
    {
        var random = new Random(seed);
        var path = Path.Combine(Path.GetTempPath(), $"p36-{Guid.NewGuid():N}.sqlite");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE t (id INTEGER, name TEXT, amount REAL, at DATETIME);"
                + string.Concat(Enumerable.Range(0, rows).Select(i => $"INSERT INTO t VALUES ({i}, 'n{i}', {i}.5, '2024-01-0{1 + (i % 9)}');"));
            command.ExecuteNonQuery();
        }
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        switch (damage)
        {
            case "truncate":
                bytes = bytes[..random.Next(16, bytes.Length)];
                break;
            case "flip":
                for (var i = 0; i < 16; i++)
                {
                    bytes[100 + random.Next(bytes.Length - 100)] ^= (byte)random.Next(1, 256);
                }
                break;
            case "header":
                for (var i = 16; i < 100; i++)
                {
                    bytes[i] = (byte)random.Next(256);
                }
                break;
        }
        return new HostileCase("sqlite: " + damage, bytes, "x.sqlite");
    }

    /// <summary>Multipart bodies with broken framing: wrong or missing boundaries, huge part headers, several files, nothing at all.</summary>
    public static Arbitrary<(string ContentType, byte[] Body, string Label)> Multipart() =>
        (from kind in Gen.Elements("no-boundary", "wrong-boundary", "unclosed", "two-files", "huge-headers", "no-file", "garbage", "empty", "nested", "no-crlf",
             "long-field", "quoted-boundary", "filename-traversal")
         from seed in Gen.Choose(0, int.MaxValue)
         select MultipartCase(kind, seed)).ToArbitrary();

    private static (string, byte[], string) MultipartCase(string kind, int seed)
    {
        var random = new Random(seed);
        const string b = "xYzBoundary42";
        string Part(string name, string? file, string content) =>
            $"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"{(file is null ? "" : $"; filename=\"{file}\"")}\r\n\r\n{content}\r\n";
        var file = Part("file", "x.csv", "a,b\n1,2\n");
        var (type, body) = kind switch
        {
            "no-boundary" => ("multipart/form-data", file + $"--{b}--\r\n"),
            "wrong-boundary" => ($"multipart/form-data; boundary=other", file + $"--{b}--\r\n"),
            "unclosed" => ($"multipart/form-data; boundary={b}", file[..random.Next(file.Length)]),
            "two-files" => ($"multipart/form-data; boundary={b}", file + Part("file", "y.csv", "c\n3\n") + $"--{b}--\r\n"),
            "huge-headers" => ($"multipart/form-data; boundary={b}", $"--{b}\r\nX-Pad: {new string('p', 40_000)}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\na\n1\n\r\n--{b}--\r\n"),
            "no-file" => ($"multipart/form-data; boundary={b}", Part("name", null, "x") + $"--{b}--\r\n"),
            "garbage" => ($"multipart/form-data; boundary={b}", new string((char)random.Next(32, 127), random.Next(0, 5_000))),
            "empty" => ($"multipart/form-data; boundary={b}", ""),
            "nested" => ($"multipart/form-data; boundary={b}", $"--{b}\r\nContent-Type: multipart/mixed; boundary=inner\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\n--inner\r\n\r\na\n--inner--\r\n\r\n--{b}--\r\n"),
            "no-crlf" => ($"multipart/form-data; boundary={b}", file.Replace("\r\n", "\n", StringComparison.Ordinal) + $"--{b}--"),
            "long-field" => ($"multipart/form-data; boundary={b}", Part("description", null, new string('d', 20_000)) + file + $"--{b}--\r\n"),
            "quoted-boundary" => ($"multipart/form-data; boundary=\"{b}\"", file + $"--{b}--\r\n"),
            _ => ($"multipart/form-data; boundary={b}", Part("file", "../../../../etc/x.csv", "a\n1\n") + $"--{b}--\r\n"),
        };
        return (type, Encoding.UTF8.GetBytes(body), "multipart: " + kind);
    }
}
