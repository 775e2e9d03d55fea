using Microsoft.OpenApi;

namespace Astralytiq.Platform.Http;

/// <summary>An endpoint announced for removal: since when, when it stops answering, and what replaces it.</summary>
public sealed record DeprecationMetadata(DateTimeOffset DeprecatedAt, DateTimeOffset? Sunset, string? Successor);

public static class DeprecationConventions
{
    /// <summary>
    /// Marks an endpoint deprecated. Its responses then carry <c>Deprecation</c> (RFC 9745),
    /// <c>Sunset</c> (RFC 8594) and a <c>Link</c> to the successor; the OpenAPI operation is marked
    /// deprecated; after the sunset it answers 410 Gone in the error envelope. v1 endpoints are never
    /// changed in place: a changed shape is a new version, and the old one is deprecated with this.
    /// </summary>
    public static TBuilder Deprecated<TBuilder>(this TBuilder builder, DateTimeOffset deprecatedAt, DateTimeOffset? sunset = null, string? successor = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (sunset is { } s && s < deprecatedAt)
        {
            throw new ArgumentException("The sunset cannot come before the deprecation", nameof(sunset));
        }
        return builder.WithMetadata(new DeprecationMetadata(deprecatedAt, sunset, successor));
    }

    internal static void Describe(OpenApiOperation operation, DeprecationMetadata deprecation)
    {
        operation.Deprecated = true;
        var note = $"Deprecated since {deprecation.DeprecatedAt:yyyy-MM-dd}"
            + (deprecation.Sunset is { } sunset ? $"; removed on {sunset:yyyy-MM-dd} (410 afterwards)" : string.Empty)
            + (deprecation.Successor is { } successor ? $"; use {successor} instead" : string.Empty) + ".";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? note : operation.Description + "\n\n" + note;
    }
}

/// <summary>Adds the deprecation headers to a deprecated endpoint's responses, and answers 410 after its sunset.</summary>
internal sealed class DeprecationMiddleware(RequestDelegate next, TimeProvider time)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DeprecationMetadata>() is not { } deprecation)
        {
            return next(context);
        }
        var headers = context.Response.Headers;
        headers["Deprecation"] = "@" + deprecation.DeprecatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (deprecation.Sunset is { } sunset)
        {
            headers["Sunset"] = sunset.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
        }
        if (deprecation.Successor is { } successor)
        {
            headers.Append("Link", $"<{successor}>; rel=\"successor-version\"");
        }
        if (deprecation.Sunset is { } end && time.GetUtcNow() >= end)
        {
            return ErrorWriter.WriteAsync(context, StatusCodes.Status410Gone, ErrorCodes.Gone,
                deprecation.Successor is { } replacement ? $"This endpoint was removed on {end:yyyy-MM-dd}; use {replacement}" : $"This endpoint was removed on {end:yyyy-MM-dd}");
        }
        return next(context);
    }
}
