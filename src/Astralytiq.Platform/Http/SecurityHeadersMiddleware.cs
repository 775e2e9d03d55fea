using Microsoft.AspNetCore.Http;

namespace Astralytiq.Platform.Http;

/// <summary>Security headers on every response; a CSP strict enough for the Blazor WebAssembly client.</summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
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
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs")
            ? DocsContentSecurityPolicy
            : ContentSecurityPolicy;
        return next(context);
    }
}
