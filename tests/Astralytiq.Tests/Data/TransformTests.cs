using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Tests.Infrastructure;

namespace Astralytiq.Tests.Data;

public abstract class TransformTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private const string Orders =
        "id,customer,city,amount,qty,day\n" +
        "1,ada,Oslo,10.5,2,2024-01-31\n" +
        "2,bob,Bergen,,1,2024-02-15\n" +
        "3,ada,Oslo,4.0,,2024-02-29\n" +
        "4,cy,,7.25,3,2023-12-01\n" +
        "5,bob,Bergen,4.0,1,\n" +
        "6,ada,Oslo,10.5,2,2024-01-31\n";

    private const string Customers =
        "name,tier,city\n" +
        "ada,gold,Trondheim\n" +
        "bob,silver,Bergen\n" +
        "dan,bronze,Oslo\n";

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string Unique(string stem) => stem + " " + Guid.NewGuid().ToString("N")[..8];

    private static async Task<DatasetResponse> UploadAsync(AstralytiqClient client, string csv, string stem = "orders") =>
        (await client.Datasets.UploadAsync(Text(csv), stem + ".csv", name: Unique(stem))).EnsureValue();

    private static TransformStepDto Step(string op) => new(op);

    private static JsonElement J(object value) => JsonSerializer.SerializeToElement(value);

    /// <summary>Rows as text: null as ∅, numbers invariant, so expected rows read naturally.</summary>
    private static List<string> Rows(TransformPreviewResponse preview) => preview.Rows.Select(r => string.Join("|", r.Select(v => v switch
    {
        null => "∅",
        JsonElement { ValueKind: JsonValueKind.Null } => "∅",
        JsonElement { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonElement { ValueKind: JsonValueKind.Number } n => Math.Round(n.GetDouble(), 6).ToString(CultureInfo.InvariantCulture),
        JsonElement { ValueKind: JsonValueKind.True } => "true",
        JsonElement { ValueKind: JsonValueKind.False } => "false",
        JsonElement e => e.GetString()!,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture)!,
    }))).ToList();

    private static async Task<List<string>> PreviewAsync(AstralytiqClient client, Guid id, params TransformStepDto[] steps)
    {
        var preview = await client.Datasets.PreviewTransformAsync(id, steps);
        Assert.True(preview.IsSuccess, preview.Error?.Error.Message + " " + string.Join("; ", preview.Error?.Error.Details?.Select(d => d.Field + ": " + d.Message) ?? []));
        return Rows(preview.Value!);
    }

    [Fact]
    public async Task A_preview_runs_every_step_in_order_and_stores_nothing()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var orders = await UploadAsync(client, Orders);

        var preview = (await client.Datasets.PreviewTransformAsync(orders.Id,
        [
            Step("drop_duplicates") with { Columns = ["customer", "city", "amount", "qty", "day"] },
            Step("fill_missing") with { Columns = ["amount"], Strategy = "mean" },
            Step("fill_missing") with { Columns = ["qty"], Strategy = "constant", Value = J(0) },
            Step("fill_missing") with { Columns = ["city"], Strategy = "mode" },
            Step("derive") with { Name = "total", Expression = "round(amount * qty, 2)" },
            Step("filter") with { Where = new PredicateDto(Any: [new PredicateDto(Column: "city", Op: "eq", Value: J("Oslo")), new PredicateDto(Column: "total", Op: "ge", Value: J(20))]) },
            Step("rename") with { Mapping = new Dictionary<string, string> { ["customer"] = "who" } },
            Step("sort") with { By = [new SortKeyDto("total", Descending: true), new SortKeyDto("id")] },
            Step("select") with { Columns = ["id", "who", "city", "amount", "qty", "total"] },
        ])).EnsureValue();

        // Row 6 repeats row 1 and is gone; amount's gap gets the mean 6.4375 (bob: 6.44 in total, filtered out); qty's gap
        // is 0; city's gap the most frequent value, Oslo and Bergen tie and the smaller wins: Bergen.
        Assert.Equal(["4|cy|Bergen|7.25|3|21.75", "1|ada|Oslo|10.5|2|21", "3|ada|Oslo|4|0|0"], Rows(preview));
        Assert.Equal(3, preview.TotalRows);
        Assert.Equal(["id", "who", "city", "amount", "qty", "total"], preview.Columns.Select(c => c.Name));
        Assert.Equal(["integer", "string", "string", "decimal", "integer", "decimal"], preview.Columns.Select(c => c.Type));
        Assert.Equal(9, preview.ColumnsAfterStep.Count);
        Assert.Contains("total", preview.ColumnsAfterStep[4]);

        // Nothing was stored.
        Assert.Single((await client.Datasets.ListVersionsAsync(orders.Id)).EnsureValue());
    }

    [Fact]
    public async Task Applying_makes_a_new_version_with_lineage_and_the_same_steps_give_the_same_bytes()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var orders = await UploadAsync(client, Orders);
        TransformStepDto[] steps =
        [
            Step("filter") with { Expression = "amount is not null and qty > 0" },
            Step("derive") with { Name = "total", Expression = "amount * qty" },
            Step("group") with { GroupBy = ["customer"], Aggregations = [new AggregationDto("sum", "total", "revenue"), new AggregationDto("count", As: "orders"), new AggregationDto("avg", "amount")] },
        ];

        var applied = (await client.Datasets.ApplyTransformAsync(orders.Id, new TransformRequest(steps))).EnsureValue();
        Assert.Equal((orders.Id, 2, 3L), (applied.DatasetId, applied.Version, applied.RowCount));
        var again = (await client.Datasets.ApplyTransformAsync(orders.Id, new TransformRequest(steps, Version: 1, OutputName: Unique("revenue")))).EnsureValue();
        Assert.NotEqual(orders.Id, again.DatasetId);
        Assert.Equal(applied.ContentSha256, again.ContentSha256);

        var preview = (await client.Datasets.PreviewAsync(orders.Id)).EnsureValue();
        Assert.Equal(2, preview.Version);
        Assert.Equal(["customer", "revenue", "orders", "avg_amount"], preview.Columns.Select(c => c.Name));
        Assert.Equal("ada|42|2|10.5;bob|4|1|4;cy|21.75|1|7.25", string.Join(";", preview.Rows.Select(r => string.Join("|", r.Select(v => v is JsonElement { ValueKind: JsonValueKind.Number } n ? n.GetDouble().ToString(CultureInfo.InvariantCulture) : v?.ToString())))));

        // The new version came from version 1 by these steps; the new dataset hangs below version 1.
        var graph = (await client.Datasets.GetLineageAsync(orders.Id)).EnsureValue();
        Assert.Contains(graph.Edges, e => e.From == "version:1" && e.To == "version:2" && e.Kind == "transform");
        Assert.Equal("filter → derive → group", graph.Nodes.Single(n => n.Id == "version:2").Details["steps"]);
        Assert.Contains(graph.Edges, e => e.From == "version:1" && e.To == $"dataset:{again.DatasetId}:v1");
        var derived = (await client.Datasets.GetLineageAsync(again.DatasetId!.Value)).EnsureValue();
        Assert.Contains(derived.Edges, e => e.From == $"dataset:{orders.Id}:v1" && e.To == "version:1" && e.Kind == "transform");
        Assert.Equal("transform", (await client.Datasets.GetAsync(again.DatasetId.Value)).EnsureValue().Source.Kind);
    }

    [Fact]
    public async Task Joins_read_another_dataset_of_the_same_tenant_only()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var orders = await UploadAsync(client, Orders);
        var customers = await UploadAsync(client, Customers, "customers");
        var join = Step("join") with { DatasetId = customers.Id, On = [new JoinKeyDto("customer", "name")], How = "left" };

        var rows = await PreviewAsync(client, orders.Id, join, Step("select") with { Columns = ["id", "customer", "city", "tier", "city_right"] });
        // Every order stays (left join), in order; cy has no customer row; the clashing city gets the suffix.
        Assert.Equal(["1|ada|Oslo|gold|Trondheim", "2|bob|Bergen|silver|Bergen", "3|ada|Oslo|gold|Trondheim", "4|cy|∅|∅|∅", "5|bob|Bergen|silver|Bergen", "6|ada|Oslo|gold|Trondheim"], rows);

        var full = await PreviewAsync(client, orders.Id, join with { How = "full" }, Step("select") with { Columns = ["customer", "tier"] }, Step("drop_duplicates"));
        Assert.Equal(["ada|gold", "bob|silver", "cy|∅", "dan|bronze"], full);

        // The joined dataset is recorded upstream of the version the join made.
        var made = (await client.Datasets.ApplyTransformAsync(orders.Id, new TransformRequest([join]))).EnsureValue();
        var graph = (await client.Datasets.GetLineageAsync(orders.Id)).EnsureValue();
        Assert.Contains(graph.Edges, e => e.From == $"dataset:{customers.Id}:v1" && e.To == $"version:{made.Version}");
        Assert.Contains(graph.Nodes, n => n.Id == $"dataset:{customers.Id}:v1" && n.Label.StartsWith(customers.Name, StringComparison.Ordinal));

        // Another tenant's dataset cannot be joined (it does not exist for this tenant), nor transformed.
        var other = await Platform.NewTenantAsync();
        var theirs = await UploadAsync(other.Admin, Customers, "theirs");
        var refused = await client.Datasets.PreviewTransformAsync(orders.Id, [join with { DatasetId = theirs.Id }]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("steps[0].dataset_id", refused.Error!.Error.Details!.Single().Field);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.PreviewTransformAsync(orders.Id, [Step("limit") with { Rows = 1 }])).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Datasets.ApplyTransformAsync(orders.Id, new TransformRequest([Step("limit") with { Rows = 1 }]))).Status);
    }

    [Fact]
    public async Task Each_op_does_what_it_says()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var orders = await UploadAsync(client, Orders);

        // Column names the user chose keep their case all the way (the API snake-cases only its own keys).
        Assert.Equal(["Oslo"], await PreviewAsync(client, orders.Id, Step("rename") with { Mapping = new Dictionary<string, string> { ["city"] = "HomeTown" } },
            Step("rename") with { Mapping = new Dictionary<string, string> { ["HomeTown"] = "Town Name" } }, Step("select") with { Columns = ["Town Name"] }, Step("limit") with { Rows = 1 }));
        Assert.Equal(["1|2", "2|1", "3|∅"], await PreviewAsync(client, orders.Id, Step("select") with { Columns = ["id", "qty"] }, Step("limit") with { Rows = 3 }));
        Assert.Equal(["3|ada"], await PreviewAsync(client, orders.Id, Step("drop") with { Columns = ["city", "amount", "qty", "day"] }, Step("limit") with { Rows = 1, Offset = 2 }));
        // Casts: text to integer with unconvertible values empty; decimals round to whole numbers.
        Assert.Equal(["11", "∅", "4", "7", "4", "11"], await PreviewAsync(client, orders.Id, Step("cast") with { Column = "amount", To = "integer" }, Step("select") with { Columns = ["amount"] }));
        Assert.Equal(["∅", "∅", "∅"], await PreviewAsync(client, orders.Id, Step("cast") with { Column = "city", To = "integer" }, Step("select") with { Columns = ["city"] }, Step("limit") with { Rows = 3 }));
        // Fills: forward and backward follow row order; median of integers is rounded.
        Assert.Equal(["10.5", "10.5", "4", "7.25", "4", "10.5"], await PreviewAsync(client, orders.Id, Step("fill_missing") with { Columns = ["amount"], Strategy = "forward_fill" }, Step("select") with { Columns = ["amount"] }));
        Assert.Equal(["2", "1", "3", "3", "1", "2"], await PreviewAsync(client, orders.Id, Step("fill_missing") with { Columns = ["qty"], Strategy = "backward_fill" }, Step("select") with { Columns = ["qty"] }));
        Assert.Equal(["2", "1", "2", "3", "1", "2"], await PreviewAsync(client, orders.Id, Step("fill_missing") with { Columns = ["qty"], Strategy = "median" }, Step("select") with { Columns = ["qty"] }));
        // drop_duplicates on a subset keeps the first row of each.
        Assert.Equal(["1|ada", "2|bob", "4|cy"], await PreviewAsync(client, orders.Id, Step("drop_duplicates") with { Columns = ["customer"] }, Step("select") with { Columns = ["id", "customer"] }));
        // Normalize: min-max onto 0..1, z-score to mean 0 (population standard deviation).
        Assert.Equal(["0.5", "0", "∅", "1", "0", "0.5"], await PreviewAsync(client, orders.Id, Step("normalize") with { Columns = ["qty"], Method = "min_max" }, Step("select") with { Columns = ["qty"] }));
        var z = await PreviewAsync(client, orders.Id, Step("normalize") with { Columns = ["qty"], Method = "z_score" }, Step("filter") with { Expression = "qty is not null" }, Step("select") with { Columns = ["qty"] });
        Assert.Equal(0, z.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Sum(), 4);
        Assert.Equal(5, z.Select(v => Math.Pow(double.Parse(v, CultureInfo.InvariantCulture), 2)).Sum(), 4);
        // One-hot: one 0/1 column per level, sorted, the original dropped.
        Assert.Equal(["1|0|0", "0|1|0"], await PreviewAsync(client, orders.Id, Step("one_hot") with { Column = "customer", Prefix = "is_" }, Step("select") with { Columns = ["is_ada", "is_bob", "is_cy"] }, Step("limit") with { Rows = 2 }));
        // Date parts of a date (weekday: 1 = Monday).
        Assert.Equal(["2024|1|31|3", "2024|2|15|4"], await PreviewAsync(client, orders.Id, Step("date_parts") with { Column = "day", Parts = ["year", "month", "day", "weekday"] },
            Step("select") with { Columns = ["day_year", "day_month", "day_day", "day_weekday"] }, Step("limit") with { Rows = 2 }));
        // Predicates: in / not_in, contains, not; an empty value equals nothing, so it passes ne.
        Assert.Equal(["2", "4", "5"], await PreviewAsync(client, orders.Id, Step("filter") with { Where = new PredicateDto(Column: "city", Op: "ne", Value: J("Oslo")) }, Step("select") with { Columns = ["id"] }));
        Assert.Equal(["2", "5"], await PreviewAsync(client, orders.Id, Step("filter") with { Where = new PredicateDto(All: [new PredicateDto(Column: "customer", Op: "in", Value: J(new[] { "bob", "cy" })), new PredicateDto(Not: new PredicateDto(Column: "city", Op: "is_null"))]) }, Step("select") with { Columns = ["id"] }));
        Assert.Equal(["2", "5"], await PreviewAsync(client, orders.Id, Step("filter") with { Where = new PredicateDto(Column: "city", Op: "contains", Value: J("erg")) }, Step("select") with { Columns = ["id"] }));
        Assert.Equal(["1", "6"], await PreviewAsync(client, orders.Id, Step("filter") with { Where = new PredicateDto(Column: "day", Op: "lt", Value: J("2024-02-01")) }, Step("filter") with { Where = new PredicateDto(Column: "day", Op: "gt", Value: J("2023-12-31")) }, Step("select") with { Columns = ["id"] }));
        // Groups without keys make one row; first and last follow row order.
        Assert.Equal(["6|5|1|6|3"], await PreviewAsync(client, orders.Id, Step("group") with { Aggregations = [new AggregationDto("count"), new AggregationDto("count", "amount"), new AggregationDto("first", "id"), new AggregationDto("last", "id"), new AggregationDto("count_distinct", "amount")] }));
    }

    [Fact]
    public async Task Seeded_samples_repeat_and_differ_by_seed()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var rows = string.Join("\n", Enumerable.Range(1, 1000).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var dataset = (await client.Datasets.UploadAsync(Text("n\n" + rows + "\n"), "n.csv", name: Unique("n"))).EnsureValue();
        var sample = Step("sample") with { Rows = 25, Seed = 7 };

        var first = await PreviewAsync(client, dataset.Id, sample);
        Assert.Equal(25, first.Count);
        Assert.Equal(first, await PreviewAsync(client, dataset.Id, sample));
        Assert.NotEqual(first, await PreviewAsync(client, dataset.Id, sample with { Seed = 8 }));
        Assert.Equal(first.OrderBy(int.Parse), first); // the sample keeps row order
        var fraction = (await client.Datasets.PreviewTransformAsync(dataset.Id, [Step("sample") with { Fraction = 0.2, Seed = 1 }])).EnsureValue();
        Assert.InRange(fraction.TotalRows, 140, 260);
    }

    [Fact]
    public async Task Derived_columns_use_a_typed_expression_language_whose_values_are_never_sql()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var orders = await UploadAsync(client, Orders);
        async Task<List<string>> Derive(string expression) =>
            await PreviewAsync(client, orders.Id, Step("derive") with { Name = "x", Expression = expression }, Step("select") with { Columns = ["x"] }, Step("limit") with { Rows = 3 });

        Assert.Equal(["ADA/OSLO", "BOB/BERGEN", "ADA/OSLO"], await Derive("upper(customer) + '/' + upper(city)"));
        Assert.Equal(["7", "4", "∅"], await Derive("1 + qty * 3"));
        Assert.Equal(["-2", "0", "∅"], await Derive("-(qty % 2) * (0 - 1) - qty"));
        Assert.Equal(["big", "small", "small"], await Derive("if(amount > 5, 'big', 'small')"));
        Assert.Equal(["5.25", "∅", "∅"], await Derive("amount / qty"));
        Assert.Equal(["∅", "∅", "∅"], await Derive("amount / 0"));
        Assert.Equal(["2024-01-01", "2024-02-01", "2024-02-01"], await Derive("date_trunc('month', day)"));
        Assert.Equal(["true", "false", "true"], await Derive("[customer] in ('ada', 'cy') and not (city is null)"));
        Assert.Equal(["it's ' ; DROP TABLE x; --", "it's ' ; DROP TABLE x; --", "it's ' ; DROP TABLE x; --"], await Derive("'it''s '' ; DROP TABLE x; --'"));
        Assert.Equal(["30", "15", "1"], await Derive("date_diff('day', day, to_date('2024-03-01'))"));
        // Double quotes still make text when the text names no column.
        Assert.Equal(["ada!", "bob!", "ada!"], await Derive("[customer] + \"!\""));

        // Mistakes are refused naming the step and where in the expression.
        foreach (var (expression, expected) in new[]
        {
            ("amount * ", "ends too early"),
            ("amout * 2", "did you mean [amount]"),
            ("customer * 2", "needs integer or decimal, not string"),
            ("1); DROP TABLE datasets; --", "unexpected character ';' (at character 3)"),
            ("1) or (1", "unexpected ')'"),
            ("read_csv('/etc/passwd')", "unknown function 'read_csv'"),
            ("amount > 'x' and", "ends too early"),
            ("city = 3", "cannot compare string with integer"),
            ("date_trunc(customer, day)", "date_trunc takes a part"),
            (new string('(', 100) + "1" + new string(')', 100), "nested more than"),
            // SQL's spelling of a column is text here: said, not quietly compared as a constant.
            ("\"city\" != 'x'", "\"city\" is text here, not the column: write [city] for the column, or 'city' for the text"),
        })
        {
            var refused = await client.Datasets.PreviewTransformAsync(orders.Id, [Step("derive") with { Name = "x", Expression = expression }]);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
            var detail = refused.Error!.Error.Details!.Single();
            Assert.Equal("steps[0].expression", detail.Field);
            Assert.Contains(expected, detail.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_steps_are_refused_naming_the_step_and_nothing_is_stored()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var orders = await UploadAsync(client, Orders);
        var cases = new (TransformStepDto[] Steps, string Field, string Message)[]
        {
            ([], "steps", "at least one step"),
            ([Step("explode")], "steps[0].op", "unknown op 'explode'"),
            ([Step("select") with { Columns = ["id", "nope"] }], "steps[0].columns", "unknown column 'nope'"),
            ([Step("drop") with { Columns = ["id", "customer", "city", "amount", "qty", "day"] }], "steps[0].columns", "at least one column"),
            ([Step("limit") with { Rows = 2 }, Step("filter") with { Where = new PredicateDto(Column: "qty", Op: "gt", Value: J("three")) }], "steps[1].where.value", "is not a whole number"),
            ([Step("filter") with { Where = new PredicateDto(Column: "qty", Op: "gt", Value: J(1), All: []) }], "steps[0].where", "exactly one of"),
            ([Step("filter") with { Expression = "qty + 1" }], "steps[0].expression", "must be a condition"),
            ([Step("rename") with { Mapping = new Dictionary<string, string> { ["id"] = "CITY" } }], "steps[0].mapping", "twice"),
            ([Step("cast") with { Column = "id", To = "money" }], "steps[0].to", "to must be one of"),
            ([Step("fill_missing") with { Columns = ["city"], Strategy = "mean" }], "steps[0].strategy", "numeric"),
            ([Step("group") with { GroupBy = ["city"], Aggregations = [new AggregationDto("sum", "city")] }], "steps[0].aggregations[0].column", "numeric"),
            ([Step("one_hot") with { Column = "id", MaxLevels = 3 }], "steps[0].max_levels", "more than 3 distinct values"),
            ([Step("sample") with { Fraction = 1.5 }], "steps[0].fraction", "at most 1"),
            ([Step("join") with { DatasetId = Guid.NewGuid(), On = [new JoinKeyDto("id", "id")] }], "steps[0].dataset_id", "does not exist"),
            ([Step("derive") with { Name = "__astralytiq_row", Expression = "1" }], "steps[0].name", "reserved"),
            // A cast that must not lose values fails at run time, still as a clear 422.
            ([Step("cast") with { Column = "city", To = "integer", OnError = "fail" }], "steps", "cannot be applied"),
        };
        foreach (var (steps, field, message) in cases)
        {
            foreach (var preview in new[] { true, false })
            {
                var (status, error) = preview
                    ? await client.Datasets.PreviewTransformAsync(orders.Id, steps) is var p ? (p.Status, p.Error) : default
                    : await client.Datasets.ApplyTransformAsync(orders.Id, new TransformRequest(steps, OutputName: Unique("never"))) is var a ? (a.Status, a.Error) : default;
                Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{field}: {status}");
                var detail = error!.Error.Details![0];
                Assert.Equal(field, detail.Field);
                Assert.Contains(message, detail.Message, StringComparison.Ordinal);
            }
        }
        Assert.Single((await client.Datasets.ListVersionsAsync(orders.Id)).EnsureValue());
        Assert.DoesNotContain((await client.Datasets.ListAsync(search: "never")).EnsureValue().Items, d => d.Name.StartsWith("never", StringComparison.Ordinal));
        var taken = await client.Datasets.ApplyTransformAsync(orders.Id, new TransformRequest([Step("limit") with { Rows = 1 }], OutputName: orders.Name));
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
    }

    [Fact]
    public async Task Large_transforms_run_as_a_job_with_progress_and_give_the_same_bytes_each_time()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        // 20,000 rows (over the 5,000-row job threshold the tests set): decimal sums must not depend on thread timing.
        var random = new Random(42);
        var csv = new StringBuilder("g,x\n");
        for (var i = 0; i < 20_000; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{random.Next(50)},{random.NextDouble() * 1e6 - 5e5:R}\n");
        }
        var dataset = (await client.Datasets.UploadAsync(Text(csv.ToString()), "big.csv", name: Unique("big"))).EnsureValue();
        TransformStepDto[] steps =
        [
            Step("normalize") with { Columns = ["x"], Method = "z_score" },
            Step("group") with { GroupBy = ["g"], Aggregations = [new AggregationDto("sum", "x"), new AggregationDto("stddev", "x"), new AggregationDto("avg", "x")] },
        ];
        var seen = new List<JobResponse>();
        var first = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest(steps, OutputName: Unique("big a")), new SynchronousProgress<JobResponse>(seen.Add))).EnsureValue();
        Assert.NotEmpty(seen);
        Assert.Equal(50, first.RowCount);
        for (var i = 0; i < 3; i++)
        {
            var again = (await client.Datasets.ApplyTransformAsync(dataset.Id, new TransformRequest(steps, OutputName: Unique("big b")))).EnsureValue();
            Assert.Equal(first.ContentSha256, again.ContentSha256);
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

public sealed class TransformTests_Sqlite(SqlitePlatform platform) : TransformTests<SqlitePlatform>(platform);

public sealed class TransformTests_Postgres(PostgresPlatform platform) : TransformTests<PostgresPlatform>(platform);
