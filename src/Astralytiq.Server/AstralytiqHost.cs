using Astralytiq.Notifications;
using Astralytiq.Billing;
using Astralytiq.Platform.Health;
using Astralytiq.Contracts;
using System.Text.Json;
using Astralytiq.Audit;
using Astralytiq.Data;
using Astralytiq.ML;
using Astralytiq.Dashboards;
using Astralytiq.Contracts.Errors;
using Astralytiq.Identity;
using Astralytiq.Platform;
using Astralytiq.Platform.Http;
using Astralytiq.Platform.Persistence;
using Astralytiq.Tenancy;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalar.AspNetCore;

namespace Astralytiq.Server;

/// <summary>Composes the modules into one process and owns route prefixes.</summary>
public static class AstralytiqHost
{
    public static WebApplicationBuilder ConfigureServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        // Hosted services start in registration order: migrations finish before any worker touches the database.
        if (configuration.GetValue("Astralytiq:MigrateOnStartup", true))
        {
            builder.Services.AddHostedService<MigrateOnStartup>();
        }
        builder.Services
            .AddPlatform(configuration)
            .AddTenancyModule(configuration)
            .AddIdentityModule(configuration)
            .AddAuditModule(configuration)
            .AddDataModule(configuration)
            .AddMLModule(configuration)
            .AddDashboardsModule(configuration)
            .AddNotificationsModule(configuration)
            .AddBillingModule(configuration);
        return builder;
    }

    public static WebApplication ConfigurePipeline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UsePlatform(web =>
        {
            // The Blazor WebAssembly client: framework files and static assets, cached by their fingerprints.
            web.UseBlazorFrameworkFiles();
            web.UseStaticFiles();
        });

        var v1 = app.MapGroup(ApiRoutes.V1);
        v1.MapIdentityEndpoints();
        v1.MapTenancyEndpoints();
        v1.MapAuditEndpoints();
        v1.MapDataEndpoints();
        v1.MapMLEndpoints();
        v1.MapDashboardsEndpoints();
        v1.MapPublicDashboardsEndpoints();
        v1.MapPlatformEndpoints();
        v1.MapNotificationsEndpoints();
        v1.MapBillingEndpoints();
        app.MapDashboardsHub();
        app.MapJwks();
        app.MapPlatformMetrics();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Astralytiq API").WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();

        app.MapPlatformHealth();
        // Client-side routes (/login, /users, ...) load the client; API-like paths keep their 404 envelope. Embedding
        // tokens are JWTs, with dots: /embed/… is a client route even though it looks like a file name.
        app.MapFallback(ServeClientAsync).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"])).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/embed/{**rest}", ["GET", "HEAD"], ServeClientAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static readonly string[] ServerPrefixes = ["/api", "/hubs", "/health", "/openapi", "/docs", "/.well-known", "/_framework", "/_content", "/metrics"];

    private static async Task ServeClientAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var index = context.RequestServices.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider.GetFileInfo("index.html");
        if (ServerPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)) || (Path.HasExtension(path.Value) && !path.StartsWithSegments("/embed", StringComparison.OrdinalIgnoreCase)) || !index.Exists)
        {
            await ErrorWriter.WriteAsync(context, 404, ErrorCodes.NotFound, "No such resource");
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.SendFileAsync(index);
    }

    /// <summary>Applies every module's migrations (and, on PostgreSQL, its row-level security policies).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var database in services.GetServices<IModuleDatabase>())
        {
            await database.MigrateAsync(services, cancellationToken);
        }
    }
}

internal sealed partial class MigrateOnStartup(IServiceProvider services, ILogger<MigrateOnStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await AstralytiqHost.MigrateAsync(services, cancellationToken);
        LogMigrated(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrations applied")]
    private static partial void LogMigrated(ILogger logger);
}
