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
    public const string SqlWorkspace = "sql_workspace";
    public const string Forecasting = "forecasting";
    public const string Webhooks = "webhooks";

    /// <summary>Every feature a plan can include or leave out.</summary>
    public static readonly IReadOnlyList<string> All = Astralytiq.Contracts.Tenancy.FeatureSwitches.All;

    /// <summary>The feature as the Organisation page names it.</summary>
    public static string Title(string feature) => Astralytiq.Contracts.Tenancy.FeatureSwitches.Title(feature);

    public static Error Disabled(string feature) =>
        new CodedError(403, ErrorCodes.FeatureDisabled, $"{Title(feature)} is turned off for this organisation; an Admin can turn it on under Organisation",
            [new ErrorDetail("feature", feature)]);
}

/// <summary>
/// The feature is not in the organisation's plan: 403 <c>FEATURE_NOT_IN_PLAN</c> naming the feature, the plan and the
/// cheapest plan that has it.
/// </summary>
public static class PlanFeatureErrors
{
    public static Error NotInPlan(string feature, string plan, string? cheapest) =>
        new CodedError(403, ErrorCodes.FeatureNotInPlan,
            $"{TenantFeatures.Title(feature)} is not in the {plan} plan" + (cheapest is null ? "; no plan includes it" : $"; the {cheapest} plan includes it (the platform operator moves organisations between plans; Billing compares them)"),
            [new ErrorDetail("feature", feature), new ErrorDetail("plan", plan), .. cheapest is null ? Array.Empty<ErrorDetail>() : [new ErrorDetail("upgrade_to", cheapest)]]);
}

/// <summary>Whether the organisation's plan includes a feature, for doors other than an endpoint (a dashboard's SQL widget).</summary>
public interface IPlanFeatures
{
    /// <summary>The 403 <c>FEATURE_NOT_IN_PLAN</c> refusal when the tenant's plan lacks <paramref name="feature"/>; null when it has it.</summary>
    Task<Error?> RefusalAsync(Guid tenantId, string feature, CancellationToken cancellationToken);
}

internal sealed class PlanFeatures(Quotas.PlanSettings plans, Quotas.IPlanResolver resolver) : IPlanFeatures
{
    public async Task<Error?> RefusalAsync(Guid tenantId, string feature, CancellationToken cancellationToken)
    {
        var plan = await resolver.PlanAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return plans.Includes(plan, feature) ? null : PlanFeatureErrors.NotInPlan(feature, plan.Code, plans.CheapestWith(feature));
    }
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
    public async Task InvokeAsync(HttpContext context, ITenantContext tenant, ITenantFeatureSwitches switches, IPlanFeatures plans)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresTenantFeatureMetadata>() is { } required && tenant.TenantId is { } tenantId)
        {
            // The plan first (what the organisation pays for), then the Admin's own switch.
            if (await plans.RefusalAsync(tenantId, required.Feature, context.RequestAborted).ConfigureAwait(false) is { } refusal)
            {
                await new ApiError(refusal).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            if (!await switches.IsOnAsync(tenantId, required.Feature, context.RequestAborted).ConfigureAwait(false))
            {
                await new ApiError(TenantFeatures.Disabled(required.Feature)).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }
}
