using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Astralytiq.Platform.Security;
using Astralytiq.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Astralytiq.Tests.Api;

public abstract class ApiConventionTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    /// <summary>The only operations anyone may call without a token.</summary>
    public static readonly string[] PublicOperations =
    [
        "GET /.well-known/jwks.json",
        "GET /api/v1/embed/dashboards/{token}",
        "GET /api/v1/embed/dashboards/{token}/widgets/{widgetId}/data",
        "GET /api/v1/public/dashboards/{token}",
        "GET /api/v1/public/dashboards/{token}/widgets/{widgetId}/data",
        "GET /api/v1/users/invitations/lookup",
        // Anonymous, but proven by its Stripe-Signature header (Billing/StripeTests).
        "POST /api/v1/public/billing/stripe/webhook",
        "POST /api/v1/public/notifications/unsubscribe",
        "POST /api/v1/public/reports/unsubscribe",
        "POST /api/v1/users/login",
        "POST /api/v1/users/password-reset",
        "POST /api/v1/users/password-reset/confirm",
        "POST /api/v1/users/refresh",
        "POST /api/v1/users/register",
    ];

    private async Task<List<(string Method, string Path, bool Secured)>> OperationsAsync()
    {
        using var http = Platform.NewHttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json"));
        var list = new List<(string, string, bool)>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                list.Add((op.Name.ToUpperInvariant(), path.Name, op.Value.TryGetProperty("security", out var s) && s.GetArrayLength() > 0));
            }
        }
        return list;
    }

    [Fact]
    public async Task OpenAPI_3_1_lists_every_operation_with_summary_and_error_schema()
    {
        using var http = Platform.NewHttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json"));
        Assert.StartsWith("3.1", doc.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(doc.RootElement.GetProperty("components").GetProperty("schemas").TryGetProperty("ErrorEnvelope", out _));
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(op.Value.GetProperty("summary").GetString()), $"{op.Name} {path.Name} has no summary");
                if (path.Name.StartsWith("/api/", StringComparison.Ordinal))
                {
                    var responses = op.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
                    Assert.Contains(responses, r => r.StartsWith('4'));
                }
            }
        }
    }

    [Fact]
    public async Task P12_every_non_public_operation_answers_401_without_a_token_or_with_a_forged_or_expired_one()
    {
        var operations = await OperationsAsync();
        Assert.Equal(PublicOperations, operations.Where(o => !o.Secured).Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal));
        var secured = operations.Where(o => o.Secured).ToList();
        Assert.True(secured.Count >= 15, $"only {secured.Count} secured operations found");

        var tenant = await Platform.NewTenantAsync();
        var tokens = new Dictionary<string, string?>
        {
            ["none"] = null,
            ["garbage"] = "not-a-jwt",
            ["forged"] = Forge(tenant.Admin.AccessToken!, expired: false),
            ["expired"] = Forge(tenant.Admin.AccessToken!, expired: true),
        };
        using var http = Platform.NewHttpClient();
        foreach (var (method, path, _) in secured)
        {
            foreach (var (kind, token) in tokens)
            {
                // Route values: a number for {version}, a GUID for any other ({id}, {model}, {alias}).
                var url = System.Text.RegularExpressions.Regex.Replace(path.TrimStart('/').Replace("{version}", "1", StringComparison.Ordinal), "\\{[^}]+\\}", _ => Guid.NewGuid().ToString());
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (token is not null)
                {
                    request.Headers.Authorization = new("Bearer", token);
                }
                if (method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }
                var response = await http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {kind} token answered {(int)response.StatusCode}");
                Assert.Contains("\"UNAUTHORIZED\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }

    /// <summary>A token with the real claims: either signed by a stranger's key under the real key id, or by the real key but expired.</summary>
    private string Forge(string genuine, bool expired)
    {
        var original = new JsonWebToken(genuine);
        var claims = original.Claims.Where(c => c.Type is not ("exp" or "iat" or "nbf")).ToDictionary(c => c.Type, c => (object)c.Value);
        var keyRing = Platform.Services.GetRequiredService<KeyRing>();
        SecurityKey key = expired
            ? keyRing.CurrentSigningKey.Key
            : new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = keyRing.CurrentSigningKey.KeyId };
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = original.Issuer,
            Audience = original.Audiences.Single(),
            Claims = claims,
            IssuedAt = expired ? now.AddHours(-2) : now,
            NotBefore = expired ? now.AddHours(-2) : now,
            Expires = expired ? now.AddHours(-1) : now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
    }

    [Fact]
    public void Every_api_endpoint_declares_a_permission_or_is_explicitly_public()
    {
        var endpoints = Platform.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true);
        foreach (var endpoint in endpoints)
        {
            var declares = endpoint.Metadata.GetMetadata<RequiresPermissionAttribute>() is not null
                || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            Assert.True(declares, $"{endpoint.DisplayName} declares neither a permission nor AllowAnonymous");
        }
    }

    /// <summary>A request that does not bind is refused in people's words: never the framework's ("implicit body", type names).</summary>
    [Theory]
    [InlineData("POST", "api/v1/data/datasets/import/http", "This request needs a JSON body")]
    [InlineData("GET", "api/v1/data/datasets?limit=many", "'many' is not a valid limit")]
    [InlineData("GET", "api/v1/dashboards/00000000-0000-0000-0000-000000000001/data?table_limit=abc", "'abc' is not a valid table_limit")] // named as the API spells it
    public async Task A_request_that_does_not_bind_is_refused_in_words(string method, string path, string message)
    {
        var tenant = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new("Bearer", tenant.Admin.AccessToken);
        if (method == "POST")
        {
            request.Content = new StringContent(string.Empty, System.Text.Encoding.UTF8, "application/json");
        }
        var response = await http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, body.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void Every_error_status_a_handler_declares_is_documented_with_the_envelope()
    {
        var endpoints = Platform.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Astralytiq.Platform.Http.ErrorsAttribute>() is not null).ToList();
        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var documented = endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>()
                .Where(m => m.Type == typeof(Astralytiq.Contracts.Errors.ErrorEnvelope)).Select(m => m.StatusCode).ToHashSet();
            foreach (var status in endpoint.Metadata.GetMetadata<Astralytiq.Platform.Http.ErrorsAttribute>()!.Statuses)
            {
                Assert.True(documented.Contains(status), $"{endpoint.DisplayName} declares {status} but does not document it");
            }
        }
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_security_headers()
    {
        using var http = Platform.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/profile");
        request.Headers.Add("X-Request-Id", "trace-abc-123");
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("trace-abc-123", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Contains("\"request_id\":\"trace-abc-123\"", body, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());

        using var hostile = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/profile");
        hostile.Headers.TryAddWithoutValidation("X-Request-Id", "<script>alert(1)</script>");
        var sanitized = await http.SendAsync(hostile);
        Assert.StartsWith("req_", sanitized.Headers.GetValues("X-Request-Id").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_the_error_envelope()
    {
        using var http = Platform.NewHttpClient();
        var missing = await http.GetAsync("api/v1/does-not-exist");
        var wrongMethod = await http.DeleteAsync("api/v1/users/login");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("\"NOT_FOUND\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        using (var envelope = JsonDocument.Parse(await wrongMethod.Content.ReadAsStringAsync()))
        {
            Assert.Equal("METHOD_NOT_ALLOWED", envelope.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("DELETE is not allowed at this address", envelope.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        Assert.Contains("\"request_id\"", await wrongMethod.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_liveness_and_each_dependency_of_readiness()
    {
        using var http = Platform.NewHttpClient();
        var live = await http.GetAsync("health/live");
        using var ready = JsonDocument.Parse(await http.GetStringAsync("health/ready"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", ready.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, ready.RootElement.GetProperty("failing").GetArrayLength());
        var checks = ready.RootElement.GetProperty("checks");
        foreach (var module in StoreFaults.Modules)
        {
            var store = checks.GetProperty("database:" + module);
            Assert.Equal("healthy", store.GetProperty("status").GetString());
            Assert.Equal(module, store.GetProperty("module").GetString());
            Assert.Equal(module is "platform" or "identity" or "tenancy", store.GetProperty("core").GetBoolean());
            Assert.True(store.GetProperty("duration_ms").GetDouble() >= 0);
            Assert.Equal("available", ready.RootElement.GetProperty("modules").GetProperty(module).GetString());
        }
        Assert.Equal("healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("disk").GetProperty("status").GetString());
        Assert.True(checks.GetProperty("disk").GetProperty("data").GetProperty("free_bytes").GetInt64() > 0);
        Assert.Equal("healthy", checks.GetProperty("smtp").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("jobs").GetProperty("status").GetString());
        Assert.Equal("polling", checks.GetProperty("jobs").GetProperty("data").GetProperty("runner").GetString());
        Assert.Equal(0, checks.GetProperty("jobs").GetProperty("data").GetProperty("overdue_jobs").GetInt32());
    }

    [Fact]
    public async Task Api_reference_is_served_at_docs()
    {
        using var http = Platform.NewHttpClient();
        var docs = await http.GetAsync("docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("openapi/v1.json", await docs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class ApiConventionTests_Sqlite(SqlitePlatform platform) : ApiConventionTests<SqlitePlatform>(platform);

public sealed class ApiConventionTests_Postgres(PostgresPlatform platform) : ApiConventionTests<PostgresPlatform>(platform);
