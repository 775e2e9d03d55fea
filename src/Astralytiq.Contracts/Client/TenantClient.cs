using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>The organisation: its settings and its usage against the plan.</summary>
public sealed class TenantClient
{
    private readonly AstralytiqClient _client;

    internal TenantClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<TenantResponse>> GetAsync(CancellationToken ct = default) =>
        _client.SendAsync<TenantResponse>(HttpMethod.Get, "api/v1/tenants/current", null, ct);

    public Task<ApiResponse<TenantResponse>> UpdateAsync(UpdateTenantRequest request, CancellationToken ct = default) =>
        _client.SendAsync<TenantResponse>(HttpMethod.Put, "api/v1/tenants/current", request, ct);

    public Task<ApiResponse<Astralytiq.Contracts.Usage.UsageResponse>> GetUsageAsync(CancellationToken ct = default) =>
        _client.SendAsync<Astralytiq.Contracts.Usage.UsageResponse>(HttpMethod.Get, "api/v1/usage", null, ct);
}
