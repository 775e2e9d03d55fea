namespace Astralytiq.Platform.Tenancy;

/// <summary>
/// The switches an organisation's Admin sets under Organisation. Each gates its feature on the server: endpoints
/// marked with <see cref="TenantFeatureEndpointExtensions.RequireTenantFeature"/> answer 403 <c>FEATURE_DISABLED</c>,
/// and the features' other doors (public links, API key sign-in, live updates, the report schedule) check too.
/// </summary>
public static class TenantFeatures
{
    public const string ApiKeys = "api_keys";
    public const string PublicSharing = "public_sharing";
    public const string RealtimeDashboards = "realtime_dashboards";
    public const string ScheduledReports = "scheduled_reports";
    public const string MlTraining = "ml_training";

    /// <summary>The feature as the Organisation page names it.</summary>
    public static string Title(string feature) => Astralytiq.Contracts.Tenancy.FeatureSwitches.Title(feature);

    public static Error Disabled(string feature) =>
        new CodedError(403, ErrorCodes.FeatureDisabled, $"{Title(feature)} is turned off for this organisation; an Admin can turn it on under Organisation",
            [new ErrorDetail("feature", feature)]);
}

/// <summary>Whether a tenant has a feature on (the Tenancy module answers, from its settings; cached briefly).</summary>
public interface ITenantFeatureSwitches
{
    Task<bool> IsOnAsync(Guid tenantId, string feature, CancellationToken cancellationToken);
}

/// <summary>Endpoint metadata: the feature the endpoint belongs to.</summary>
public sealed record RequiresTenantFeatureMetadata(string Feature);

public static class TenantFeatureEndpointExtensions
{
    /// <summary>Refuses the endpoint with 403 FEATURE_DISABLED when the caller's organisation has turned <paramref name="feature"/> off.</summary>
    public static TBuilder RequireTenantFeature<TBuilder>(this TBuilder builder, string feature)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new RequiresTenantFeatureMetadata(feature));
}

/// <summary>Runs after authorization: the endpoint's feature, for the caller's tenant.</summary>
internal sealed class TenantFeatureMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, ITenantContext tenant, ITenantFeatureSwitches switches)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresTenantFeatureMetadata>() is { } required
            && tenant.TenantId is { } tenantId
            && !await switches.IsOnAsync(tenantId, required.Feature, context.RequestAborted).ConfigureAwait(false))
        {
            await new ApiError(TenantFeatures.Disabled(required.Feature)).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }
}
