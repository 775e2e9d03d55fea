namespace Astralytiq.Platform.Auditing;

/// <summary>Records every mutating API request of an authenticated caller, with its outcome, unless the endpoint audits itself.</summary>
internal sealed class RequestAuditMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, ITenantContext tenant)
    {
        await next(context).ConfigureAwait(false);
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method)
            || !context.Request.Path.StartsWithSegments("/api") || tenant.UserId is null)
        {
            return;
        }
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<AuditedExplicitlyAttribute>() is not null
            || (endpoint?.Metadata.GetMetadata<NotAChangeAttribute>() is not null && context.Response.StatusCode is not (401 or 403)))
        {
            return;
        }
        var meta = endpoint?.Metadata.GetMetadata<AuditedAttribute>();
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? string.Empty;
        var status = context.Response.StatusCode;
        var outcome = status switch
        {
            < 400 => AuditOutcome.Success,
            401 or 403 => AuditOutcome.Denied,
            _ => AuditOutcome.Failure,
        };
        var resourceId = context.GetRouteValue("id")?.ToString();
        // Resolved only here: reads never pay for building the audit module's DbContext.
        var audit = context.RequestServices.GetRequiredService<IAuditLog>();
        await audit.RecordAsync(
            new AuditRecord(meta?.Action ?? $"{context.Request.Method} {route}", outcome, meta?.ResourceType, resourceId,
                new Dictionary<string, string> { ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            CancellationToken.None).ConfigureAwait(false);
    }
}
