using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Astralytiq.Platform.Telemetry;

/// <summary>
/// OpenTelemetry for the whole process (ADR 0031): metrics always (served to Prometheus at <c>/metrics</c>, exported over
/// OTLP when a collector is set), traces when a collector is set or tracing is switched on, JSON logs on request. Every
/// module's <c>Astralytiq.*</c> sources and meters are included by name.
/// </summary>
internal static class TelemetrySetup
{
    public const string SourcesAndMeters = "Astralytiq.*";

    public static IServiceCollection AddPlatformTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = SettingsBinder.Bind<TelemetrySettings>(configuration, "Astralytiq:Telemetry");
        services.AddSingleton(settings);
        services.AddSingleton<SlowQueryInterceptor>();
        services.AddSingleton<RequestStats>();
        services.Configure<LoggerFactoryOptions>(o =>
            o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (settings.LogFormat == "json")
        {
            services.AddLogging(logging => logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            }));
        }

        var otlp = string.IsNullOrWhiteSpace(settings.Otlp.Endpoint) ? null : settings.Otlp;
        var tracing = settings.Tracing.Enabled ?? otlp is not null;
        if (!settings.Metrics.Enabled && otlp is null && !tracing)
        {
            return services;
        }
        var version = typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(
            serviceName: "astralytiq",
            serviceVersion: version,
            serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        if (settings.Metrics.Enabled || otlp is not null)
        {
            telemetry.WithMetrics(metrics =>
            {
                // ASP.NET Core's own meters, chosen: request duration per route (RED), Kestrel's connections, SignalR's live
                // connections and unhandled exceptions. Routing, rate-limiting, authentication and authorization meters would
                // add four more measurements to every request for what the status codes already tell (measured: bench/load/telemetry.sh).
                metrics.AddMeter(SourcesAndMeters)
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
                        "Microsoft.AspNetCore.Diagnostics")
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (settings.Metrics.Enabled)
                {
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Configure(o, otlp));
                }
            });
        }
        if (tracing)
        {
            telemetry.WithTracing(traces =>
            {
                // A caller's sampled traceparent is always followed (a request and the work it causes form one trace); traces
                // that start here are kept at the configured ratio.
                traces.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.Tracing.SampleRatio)))
                    .AddSource(SourcesAndMeters)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.RecordException = true;
                        // The client's static files and the probes are not worth a trace each.
                        o.Filter = http => !IsQuiet(http.Request.Path, settings);
                    })
                    .AddHttpClientInstrumentation(o => o.RecordException = true)
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddNpgsql();
                if (otlp is not null)
                {
                    traces.AddOtlpExporter(o => Configure(o, otlp));
                }
            });
        }
        return services;
    }

    internal static bool IsQuiet(PathString path, TelemetrySettings settings) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/health")
        || path.StartsWithSegments(settings.Metrics.Path) || (path.HasValue && System.IO.Path.HasExtension(path.Value) && !path.StartsWithSegments("/api"));

    private static void Configure(OtlpExporterOptions options, OtlpSettings settings)
    {
        options.Endpoint = new Uri(settings.Endpoint!);
        options.Protocol = settings.Protocol == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        if (!string.IsNullOrWhiteSpace(settings.Headers))
        {
            options.Headers = settings.Headers;
        }
    }

    /// <summary>
    /// Prometheus metrics at the configured path, for a signed-in operator or a scraper presenting the scrape token; the
    /// response is never cached and never rate-limited.
    /// </summary>
    public static void MapMetrics(this IEndpointRouteBuilder routes)
    {
        var settings = routes.ServiceProvider.GetRequiredService<TelemetrySettings>();
        if (!settings.Metrics.Enabled)
        {
            return;
        }
        routes.MapPrometheusScrapingEndpoint(settings.Metrics.Path)
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]))
            .RequireAuthorization(policy => policy.RequireAssertion(context => MayScrape(context, settings)))
            .DisableRateLimiting()
            .ExcludeFromDescription();
    }

    private static bool MayScrape(AuthorizationHandlerContext context, TelemetrySettings settings)
    {
        if (context.Resource is not HttpContext http)
        {
            return false;
        }
        if (settings.Metrics.ScrapeToken is { } token
            && http.Request.Headers.Authorization.ToString() is { } header
            && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), Encoding.UTF8.GetBytes(token)))
        {
            return true;
        }
        var tenant = http.RequestServices.GetRequiredService<ITenantContext>();
        return tenant.Role is { } role && PermissionMatrix.Allows(role, Permission.PlatformManage) && tenant.ApiKeyScopes is null;
    }
}
