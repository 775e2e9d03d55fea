using System.Diagnostics;

namespace Astralytiq.Platform.Telemetry;

/// <summary>
/// After authentication: puts the caller's tenant and user ids on the request's span and in the log scope of everything
/// the request logs, counts the request for its tenant, and logs a request slower than
/// <see cref="TelemetrySettings.SlowRequestMilliseconds"/> with its route, status and trace id.
/// </summary>
internal sealed partial class RequestTelemetryMiddleware(RequestDelegate next, TelemetrySettings settings, RequestStats stats, TimeProvider time, ILogger<RequestTelemetryMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, ITenantContext tenant)
    {
        var tenantId = tenant.TenantId;
        var userId = tenant.UserId;
        if (tenantId is not null && Activity.Current is { } activity)
        {
            activity.SetTag("astralytiq.tenant.id", tenantId.Value.ToString());
            if (userId is not null)
            {
                activity.SetTag("enduser.id", userId.Value.ToString());
            }
        }
        // The host's own scope names Kestrel's connection-based id; ours is the X-Request-Id the caller sees in every error.
        using var scope = logger.BeginScope(new CallerScope(context.TraceIdentifier, tenantId, userId));
        var started = time.GetTimestamp();
        var status = 500;
        var escaped = true;
        try
        {
            await next(context).ConfigureAwait(false);
            status = context.Response.StatusCode;
            escaped = false;
        }
        finally
        {
            var elapsed = time.GetElapsedTime(started);
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                if (tenantId is not null)
                {
                    PlatformMetrics.TenantRequests.Add(1,
                        new KeyValuePair<string, object?>("astralytiq.tenant.id", tenantId.Value.ToString()),
                        new KeyValuePair<string, object?>("http.response.status_class", PlatformMetrics.StatusClass(status)));
                }
                if (escaped)
                {
                    // The exception handler has yet to turn the exception into its answer (a 503 for a store that is down):
                    // the statistics take the status that was sent.
                    var traceId = Activity.Current?.TraceId.ToHexString();
                    context.Response.OnCompleted(() =>
                    {
                        RecordStats(context, tenantId, context.Response.StatusCode, elapsed.TotalMilliseconds, traceId);
                        return Task.CompletedTask;
                    });
                }
                else
                {
                    RecordStats(context, tenantId, status, elapsed.TotalMilliseconds, Activity.Current?.TraceId.ToHexString());
                }
            }
            if (settings.SlowRequestMilliseconds > 0 && elapsed.TotalMilliseconds >= settings.SlowRequestMilliseconds
                && !TelemetrySetup.IsQuiet(context.Request.Path, settings))
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.ToString();
                LogSlow(logger, context.Request.Method, route, status, Math.Round(elapsed.TotalMilliseconds));
            }
        }
    }

    private void RecordStats(HttpContext context, Guid? tenantId, int status, double milliseconds, string? traceId)
    {
        // The operator's own partition (Guid.Empty) counts for the platform, not as a tenant.
        stats.Record(tenantId == Guid.Empty ? null : tenantId, status, milliseconds);
        if (status >= 500)
        {
            stats.RecordError(context.Request.Method, (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.ToString(),
                status, context.TraceIdentifier, tenantId, traceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slow request: {Method} {Route} answered {Status} after {Milliseconds} ms")]
    private static partial void LogSlow(ILogger logger, string method, string route, int status, double milliseconds);

    /// <summary>The caller's ids as structured scope values (JSON logs show them as properties; text logs as one line).</summary>
    private sealed class CallerScope(string requestId, Guid? tenantId, Guid? userId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _values =
        [
            new("RequestId", requestId),
            new("TenantId", tenantId?.ToString()),
            new("UserId", userId?.ToString()),
        ];

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public int Count => _values.Length;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _values.GetEnumerator();

        public override string ToString() => $"RequestId:{requestId} TenantId:{tenantId} UserId:{userId}";
    }
}
