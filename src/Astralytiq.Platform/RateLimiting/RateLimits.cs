using System.Threading.RateLimiting;

namespace Astralytiq.Platform.RateLimiting;

/// <summary>
/// Requests per window (<c>Astralytiq:RateLimits</c>). An organisation's share is sized by its plan when the plan sets
/// <c>api_calls_per_minute</c> (<c>Astralytiq:Plans:{plan}:api_calls_per_minute</c>); <see cref="PerTenant"/> otherwise.
/// </summary>
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
                    if (tenant is null)
                    {
                        return RateLimitPartition.GetNoLimiter("anonymous");
                    }
                    // The plan's rate, scaled to the window; a plan change makes a new partition at the new size.
                    var limit = ctx.Items[PlanRateMiddleware.ItemKey] is long perMinute
                        ? (int)Math.Clamp(Math.Ceiling(perMinute * settings.WindowSeconds / 60.0), 1, int.MaxValue)
                        : settings.PerTenant;
                    return Window("tenant:" + tenant + ":" + limit.ToString(CultureInfo.InvariantCulture), limit, window);
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
                var planned = context.HttpContext.Items[PlanRateMiddleware.ItemKey] is long perMinute
                    ? $" (the plan allows {perMinute.ToString("N0", CultureInfo.InvariantCulture)} requests a minute for the organisation)"
                    : string.Empty;
                await ErrorWriter.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                    $"Too many requests; retry after {seconds} s{planned}",
                    [new ErrorDetail("retry_after", $"{seconds.ToString(CultureInfo.InvariantCulture)} s, resets {context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}")]).ConfigureAwait(false);
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

/// <summary>Looks up the organisation's plan rate (<c>api_calls_per_minute</c>) for the rate limiter, from the plan cache.</summary>
internal sealed class PlanRateMiddleware(RequestDelegate next, Quotas.PlanSettings plans, Microsoft.Extensions.Caching.Memory.IMemoryCache cache)
{
    public const string ItemKey = "astralytiq.plan_rate";

    public async Task InvokeAsync(HttpContext context)
    {
        if (Guid.TryParse(context.User.FindFirst("tenant_id")?.Value, out var tenantId) && tenantId != Guid.Empty)
        {
            var plan = await Quotas.PlanCache.PlanAsync(cache, context.RequestServices, tenantId, context.RequestAborted).ConfigureAwait(false);
            if (plans.Limit(plan, Quotas.QuotaMetrics.ApiCallsPerMinute) is { } perMinute)
            {
                context.Items[ItemKey] = perMinute;
            }
        }
        await next(context).ConfigureAwait(false);
    }
}
