namespace Astralytiq.Platform.Auditing;

public enum AuditOutcome
{
    Success,
    Failure,
    Denied,
}

/// <summary>
/// One audited action. Actor, tenant, IP, user agent, request id and time are filled from the current
/// request and tenant context unless given.
/// </summary>
public sealed record AuditRecord(
    string Action,
    AuditOutcome Outcome,
    string? ResourceType = null,
    string? ResourceId = null,
    IReadOnlyDictionary<string, string>? Details = null)
{
    public Guid? TenantId { get; init; }

    public Guid? ActorId { get; init; }

    public string? ActorEmail { get; init; }
}

/// <summary>The append-only, hash-chained audit log. Implemented by the Audit module.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken);
}

/// <summary>Endpoint metadata: the endpoint writes its own, richer audit records; the generic request audit skips it.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = false)]
public sealed class AuditedExplicitlyAttribute : Attribute;

/// <summary>
/// Endpoint metadata: a POST that changes nothing (a prediction, a query), so the generic request audit, which treats
/// every POST as a change, skips it. <see cref="Why"/> says where such requests are recorded instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = false)]
public sealed class NotAChangeAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}

/// <summary>Endpoint metadata naming the audited action and resource type of a mutating endpoint.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = false)]
public sealed class AuditedAttribute(string action, string? resourceType = null) : Attribute
{
    public string Action { get; } = action;

    public string? ResourceType { get; } = resourceType;
}

public static class AuditEndpointExtensions
{
    public static TBuilder AuditedExplicitly<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AuditedExplicitlyAttribute());

    public static TBuilder Audit<TBuilder>(this TBuilder builder, string action, string? resourceType = null)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AuditedAttribute(action, resourceType));
}
