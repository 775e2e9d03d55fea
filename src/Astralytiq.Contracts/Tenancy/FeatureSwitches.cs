namespace Astralytiq.Contracts.Tenancy;

/// <summary>The organisation's feature switches as people read them (the keys are the API's <c>features</c> names).</summary>
public static class FeatureSwitches
{
    /// <summary>Every feature a plan can include (the platform's <c>TenantFeatures.All</c>).</summary>
    public static readonly IReadOnlyList<string> All = ["api_keys", "public_sharing", "realtime_dashboards", "scheduled_reports", "ml_training", "sql_workspace", "forecasting", "webhooks"];

    public static string Title(string feature) => feature switch
    {
        "api_keys" => "API keys",
        "public_sharing" => "Public sharing and embedding",
        "realtime_dashboards" => "Live dashboard updates",
        "scheduled_reports" => "Scheduled reports",
        "ml_training" => "Model training",
        "sql_workspace" => "SQL workspace",
        "forecasting" => "Forecasting",
        "webhooks" => "Webhooks",
        _ => feature.Replace('_', ' '),
    };

    public static string Description(string feature) => feature switch
    {
        "api_keys" => "Members may create API keys, and existing keys work",
        "public_sharing" => "Dashboards may be opened by public link or embedded in other sites",
        "realtime_dashboards" => "Open dashboards update as their data changes",
        "scheduled_reports" => "Reports are made, sent now and sent on their schedule",
        "ml_training" => "Models may be trained and retrained",
        "sql_workspace" => "Datasets may be queried with SQL",
        "forecasting" => "Forecast models may be read ahead",
        "webhooks" => "Events may be posted to the organisation's webhook endpoints",
        _ => string.Empty,
    };
}
