using System.Text.Json;
using Astralytiq.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.OpenApi;

namespace Astralytiq.Tests.Platform;

public sealed class DeprecationTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Sunset = new(2027, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<(HttpContext Context, bool EndpointRan)> CallAsync(DeprecationMetadata? deprecation, DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton<TimeProvider>(clock).BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        var metadata = deprecation is null ? new EndpointMetadataCollection() : new EndpointMetadataCollection(deprecation);
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, metadata, "test"));
        var ran = false;
        var middleware = new DeprecationMiddleware(_ => { ran = true; return Task.CompletedTask; }, clock);
        await middleware.InvokeAsync(context);
        return (context, ran);
    }

    [Fact]
    public async Task A_deprecated_endpoint_announces_its_deprecation_sunset_and_successor()
    {
        var (context, ran) = await CallAsync(new DeprecationMetadata(Since, Sunset, "/api/v2/users/profile"), Since.AddDays(1));

        Assert.True(ran);
        Assert.Equal("@" + Since.ToUnixTimeSeconds(), context.Response.Headers["Deprecation"].ToString());
        Assert.Equal("Tue, 01 Jun 2027 00:00:00 GMT", context.Response.Headers["Sunset"].ToString());
        Assert.Equal("</api/v2/users/profile>; rel=\"successor-version\"", context.Response.Headers["Link"].ToString());
    }

    [Fact]
    public async Task Endpoints_that_are_not_deprecated_get_no_headers()
    {
        var (context, ran) = await CallAsync(null, Since);

        Assert.True(ran);
        Assert.False(context.Response.Headers.ContainsKey("Deprecation"));
        Assert.False(context.Response.Headers.ContainsKey("Sunset"));
    }

    [Fact]
    public async Task After_its_sunset_the_endpoint_answers_410_in_the_envelope_and_does_not_run()
    {
        var (context, ran) = await CallAsync(new DeprecationMetadata(Since, Sunset, "/api/v2/users/profile"), Sunset);

        Assert.False(ran);
        Assert.Equal(StatusCodes.Status410Gone, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("GONE", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("/api/v2/users/profile", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_OpenAPI_operation_is_marked_deprecated_with_its_dates()
    {
        var operation = new OpenApiOperation { Description = "Reads the profile." };
        DeprecationConventions.Describe(operation, new DeprecationMetadata(Since, Sunset, "/api/v2/users/profile"));

        Assert.True(operation.Deprecated);
        Assert.Contains("Deprecated since 2026-12-01; removed on 2027-06-01 (410 afterwards); use /api/v2/users/profile instead.", operation.Description, StringComparison.Ordinal);
        Assert.StartsWith("Reads the profile.", operation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sunset_before_the_deprecation_is_refused_when_the_endpoint_is_mapped()
    {
        var app = WebApplication.CreateSlimBuilder().Build();
        var endpoint = app.MapGet("/x", () => "x");
        Assert.Throws<ArgumentException>(() => endpoint.Deprecated(Sunset, Since));
    }
}
