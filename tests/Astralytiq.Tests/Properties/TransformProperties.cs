using System.Globalization;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Data;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

/// <summary>
/// A table of a (integer), b (decimal) and s (text), each column with gaps, plus steps over them. The
/// first row has no gaps so the columns keep their types.
/// </summary>
public sealed record TransformCase(IReadOnlyList<object?[]> Rows, IReadOnlyList<TransformStepDto> Steps)
{
    public string ToCsv()
    {
        var sb = new StringBuilder("a,b,s\n");
        foreach (var row in Rows)
        {
            sb.Append(row[0] is long a ? a.ToString(CultureInfo.InvariantCulture) : string.Empty).Append(',')
              .Append(row[1] is double b ? b.ToString("R", CultureInfo.InvariantCulture) : string.Empty).Append(',')
              .Append(row[2] is string s ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : string.Empty).Append('\n');
        }
        return sb.ToString();
    }

    public override string ToString() => ToCsv() + string.Join("\n", Steps.Select(s => JsonSerializer.Serialize(s, Contracts.ApiJson.Options)));
}

public static class TransformArbitraries
{
    private static readonly string?[] Texts = ["x", "y", "zé", "it's", "A b", null];

    public static Arbitrary<TransformCase> Cases()
    {
        var a = Gen.Frequency((4, Gen.Choose(-5, 5).Select(i => (object?)(long)i)), (1, Gen.Constant((object?)null)));
        var b = Gen.Frequency((4, Gen.Choose(-8, 8).Select(i => (object?)(i * 0.5 + 0.25))), (1, Gen.Constant((object?)null)));
        var s = Gen.Elements(Texts).Select(t => (object?)t);
        var row = from x in a from y in b from z in s select new[] { x, y, z };
        var first = from x in Gen.Choose(-5, 5) from y in Gen.Choose(-8, 8) from z in Gen.Elements("x", "y", "zé") select new object?[] { (long)x, y * 0.5 + 0.25, z };
        var rows = from head in first from n in Gen.Choose(0, 30) from tail in row.ListOf(n) select (IReadOnlyList<object?[]>)[head, .. tail];
        var column = Gen.Elements("a", "b", "s");
        var step = Gen.OneOf(
            Gen.Choose(-5, 5).Select(k => new TransformStepDto("filter", Where: new PredicateDto(Column: "a", Op: "gt", Value: JsonSerializer.SerializeToElement(k)))),
            Gen.Choose(-5, 5).Select(k => new TransformStepDto("filter", Where: new PredicateDto(Column: "a", Op: "ne", Value: JsonSerializer.SerializeToElement(k)))),
            Gen.Choose(1, 3).SelectMany(n => Gen.Elements(Texts).ListOf(n)).Select(v => new TransformStepDto("filter", Where: new PredicateDto(Column: "s", Op: "in", Value: JsonSerializer.SerializeToElement(v.Where(t => t is not null).DefaultIfEmpty("x"))))),
            Gen.Choose(-3, 3).Select(m => new TransformStepDto("derive", Name: "d", Expression: $"a * {m} + 1")),
            Gen.Constant(new TransformStepDto("derive", Name: "t", Expression: "s + '!'")),
            from c in column from down in ArbMap.Default.GeneratorFor<bool>() select new TransformStepDto("sort", By: [new SortKeyDto(c, down)]),
            Gen.Choose(-5, 5).Select(k => new TransformStepDto("fill_missing", Columns: ["a"], Strategy: "constant", Value: JsonSerializer.SerializeToElement(k))),
            Gen.Constant(new TransformStepDto("fill_missing", Columns: ["s"], Strategy: "forward_fill")),
            Gen.Constant(new TransformStepDto("drop_duplicates", Columns: ["s"])),
            Gen.Choose(1, 10).Select(n => new TransformStepDto("limit", Rows: n)));
        return (from r in rows from n in Gen.Choose(1, 5) from steps in step.ListOf(n) select new TransformCase(r, steps.ToList())).ToArbitrary();
    }
}

/// <summary>What each generated step must do, written plainly over lists: the rule the engine's output is held to.</summary>
internal static class ReferenceTransforms
{
    public static (List<string> Columns, List<object?[]> Rows) Apply(IReadOnlyList<object?[]> input, IReadOnlyList<TransformStepDto> steps)
    {
        var columns = new List<string> { "a", "b", "s" };
        var rows = input.Select(r => (object?[])r.Clone()).ToList();
        foreach (var step in steps)
        {
            int I(string name) => columns.IndexOf(name);
            switch (step.Op)
            {
                case "filter" when step.Where!.Op == "gt":
                    rows = rows.Where(r => r[I("a")] is long v && v > step.Where.Value!.Value.GetInt64()).ToList();
                    break;
                case "filter" when step.Where!.Op == "ne":
                    rows = rows.Where(r => !(r[I("a")] is long v && v == step.Where.Value!.Value.GetInt64())).ToList();
                    break;
                case "filter":
                    var allowed = step.Where!.Value!.Value.EnumerateArray().Select(e => e.GetString()).ToHashSet();
                    rows = rows.Where(r => r[I("s")] is string v && allowed.Contains(v)).ToList();
                    break;
                case "derive":
                    Func<object?[], object?> value = step.Name == "d"
                        ? r => r[I("a")] is long v ? v * long.Parse(step.Expression!.Split(' ')[2], CultureInfo.InvariantCulture) + 1 : null
                        : r => r[I("s")] is string v ? v + "!" : null;
                    if (I(step.Name!) < 0)
                    {
                        columns.Add(step.Name!);
                        rows = rows.Select(r => (object?[])[.. r, value(r)]).ToList();
                    }
                    else
                    {
                        var at = I(step.Name!);
                        rows = rows.Select(r => { var copy = (object?[])r.Clone(); copy[at] = value(r); return copy; }).ToList();
                    }
                    break;
                case "sort":
                    var key = I(step.By![0].Column);
                    var descending = step.By[0].Descending;
                    // Stable, empty values last either way.
                    rows = rows.Select((r, i) => (r, i)).OrderBy(x => x.r[key] is null ? 1 : 0)
                        .ThenBy(x => x.r[key], Comparer<object?>.Create((p, q) => p is null || q is null ? 0 : (descending ? -1 : 1) * Compare(p, q)))
                        .ThenBy(x => x.i).Select(x => x.r).ToList();
                    break;
                case "fill_missing" when step.Strategy == "constant":
                    rows = rows.Select(r => { var copy = (object?[])r.Clone(); copy[I("a")] ??= step.Value!.Value.GetInt64(); return copy; }).ToList();
                    break;
                case "fill_missing":
                    object? last = null;
                    rows = rows.Select(r => { var copy = (object?[])r.Clone(); if (copy[I("s")] is null) { copy[I("s")] = last; } else { last = copy[I("s")]; } return copy; }).ToList();
                    break;
                case "drop_duplicates":
                    var seen = new HashSet<string>();
                    rows = rows.Where(r => seen.Add(r[I("s")] as string ?? "\0null")).ToList();
                    break;
                case "limit":
                    rows = rows.Take((int)step.Rows!.Value).ToList();
                    break;
                default:
                    throw new InvalidOperationException(step.Op);
            }
        }
        return (columns, rows);
    }

    private static int Compare(object p, object q) => (p, q) switch
    {
        (long x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new InvalidOperationException(),
    };

    public static string Render(object? value) => value switch
    {
        null => "∅",
        JsonElement { ValueKind: JsonValueKind.Null } => "∅",
        JsonElement { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonElement { ValueKind: JsonValueKind.Number } n => n.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonElement e => e.GetString()!,
        double d when d == Math.Floor(d) => ((long)d).ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}

/// <summary>
/// P17 in process against the module's transform compiler and DuckDB: the steps' output follows the plain reference, and
/// compiling and writing the same input and steps twice gives the same bytes.
/// </summary>
public sealed class TransformEngineProperties : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("astralytiq-transform-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Property(MaxTest = 100, Arbitrary = [typeof(TransformArbitraries)])]
    public async Task P17_transforms_follow_their_rules_and_the_same_input_and_steps_give_the_same_bytes(TransformCase c)
    {
        var csv = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".csv");
        var input = Path.ChangeExtension(csv, ".parquet");
        var outputs = new[] { Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".parquet"), Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".parquet") };
        await File.WriteAllTextAsync(csv, c.ToCsv());
        try
        {
            IReadOnlyList<ColumnDto> schema;
            await using (var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None))
            {
                schema = (await Astralytiq.Data.Engine.Ingest.ToParquetAsync(duck, csv, input, new Astralytiq.Data.Engine.ParseOptions("csv", null, null), "t.csv", CancellationToken.None)).Succeeded().Schema;
            }
            Assert.Equal(["integer", "decimal", "string"], schema.Select(x => x.Type));
            var (columns, expected) = ReferenceTransforms.Apply(c.Rows, c.Steps);
            foreach (var output in outputs)
            {
                // Each write on a connection of its own, as two transform requests would.
                await using var duck = await Astralytiq.Tests.Infrastructure.TestDuckDb.OpenAsync(CancellationToken.None);
                var compiled = (await Astralytiq.Data.Transforms.TransformCompiler.CompileAsync(duck, Astralytiq.Data.Engine.ParquetSource.Single(input), schema, c.Steps,
                    (_, _) => throw new InvalidOperationException("no joins are generated"), CancellationToken.None)).Succeeded();
                Assert.Equal(columns, compiled.Output.Select(o => o.Name));
                using (var preview = duck.CreateCommand())
                {
                    preview.CommandText = compiled.Preview(10_000);
                    compiled.Parameters.Bind(preview);
                    using var reader = await preview.ExecuteReaderAsync();
                    var rows = new List<string>();
                    while (await reader.ReadAsync())
                    {
                        rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => ReferenceTransforms.Render(Astralytiq.Data.Engine.DuckDb.ReadJsonValue(reader, i)))));
                    }
                    Assert.Equal(expected.Select(r => string.Join("|", r.Select(ReferenceTransforms.Render))), rows);
                }
                using var copy = duck.CreateCommand();
                copy.CommandText = compiled.CopyTo(output);
                compiled.Parameters.Bind(copy);
                await copy.ExecuteNonQueryAsync();
            }
            Assert.Equal(await File.ReadAllBytesAsync(outputs[0]), await File.ReadAllBytesAsync(outputs[1]));
        }
        finally
        {
            foreach (var path in outputs.Append(csv).Append(input))
            {
                File.Delete(path);
            }
        }
    }
}

public abstract class TransformProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private TestTenant? _tenant;

    private async Task<TestTenant> TenantAsync() => _tenant ??= await Platform.NewTenantAsync();

    /// <summary>P17 through the API (preview, then applied twice): a handful of cases; 100 more run in process, <see cref="TransformEngineProperties"/>.</summary>
    [Property(MaxTest = 8, Arbitrary = [typeof(TransformArbitraries)])]
    public async Task P17_transforms_follow_their_rules_and_the_same_input_and_steps_give_the_same_bytes_through_the_api(TransformCase c)
    {
        var client = (await TenantAsync()).Admin;
        var dataset = (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(c.ToCsv())), "t.csv", name: "p17 " + Guid.NewGuid().ToString("N"))).EnsureValue();
        Assert.Equal(["integer", "decimal", "string"], dataset.Schema.Select(x => x.Type));

        var (columns, expected) = ReferenceTransforms.Apply(c.Rows, c.Steps);
        var preview = (await client.Datasets.PreviewTransformAsync(dataset.Id, c.Steps, limit: 10_000)).EnsureValue();
        Assert.Equal(columns, preview.Columns.Select(x => x.Name));
        Assert.Equal(expected.Select(r => string.Join("|", r.Select(ReferenceTransforms.Render))), preview.Rows.Select(r => string.Join("|", r.Select(ReferenceTransforms.Render))));
        Assert.Equal(expected.Count, preview.TotalRows);

        // Deterministic: applied twice (as a new version, then from version 1 as a new dataset), the same bytes.
        var first = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest(c.Steps))).EnsureValue();
        var second = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest(c.Steps, Version: 1, OutputName: "p17 out " + Guid.NewGuid().ToString("N")))).EnsureValue();
        Assert.Equal(first.ContentSha256, second.ContentSha256);
        Assert.Equal(expected.Count, first.RowCount);
    }
}

public sealed class TransformProperties_Sqlite(SqlitePlatform platform) : TransformProperties<SqlitePlatform>(platform)
{
    private static readonly string[] Pieces =
    [
        "a", "b", "s", "[a]", "[no such]", "1", "2.5", "-3", "1e400", "'x'", "'it''s'", "\"q\"", "true", "null", "+", "-", "*", "/", "%", "(", ")", ",",
        "=", "<>", "<=", ">", "and", "or", "not", "is", "in", "round(", "upper(", "date_trunc(", "'month'", "coalesce(", "if(", "concat(", "substring(",
        "read_csv(", "'/etc/passwd'", ";", "--", "/*", "\\", "$1", "?", "[", "]", "é", "🙂", " ",
    ];

    private DataArbitraryTenant? _tenant;

    private sealed record DataArbitraryTenant(Astralytiq.Contracts.Client.AstralytiqClient Client, Guid Dataset);

    /// <summary>Any text as a derived column or a filter is either computed or refused with 422 naming the step: never a 500.</summary>
    [Property(MaxTest = 100)]
    public async Task P17_any_expression_text_is_computed_or_refused_never_an_error(byte[] picks, bool asFilter)
    {
        if (_tenant is null)
        {
            var client = (await Platform.NewTenantAsync()).Admin;
            var dataset = (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("a,b,s\n1,2.5,x\n,0.5,\n-4,,it's\n")), "e.csv", name: "p17e " + Guid.NewGuid().ToString("N"))).EnsureValue();
            _tenant = new DataArbitraryTenant(client, dataset.Id);
        }
        var expression = string.Concat(picks.Take(24).Select(b => Pieces[b % Pieces.Length] + (b % 3 == 0 ? " " : string.Empty)));
        var step = asFilter ? new TransformStepDto("filter", Expression: expression) : new TransformStepDto("derive", Name: "e", Expression: expression);
        var response = await _tenant.Client.Datasets.PreviewTransformAsync(_tenant.Dataset, [step]);
        Assert.True(response.Status is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.UnprocessableEntity, $"{expression} → {response.Status}");
        if (!response.IsSuccess)
        {
            Assert.StartsWith("steps", response.Error!.Error.Details![0].Field, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(response.Error.Error.Details[0].Message));
        }
    }
}
