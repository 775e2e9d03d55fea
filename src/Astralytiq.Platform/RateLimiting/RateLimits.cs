using System.Threading.RateLimiting;

namespace Astralytiq.Platform.RateLimiting;

/// <summary>Requests per window (<c>Astralytiq:RateLimits</c>). Per-plan sizing arrives with billing.</summary>
public sealed class RateLimitSettings
{
    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    [Range(1, int.MaxValue)]

    public int PerIp { get; set; } = 600;

    [Range(1, int.MaxValue)]

    public int PerUser { get; set; } = 1200;

    [Range(1, int.MaxValue)]

    public int PerTenant { get; set; } = 6000;

    /// <summary>Sign-in, registration and password reset, per client IP: much stricter.</summary>
    [Range(1, int.MaxValue)]
    public int SensitivePerIp { get; set; } = 20;
}

public static class RateLimitPolicies
{
    /// <summary>The policy for sign-in, registration, refresh and reset endpoints.</summary>
    public const string Sensitive = "sensitive";

    public static TBuilder RequireSensitiveRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireRateLimiting(Sensitive);

    internal static IServiceCollection AddPlatformRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = Configuration.SettingsBinder.Bind<RateLimitSettings>(configuration, "Astralytiq:RateLimits");
        services.AddSingleton(settings);
        var window = TimeSpan.FromSeconds(settings.WindowSeconds);
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                {
                    var user = ctx.User.FindFirst("sub")?.Value;
                    return user is null
                        ? Window("ip:" + ClientIp(ctx), settings.PerIp, window)
                        : Window("user:" + user, settings.PerUser, window);
                }),
                PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                {
                    var tenant = ctx.User.FindFirst("tenant_id")?.Value;
                    return tenant is null
                        ? RateLimitPartition.GetNoLimiter("anonymous")
                        : Window("tenant:" + tenant, settings.PerTenant, window);
                }));
            options.AddPolicy(Sensitive, ctx => Window("sensitive-ip:" + ClientIp(ctx), settings.SensitivePerIp, window));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var ra) ? ra : window;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var headers = context.HttpContext.Response.Headers;
                headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Remaining"] = "0";
                headers["RateLimit-Reset"] = seconds.ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Policy"] = $"window={settings.WindowSeconds}s";
                await ErrorWriter.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                    $"Too many requests; retry after {seconds} s").ConfigureAwait(false);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Window(string key, int limit, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
