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
                await ErrorWriter.WriteAsync(httpContext, 413, ErrorCodes.PayloadTooLarge, "The request body is larger than allowed").ConfigureAwait(false);
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

    /// <summary>System.Text.Json says so only in its message: the reader's and the serializer's wordings.</summary>
    private static bool TooDeep(JsonException exception) =>
        exception.Message.Contains("maximum configured depth", StringComparison.Ordinal)
        || exception.Message.Contains("larger than the maximum allowed depth", StringComparison.Ordinal);

    private static string Describe(BadHttpRequestException bad) =>
        bad.InnerException is JsonException
            ? "The request body is not valid JSON"
            : bad.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase)
                ? "Expected a JSON body with Content-Type: application/json"
                : "The request is malformed: " + bad.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for request {RequestId} {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string requestId, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} failed with {Code}")]
    private static partial void LogClassified(ILogger logger, Exception exception, string requestId, string code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {RequestId} aborted by the client")]
    private static partial void LogAborted(ILogger logger, string requestId);
}
