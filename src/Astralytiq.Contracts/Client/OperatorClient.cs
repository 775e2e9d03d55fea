using Astralytiq.Contracts.Operations;

namespace Astralytiq.Contracts.Client;

/// <summary>The platform operator's view of organisations.</summary>
public sealed class OperatorClient(AstralytiqClient client) : AreaClient(client)
{
    /// <summary>The operator's own alert rules, over metrics of the whole platform.</summary>
    public AlertsClient Alerts { get; } = new(client, "api/v1/operator/alerts");

    /// <summary>Plans, subscriptions, trials, credits and invoices of every organisation.</summary>
    public OperatorBillingClient Billing { get; } = new(client);

    /// <summary>This node's API traffic minute by minute, job queue figures and the latest server errors with their trace ids.</summary>
    public Task<ApiResponse<OperatorMetricsDto>> MetricsAsync(int minutes = 60, CancellationToken ct = default) =>
        Api.SendAsync<OperatorMetricsDto>(HttpMethod.Get, $"api/v1/operator/metrics?minutes={minutes}", null, ct);

    public Task<ApiResponse<Page<OperatorTenantResponse>>> ListTenantsAsync(string? search = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<OperatorTenantResponse>>(HttpMethod.Get,
            $"api/v1/operator/tenants?offset={offset}&limit={limit}" + (string.IsNullOrEmpty(search) ? string.Empty : "&search=" + Uri.EscapeDataString(search)), null, ct);

    public Task<ApiResponse<OperatorTenantResponse>> GetTenantAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<OperatorTenantResponse>(HttpMethod.Get, $"api/v1/operator/tenants/{id}", null, ct);

    public Task<ApiResponse<OperatorTenantResponse>> SuspendTenantAsync(Guid id, SuspendTenantRequest request, CancellationToken ct = default) =>
        Api.SendAsync<OperatorTenantResponse>(HttpMethod.Post, $"api/v1/operator/tenants/{id}/suspend", request, ct);

    public Task<ApiResponse<OperatorTenantResponse>> ReactivateTenantAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<OperatorTenantResponse>(HttpMethod.Post, $"api/v1/operator/tenants/{id}/reactivate", null, ct);

    public Task<ApiResponse<OperatorTenantResponse>> ChangeTenantPlanAsync(Guid id, ChangeTenantPlanRequest request, CancellationToken ct = default) =>
        Api.SendAsync<OperatorTenantResponse>(HttpMethod.Put, $"api/v1/operator/tenants/{id}/plan", request, ct);

    /// <summary>One tenant's use of its plan, and with <paramref name="groupBy"/> its metered use this month (meter, day or user).</summary>
    public Task<ApiResponse<Astralytiq.Contracts.Usage.UsageResponse>> GetTenantUsageAsync(Guid id, string? groupBy = null, CancellationToken ct = default) =>
        Api.SendAsync<Astralytiq.Contracts.Usage.UsageResponse>(HttpMethod.Get, $"api/v1/operator/tenants/{id}/usage" + (groupBy is null ? string.Empty : "?group_by=" + Uri.EscapeDataString(groupBy)), null, ct);

    public Task<ApiResponse<IReadOnlyList<PlanResponse>>> ListPlansAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<PlanResponse>>(HttpMethod.Get, "api/v1/operator/plans", null, ct);
}
