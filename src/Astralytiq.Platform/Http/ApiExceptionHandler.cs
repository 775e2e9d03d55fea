using Microsoft.AspNetCore.Diagnostics;

namespace Astralytiq.Platform.Http;

/// <summary>
/// The one handler for exceptions. Malformed requests (bad JSON, bad route/query values, bodies over
/// the limit) are the client's fault and get 400/413; anything else is unexpected: a 500 envelope with
/// the request id and no internals, and the details in the log.
/// </summary>
internal sealed partial class ApiExceptionHandler(IEnumerable<IExceptionClassifier> classifiers, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                await ErrorWriter.WriteAsync(httpContext, 413, ErrorCodes.PayloadTooLarge, TooLarge(httpContext)).ConfigureAwait(false);
                return true;
            case BadHttpRequestException { InnerException: JsonException json } when TooDeep(json):
            case JsonException deep when TooDeep(deep):
                await ErrorWriter.WriteAsync(httpContext, 422, ErrorCodes.Validation, "The provided data is invalid",
                    [new ErrorDetail("body", $"the JSON is nested more than {Contracts.ApiJson.MaxDepth} levels deep")]).ConfigureAwait(false);
                return true;
            case BadHttpRequestException bad:
                await ErrorWriter.WriteAsync(httpContext, 400, ErrorCodes.BadRequest, Describe(bad)).ConfigureAwait(false);
                return true;
            case JsonException:
                await ErrorWriter.WriteAsync(httpContext, 400, ErrorCodes.BadRequest, "The request body is not valid JSON").ConfigureAwait(false);
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                LogAborted(logger, httpContext.TraceIdentifier);
                httpContext.Response.StatusCode = 499;
                return true;
            case var _ when classifiers.Select(c => c.Classify(exception)).FirstOrDefault(e => e is not null) is { } known:
                LogClassified(logger, exception, httpContext.TraceIdentifier, known.Code);
                await new ApiError(known).ExecuteAsync(httpContext).ConfigureAwait(false);
                return true;
            default:
                LogUnhandled(logger, exception, httpContext.TraceIdentifier, httpContext.Request.Method, httpContext.Request.Path);
                await ErrorWriter.WriteAsync(httpContext, 500, ErrorCodes.Internal,
                    "An unexpected error occurred; quote the request id when reporting it").ConfigureAwait(false);
                return true;
        }
    }

    /// <summary>The 413 message, naming the limit of the endpoint the request was for.</summary>
    internal static string TooLarge(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max
            ? $"The request body is larger than the {Size(max)} this endpoint accepts"
            : "The request body is larger than allowed";

    private static string Size(long bytes) => bytes >= 1 << 20
        ? (bytes / (double)(1 << 20)).ToString("#,0.#", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("#,0.#", CultureInfo.InvariantCulture) + " KiB";

    /// <summary>System.Text.Json says so only in its message: the reader's and the serializer's wordings.</summary>
    private static bool TooDeep(JsonException exception) =>
        exception.Message.Contains("maximum configured depth", StringComparison.Ordinal)
        || exception.Message.Contains("larger than the maximum allowed depth", StringComparison.Ordinal);

    /// <summary>What went wrong in people's words: the framework's own wording (type names, "implicit body") never reaches a user.</summary>
    private static string Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException)
        {
            return "The request body is not valid JSON";
        }
        if (bad.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            return "Expected a JSON body with Content-Type: application/json";
        }
        if (bad.Message.Contains("no body was provided", StringComparison.Ordinal) || bad.Message.Contains("was not provided from body", StringComparison.Ordinal))
        {
            return "This request needs a JSON body";
        }
        if (BindFailure().Match(bad.Message) is { Success: true } failed)
        {
            return $"'{failed.Groups["value"].Value}' is not a valid {ApiName(failed.Groups["name"].Value)}";
        }
        if (MissingParameter().Match(bad.Message) is { Success: true } missing)
        {
            return $"{ApiName(missing.Groups["name"].Value)} is required";
        }
        return "The request is malformed";
    }

    /// <summary>A parameter as the API spells it (snake_case, as in the query string and the JSON), not as the C# code does.</summary>
    private static string ApiName(string parameter) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter);

    // Failed to bind parameter "Guid id" from "abc".
    [System.Text.RegularExpressions.GeneratedRegex("""^Failed to bind parameter "[^"]*?(?<name>\w+)" from "(?<value>.{0,100})[^"]*"\.""")]
    private static partial System.Text.RegularExpressions.Regex BindFailure();

    // Required parameter "string name" was not provided from query string.
    [System.Text.RegularExpressions.GeneratedRegex("""^Required parameter "[^"]*?(?<name>\w+)" was not provided""")]
    private static partial System.Text.RegularExpressions.Regex MissingParameter();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for request {RequestId} {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string requestId, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} failed with {Code}")]
    private static partial void LogClassified(ILogger logger, Exception exception, string requestId, string code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {RequestId} aborted by the client")]
    private static partial void LogAborted(ILogger logger, string requestId);
}
