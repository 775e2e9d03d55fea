using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Astralytiq.Platform.Health;

/// <summary><c>Astralytiq:Health</c>: how often readiness is re-checked in the background and the thresholds it uses.</summary>
public sealed class HealthSettings
{
    /// <summary>
    /// Seconds between background readiness checks; a module that goes down is noticed (and gated) within this time.
    /// 0 turns the background checks off: only <c>/health/ready</c> calls then refresh what routes see.
    /// </summary>
    [Range(0, 300)]
    public int PeriodSeconds { get; set; } = 5;

    /// <summary>Disk space below this many megabytes free (where the data directory is) makes readiness degraded.</summary>
    [Range(0, 10_000_000)]
    public long MinFreeDiskMegabytes { get; set; } = 512;

    /// <summary>How long the SMTP check waits for the server's greeting.</summary>
    [Range(1, 60)]
    public int SmtpTimeoutSeconds { get; set; } = 3;
}

public static class HealthSetup
{
    /// <summary>Readiness per module and dependency, re-checked in the background; registered by the kernel.</summary>
    internal static IServiceCollection AddPlatformHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = SettingsBinder.Bind<HealthSettings>(configuration, "Astralytiq:Health");
        services.AddSingleton(settings);
        services.AddSingleton<ModuleAvailability>();
        if (settings.PeriodSeconds > 0)
        {
            services.AddSingleton<IHealthCheckPublisher, ReadinessPublisher>();
            services.Configure<HealthCheckPublisherOptions>(o =>
            {
                o.Delay = TimeSpan.FromSeconds(1);
                o.Period = TimeSpan.FromSeconds(settings.PeriodSeconds);
                o.Timeout = TimeSpan.FromSeconds(10);
                o.Predicate = r => r.Tags.Contains(PlatformHealth.ReadyTag);
            });
        }
        var checks = services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [PlatformHealth.ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<DiskSpaceHealthCheck>("disk", tags: [PlatformHealth.ReadyTag])
            .AddCheck<Jobs.JobsHealthCheck>("jobs", tags: [PlatformHealth.ReadyTag], timeout: TimeSpan.FromSeconds(5));
        if (!string.IsNullOrWhiteSpace(configuration["Astralytiq:Email:Smtp:Host"]))
        {
            checks.AddCheck<SmtpHealthCheck>("smtp", tags: [PlatformHealth.ReadyTag]);
        }
        return services;
    }

    /// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (every check, module by module).</summary>
    public static IEndpointRouteBuilder MapPlatformHealth(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteLiveAsync })
            .AllowAnonymous().DisableRateLimiting();
        routes.MapMethods("/health/ready", ["GET", "HEAD"], ReadyAsync).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        return routes;
    }

    private static async Task ReadyAsync(HttpContext context, HealthCheckService health, ModuleAvailability availability)
    {
        var started = Stopwatch.GetTimestamp();
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(PlatformHealth.ReadyTag), context.RequestAborted).ConfigureAwait(false);
        var verdict = ReadinessPolicy.Evaluate(CheckOutcome.From(report), started);
        availability.Update(verdict);
        context.Response.StatusCode = verdict.Status == HealthStatus.Unhealthy ? 503 : 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        var modules = verdict.Checks.Select(c => c.Module).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .ToDictionary(m => m, m => verdict.CoreDown || verdict.UnavailableModules.ContainsKey(m) ? "unavailable" : "available", StringComparer.Ordinal);
        var body = new
        {
            status = Name(verdict.Status),
            duration_ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
            failing = verdict.Failing,
            modules,
            checks = verdict.Checks.OrderBy(c => c.Name, StringComparer.Ordinal).ToDictionary(
                c => c.Name,
                c => new
                {
                    status = Name(c.Status),
                    module = c.Module,
                    core = c.IsCore,
                    duration_ms = Math.Round(c.Duration.TotalMilliseconds, 1),
                    description = c.Description,
                    data = c.Data.Count == 0 ? null : c.Data,
                },
                StringComparer.Ordinal),
        };
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, ApiJson.Options), context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteLiveAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync("""{"status":"healthy"}""");
    }

    private static string Name(HealthStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>Blob storage takes a write (a probe file written and removed).</summary>
internal sealed class StorageHealthCheck(Storage.IBlobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.ProbeAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("Blob storage is writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                DependencyDownClassifier.IsDiskFull(ex) ? "Blob storage is not writable: the disk is full" : "Blob storage is not writable",
                data: new Dictionary<string, object> { ["error"] = ex.GetType().Name });
        }
    }
}

/// <summary>Free space where the data directory lives (files, DuckDB spill, SQLite): degraded below the configured minimum.</summary>
internal sealed class DiskSpaceHealthCheck(PlatformOptions options, HealthSettings settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var drive = new DriveInfo(Path.GetFullPath(options.DataDir));
        long free = drive.AvailableFreeSpace, total = drive.TotalSize;
        var data = new Dictionary<string, object>
        {
            ["free_bytes"] = free,
            ["total_bytes"] = total,
            ["min_free_bytes"] = settings.MinFreeDiskMegabytes * 1024 * 1024,
        };
        var text = $"{Bytes(free)} free of {Bytes(total)}";
        return Task.FromResult(free < settings.MinFreeDiskMegabytes * 1024 * 1024
            ? new HealthCheckResult(context.Registration.FailureStatus, $"The data directory's disk is nearly full: {text} (minimum {Bytes(settings.MinFreeDiskMegabytes * 1024 * 1024)})", data: data)
            : HealthCheckResult.Healthy(text, data));
    }

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("#,0.#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("#,0.#", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / 1024.0).ToString("#,0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("#,0", CultureInfo.InvariantCulture) + " bytes",
    };
}

/// <summary>The SMTP server greets and says goodbye (connect, EHLO, QUIT; nothing is sent). Mail waits and is retried while it is down.</summary>
internal sealed class SmtpHealthCheck(Email.SmtpSettings smtp, HealthSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["server"] = $"{smtp.Host}:{smtp.Port}" };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.SmtpTimeoutSeconds));
        try
        {
            using var client = new SmtpClient { Timeout = settings.SmtpTimeoutSeconds * 1000 };
            var security = Enum.TryParse<SecureSocketOptions>(smtp.Security, ignoreCase: true, out var s) ? s : SecureSocketOptions.Auto;
            await client.ConnectAsync(smtp.Host ?? "localhost", smtp.Port, security, timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The SMTP server answers", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            data["error"] = ex.GetType().Name;
            return new HealthCheckResult(context.Registration.FailureStatus, ex is OperationCanceledException
                ? "The SMTP server did not answer in time; emails wait and are retried"
                : "The SMTP server cannot be reached; emails wait and are retried", data: data);
        }
    }
}
