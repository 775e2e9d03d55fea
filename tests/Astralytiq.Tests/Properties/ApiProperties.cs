using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

/// <summary>SQLite platform with tight limits: 5 requests per user, 3 sign-in calls per IP per window.</summary>
public sealed class ThrottledPlatform : PlatformFixture
{
    public const int PerUser = 5;

    public override string Provider => "Sqlite";

    protected override Task<IReadOnlyDictionary<string, string?>> DatabaseSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Astralytiq:Database:Provider"] = "Sqlite" });

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Astralytiq:RateLimits:PerUser"] = PerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Astralytiq:RateLimits:WindowSeconds"] = "600",
    };
}

public sealed class RateLimitProperties(ThrottledPlatform platform) : PlatformTest<ThrottledPlatform>(platform)
{
    [Property(MaxTest = 100)]
    public async Task P13_a_user_gets_exactly_the_limit_then_429_with_retry_after(byte extra)
    {
        var n = 1 + (extra % 12);
        var tenant = await Platform.NewTenantAsync();
        for (var i = 1; i <= n; i++)
        {
            var response = await tenant.Admin.Account.GetProfileAsync();
            if (i <= ThrottledPlatform.PerUser)
            {
                Assert.Equal(HttpStatusCode.OK, response.Status);
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.Status);
                Assert.Equal("RATE_LIMITED", response.Error!.Error.Code);
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
                Assert.Equal("0", response.Headers.GetValues("RateLimit-Remaining").Single());
            }
        }
    }
}

/// <summary>A separate server: sign-in endpoints allow 3 calls per IP per window.</summary>
public sealed class SignInThrottledPlatform : PlatformFixture
{
    public override string Provider => "Sqlite";

    protected override Task<IReadOnlyDictionary<string, string?>> DatabaseSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Astralytiq:Database:Provider"] = "Sqlite" });

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Astralytiq:RateLimits:SensitivePerIp"] = "3",
        ["Astralytiq:RateLimits:WindowSeconds"] = "600",
    };
}

public sealed class SignInThrottleTests(SignInThrottledPlatform platform) : PlatformTest<SignInThrottledPlatform>(platform)
{
    [Fact]
    public async Task Sign_in_is_throttled_per_ip_more_strictly_than_the_rest()
    {
        var client = Platform.NewClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.LoginAsync(new LoginRequest("nobody@example.com", "Wrong-password-1"))).Status);
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var http = Platform.NewHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
    }
}

public abstract class VersioningProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    public const string SnapshotFile = "Api/openapi-v1.contract.json";

    private JsonObject? _live;
    private JsonObject? _released;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        using var http = Platform.NewHttpClient();
        _live = ApiContract.From(JsonNode.Parse(await http.GetStringAsync("openapi/v1.json"))!.AsObject());
        var path = Path.Combine(AppContext.BaseDirectory, SnapshotFile);
        if (Environment.GetEnvironmentVariable("ASTRALYTIQ_WRITE_API_CONTRACT") == "1")
        {
            var source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", SnapshotFile);
            await File.WriteAllTextAsync(source, _live.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        _released = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
    }

    [Property(MaxTest = 100)]
    public void P14_v1_keeps_every_released_operation_status_and_response_field(PositiveInt pick)
    {
        var operations = _released!.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var op = operations[pick.Get % operations.Count];
        Assert.Empty(ApiContract.Breaks(_released!, _live!, op));
    }

    [Fact]
    public async Task Unversioned_or_unknown_versions_are_404_in_the_envelope()
    {
        using var http = Platform.NewHttpClient();
        foreach (var path in new[] { "api/v2/users/profile", "api/users/profile", "api/v0/tenants/current" })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("\"NOT_FOUND\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}

public sealed class VersioningProperties_Sqlite(SqlitePlatform platform) : VersioningProperties<SqlitePlatform>(platform);

public sealed class VersioningProperties_Postgres(PostgresPlatform platform) : VersioningProperties<PostgresPlatform>(platform);

/// <summary>The compatibility-relevant shape of an OpenAPI document: operation → status → response field paths.</summary>
public static class ApiContract
{
    public static JsonObject From(JsonObject document)
    {
        var schemas = document["components"]?["schemas"]?.AsObject();
        var contract = new JsonObject();
        foreach (var (path, item) in document["paths"]!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (method, op) in item!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var statuses = new JsonObject();
                foreach (var (status, response) in op!["responses"]!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var schema = response?["content"]?["application/json"]?["schema"];
                    var fields = new SortedSet<string>(StringComparer.Ordinal);
                    Collect(schema, schemas, "", fields, 0);
                    statuses[status] = new JsonArray(fields.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray());
                }
                // What a client must send: a new requirement breaks clients written against the released version.
                var required = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var parameter in (op["parameters"]?.AsArray() ?? []).Concat(item["parameters"]?.AsArray() ?? []))
                {
                    if (parameter?["required"]?.GetValue<bool>() == true)
                    {
                        required.Add($"{parameter["in"]}:{parameter["name"]}");
                    }
                }
                if (op["requestBody"] is { } body)
                {
                    if (body["required"]?.GetValue<bool>() == true)
                    {
                        required.Add("body");
                    }
                    var bodySchema = Resolve(body["content"]?["application/json"]?["schema"], schemas);
                    foreach (var name in bodySchema?["required"]?.AsArray() ?? [])
                    {
                        required.Add("body." + name!.GetValue<string>());
                    }
                }
                statuses[RequestKey] = new JsonArray(required.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray());
                contract[$"{method.ToUpperInvariant()} {path}"] = statuses;
            }
        }
        return contract;
    }

    /// <summary>The key under which an operation lists what a request must carry (required parameters and body fields).</summary>
    public const string RequestKey = "request";

    /// <summary>
    /// How <paramref name="live"/> breaks clients of <paramref name="op"/> as released: the operation removed, a status it no
    /// longer answers, a response field it no longer sends, or an input it now requires. Empty when compatible.
    /// </summary>
    public static IReadOnlyList<string> Breaks(JsonObject released, JsonObject live, string op)
    {
        var breaks = new List<string>();
        if (!live.ContainsKey(op))
        {
            return [$"v1 operation {op} was removed"];
        }
        var before = released[op]!.AsObject();
        var now = live[op]!.AsObject();
        foreach (var (status, fields) in before.Where(s => s.Key != RequestKey))
        {
            if (!now.ContainsKey(status))
            {
                breaks.Add($"{op} no longer answers {status}");
                continue;
            }
            var kept = now[status]!.AsArray().Select(f => f!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            breaks.AddRange(fields!.AsArray().Select(f => f!.GetValue<string>()).Where(f => !kept.Contains(f)).Select(f => $"{op} {status} lost the field {f}"));
        }
        var requiredBefore = (before[RequestKey]?.AsArray() ?? []).Select(f => f!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        breaks.AddRange((now[RequestKey]?.AsArray() ?? []).Select(f => f!.GetValue<string>()).Where(f => !requiredBefore.Contains(f)).Select(f => $"{op} now requires {f}"));
        return breaks;
    }

    private static JsonNode? Resolve(JsonNode? schema, JsonObject? schemas) =>
        schema?["$ref"]?.GetValue<string>() is { } reference ? schemas?[reference.Split('/')[^1]] : schema;

    private static void Collect(JsonNode? schema, JsonObject? schemas, string prefix, SortedSet<string> fields, int depth)
    {
        if (schema is null || depth > 6)
        {
            return;
        }
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            Collect(schemas?[reference.Split('/')[^1]], schemas, prefix, fields, depth + 1);
            return;
        }
        foreach (var key in new[] { "anyOf", "oneOf", "allOf" })
        {
            foreach (var part in schema[key]?.AsArray() ?? [])
            {
                Collect(part, schemas, prefix, fields, depth + 1);
            }
        }
        if (schema["items"] is { } items)
        {
            Collect(items, schemas, prefix + "[]", fields, depth + 1);
        }
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            fields.Add(path);
            Collect(property, schemas, path, fields, depth + 1);
        }
    }
}

/// <summary>
/// P14 of the check itself, in process: changes made to a released operation are told apart — compatible ones (a field,
/// a status or an operation added, a requirement dropped, lists reordered) pass, breaking ones (an operation, status or
/// field removed or renamed, a new required input) are named.
/// </summary>
public sealed class ApiContractProperties
{
    private static readonly JsonObject Released = JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, VersioningProperties<SqlitePlatform>.SnapshotFile)))!.AsObject();

    public sealed record Change(string Op, string Kind, bool Breaking, JsonObject Live)
    {
        public override string ToString() => $"{Kind} on {Op}";
    }

    public static class Changes
    {
        private static readonly string[] Compatible = ["none", "add-field", "add-status", "add-operation", "drop-requirement", "reorder"];
        private static readonly string[] Breaking = ["remove-operation", "remove-status", "remove-field", "rename-field", "add-requirement"];

        public static Arbitrary<Change> Arbitrary() =>
            (from op in Gen.Elements(Released.Select(p => p.Key).ToArray())
             from breaking in Gen.Elements(true, false)
             from kind in Gen.Elements(breaking ? Breaking : Compatible)
             from seed in Gen.Choose(0, int.MaxValue)
             select Make(op, kind, seed)).ToArbitrary();

        private static Change Make(string op, string kind, int seed)
        {
            var random = new Random(seed);
            var live = Released.DeepClone().AsObject();
            var operation = live[op]!.AsObject();
            var statuses = operation.Where(s => s.Key != ApiContract.RequestKey).Select(s => s.Key).ToList();
            var withFields = statuses.Where(s => operation[s]!.AsArray().Count > 0).ToList();
            var required = operation[ApiContract.RequestKey]?.AsArray();
            T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
            switch (kind)
            {
                case "add-field":
                    operation[Pick(statuses)]!.AsArray().Add(JsonValue.Create("added_" + random.Next(1000)));
                    break;
                case "add-status":
                    operation["299"] = new JsonArray(JsonValue.Create("id"));
                    break;
                case "add-operation":
                    live["GET /api/v1/added/" + random.Next(1000)] = new JsonObject { ["200"] = new JsonArray() };
                    break;
                case "drop-requirement" when required is { Count: > 0 }:
                    required.RemoveAt(random.Next(required.Count));
                    break;
                case "drop-requirement":
                case "reorder":
                    foreach (var status in statuses)
                    {
                        var items = operation[status]!.AsArray().Select(n => n!.GetValue<string>()).Reverse().ToArray();
                        operation[status] = new JsonArray(items.Select(i => (JsonNode)JsonValue.Create(i)!).ToArray());
                    }
                    break;
                case "remove-operation":
                    live.Remove(op);
                    break;
                case "remove-field" or "rename-field" when withFields.Count > 0:
                    var fields = operation[Pick(withFields)]!.AsArray();
                    var index = random.Next(fields.Count);
                    var name = fields[index]!.GetValue<string>();
                    fields.RemoveAt(index);
                    if (kind == "rename-field")
                    {
                        fields.Add(JsonValue.Create(name + "_renamed"));
                    }
                    break;
                case "remove-status":
                case "remove-field" or "rename-field":
                    operation.Remove(Pick(statuses));
                    break;
                case "add-requirement":
                    var input = random.Next(2) == 0 ? "query:added" : "body.added";
                    if (required is null)
                    {
                        operation[ApiContract.RequestKey] = new JsonArray(JsonValue.Create(input));
                    }
                    else
                    {
                        required.Add(JsonValue.Create(input));
                    }
                    break;
            }
            return new Change(op, kind, Breaking.Contains(kind), live);
        }
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Changes)])]
    public void P14_the_contract_check_tells_compatible_changes_from_breaking_ones(Change change)
    {
        var breaks = ApiContract.Breaks(Released, change.Live, change.Op);
        if (change.Breaking)
        {
            Assert.NotEmpty(breaks);
            Assert.All(breaks, b => Assert.Contains(change.Op, b, StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(breaks);
        }
    }

    [Fact]
    public void The_released_contract_lists_what_each_request_requires()
    {
        Assert.All(Released, op => Assert.True(op.Value!.AsObject().ContainsKey(ApiContract.RequestKey), $"{op.Key} has no request entry"));
        Assert.Contains("body.email", Released["POST /api/v1/users/login"]![ApiContract.RequestKey]!.AsArray().Select(n => n!.GetValue<string>()));
    }
}
