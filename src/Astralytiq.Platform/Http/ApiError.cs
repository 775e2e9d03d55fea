using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Astralytiq.Platform.Http;

/// <summary>The typed result for every expected failure: the error envelope with the error's status.</summary>
public sealed class ApiError(Error error) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public Error Error { get; } = error;

    public int? StatusCode => Error.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (Error is UnavailableError unavailable)
        {
            httpContext.Response.Headers.RetryAfter = unavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return ErrorWriter.WriteAsync(httpContext, Error.StatusCode, Error.Code, Error.Message, Error.Details);
    }

    /// <summary>Documents the envelope for 422 and for every status the handler's <see cref="ErrorsAttribute"/> names.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(ErrorResponse(422));
        foreach (var status in method.GetCustomAttribute<ErrorsAttribute>()?.Statuses ?? [])
        {
            builder.Metadata.Add(ErrorResponse(status));
        }
    }

    internal static ProducesResponseTypeMetadata ErrorResponse(int status) => new(status, typeof(ErrorEnvelope), ["application/json"]);
}

/// <summary>
/// The error statuses a handler can answer with besides 422 (<c>[Errors(404, 409)]</c>); each is documented with the error
/// envelope. Read by <see cref="ApiError"/>, so it belongs on handlers whose results include <see cref="ApiError"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ErrorsAttribute(params int[] statuses) : Attribute
{
    public IReadOnlyList<int> Statuses { get; } = statuses;
}

/// <summary>Writes the error envelope; the one place that knows its shape.</summary>
public static class ErrorWriter
{
    public static ErrorEnvelope Create(HttpContext httpContext, string code, string message, IReadOnlyList<ErrorDetail>? details)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var time = httpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return new ErrorEnvelope(new ErrorBody(code, message, details is { Count: > 0 } ? details : null,
            httpContext.TraceIdentifier, time.GetUtcNow()));
    }

    public static async Task WriteAsync(HttpContext httpContext, int status, string code, string message, IReadOnlyList<ErrorDetail>? details = null)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (httpContext.Response.HasStarted)
        {
            return;
        }
        httpContext.Response.StatusCode = status;
        httpContext.Response.Headers.CacheControl = "no-store";
        await httpContext.Response.WriteAsJsonAsync(Create(httpContext, code, message, details), ApiJson.Options,
            contentType: "application/json; charset=utf-8", cancellationToken: httpContext.RequestAborted).ConfigureAwait(false);
    }
}

public static class ResultHttpExtensions
{
    public static Results<Ok<T>, ApiError> ToOk<T>(this Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : new ApiError(result.Error!);

    public static Results<Created<T>, ApiError> ToCreated<T>(this Result<T> result, Func<T, string> location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return result.IsSuccess ? TypedResults.Created(location(result.Value), result.Value) : new ApiError(result.Error!);
    }

    public static Results<NoContent, ApiError> ToNoContent(this Result<Unit> result) =>
        result.IsSuccess ? TypedResults.NoContent() : new ApiError(result.Error!);

    /// <summary>Documents error responses (the envelope) for the given statuses.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(ApiError.ErrorResponse(status));
        }
        return builder;
    }
}
