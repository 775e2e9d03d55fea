using System.Reflection;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Errors;
using Astralytiq.Platform.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

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

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(422, typeof(ErrorEnvelope), ["application/json"]));
    }
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
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ErrorEnvelope), ["application/json"]));
        }
        return builder;
    }
}
