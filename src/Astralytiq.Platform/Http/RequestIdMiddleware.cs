namespace Astralytiq.Platform.Http;

/// <summary>Gives every request an id (a well-formed incoming X-Request-Id is kept), echoed in the response header and every error.</summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        context.TraceIdentifier = IsWellFormed(incoming) ? incoming : NewId();
        context.Response.Headers[Header] = context.TraceIdentifier;
        return next(context);
    }

    public static string NewId() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    internal static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
