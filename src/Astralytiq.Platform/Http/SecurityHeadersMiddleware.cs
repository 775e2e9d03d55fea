namespace Astralytiq.Platform.Http;

/// <summary>Security headers on every response; a CSP strict enough for the Blazor WebAssembly client.</summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IConfiguration configuration)
{
    /// <summary>
    /// Embedded dashboards (<c>/embed/…</c>) are meant to be framed by the tenant's own site: which origins may frame them is
    /// <c>Astralytiq:Embedding:FrameAncestors</c> (a CSP source list; any, by default — the signed token guards the data).
    /// </summary>
    private readonly string _embedPolicy = ContentSecurityPolicy.Replace("frame-ancestors 'none'",
        "frame-ancestors " + (configuration["Astralytiq:Embedding:FrameAncestors"] is { Length: > 0 } ancestors ? ancestors : "*"), StringComparison.Ordinal);

    // 'wasm-unsafe-eval' is what Blazor WebAssembly needs to compile its runtime; no 'unsafe-eval'.
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: https:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " +
        "base-uri 'self'; form-action 'self'; object-src 'none'";

    // The API reference page at /docs loads its own inline script.
    internal const string DocsContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        var embedded = context.Request.Path.StartsWithSegments("/embed");
        if (!embedded)
        {
            headers.XFrameOptions = "DENY";
        }
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs")
            ? DocsContentSecurityPolicy
            : embedded ? _embedPolicy : ContentSecurityPolicy;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            // API answers carry tokens (sign-in, refresh, API keys, public links) and tenant data: no cache keeps
            // them unless an endpoint says otherwise.
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                if (string.IsNullOrEmpty(response.Headers.CacheControl))
                {
                    response.Headers.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            }, context.Response);
        }
        return next(context);
    }
}
