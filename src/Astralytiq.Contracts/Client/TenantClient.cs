namespace Astralytiq.Contracts.Client;

/// <summary>The organisation: its settings and its usage against the plan.</summary>
public sealed class TenantClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<TenantResponse>> GetAsync(CancellationToken ct = default) =>
        Api.SendAsync<TenantResponse>(HttpMethod.Get, "api/v1/tenants/current", null, ct);

    public Task<ApiResponse<TenantResponse>> UpdateAsync(UpdateTenantRequest request, CancellationToken ct = default) =>
        Api.SendAsync<TenantResponse>(HttpMethod.Put, "api/v1/tenants/current", request, ct);

    /// <summary>The organisation's plan and every plan it could be on, with limits, features and prices.</summary>
    public Task<ApiResponse<TenantPlansResponse>> GetPlansAsync(CancellationToken ct = default) =>
        Api.SendAsync<TenantPlansResponse>(HttpMethod.Get, "api/v1/plans", null, ct);

    public Task<ApiResponse<Astralytiq.Contracts.Usage.UsageResponse>> GetUsageAsync(CancellationToken ct = default) =>
        Api.SendAsync<Astralytiq.Contracts.Usage.UsageResponse>(HttpMethod.Get, "api/v1/usage", null, ct);
}
