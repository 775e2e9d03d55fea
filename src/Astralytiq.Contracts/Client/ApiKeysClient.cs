using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>API keys of the signed-in user.</summary>
public sealed class ApiKeysClient
{
    private readonly AstralytiqClient _client;

    internal ApiKeysClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<CreatedApiKeyResponse>> CreateAsync(CreateApiKeyRequest request, CancellationToken ct = default) =>
        _client.SendAsync<CreatedApiKeyResponse>(HttpMethod.Post, "api/v1/users/api-keys", request, ct);

    public Task<ApiResponse<IReadOnlyList<ApiKeyResponse>>> ListAsync(CancellationToken ct = default) =>
        _client.SendAsync<IReadOnlyList<ApiKeyResponse>>(HttpMethod.Get, "api/v1/users/api-keys", null, ct);

    public Task<ApiResponse<object>> RevokeAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<object>(HttpMethod.Delete, $"api/v1/users/api-keys/{id}", null, ct);
}
