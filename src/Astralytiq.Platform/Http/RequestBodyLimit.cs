namespace Astralytiq.Platform.Http;

/// <summary>An endpoint that takes larger bodies than the API default (uploads).</summary>
public sealed record RequestBodyLimitMetadata(long Bytes);

public static class RequestBodyLimitConventions
{
    /// <summary>
    /// Raises the body limit for this endpoint. It is applied right after routing, before anything reads
    /// the body (the idempotency middleware fingerprints bodies of keyed requests).
    /// </summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimitMetadata(bytes));
}
