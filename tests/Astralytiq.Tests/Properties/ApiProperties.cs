using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
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
            var response = await tenant.Admin.GetProfileAsync();
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
        Assert.True(_live!.ContainsKey(op), $"v1 operation {op} was removed");
        var released = _released![op]!.AsObject();
        var live = _live[op]!.AsObject();
        foreach (var (status, fields) in released)
        {
            Assert.True(live.ContainsKey(status), $"{op} no longer answers {status}");
            var liveFields = live[status]!.AsArray().Select(f => f!.GetValue<string>()).ToHashSet();
            foreach (var field in fields!.AsArray().Select(f => f!.GetValue<string>()))
            {
                Assert.True(liveFields.Contains(field), $"{op} {status} lost the field {field}");
            }
        }
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
                contract[$"{method.ToUpperInvariant()} {path}"] = statuses;
            }
        }
        return contract;
    }

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
