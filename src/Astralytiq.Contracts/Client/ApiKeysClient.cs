namespace Astralytiq.Contracts.Client;

/// <summary>API keys of the signed-in user.</summary>
public sealed class ApiKeysClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<CreatedApiKeyResponse>> CreateAsync(CreateApiKeyRequest request, CancellationToken ct = default) =>
        Api.SendAsync<CreatedApiKeyResponse>(HttpMethod.Post, "api/v1/users/api-keys", request, ct);

    public Task<ApiResponse<IReadOnlyList<ApiKeyResponse>>> ListAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<ApiKeyResponse>>(HttpMethod.Get, "api/v1/users/api-keys", null, ct);

    public Task<ApiResponse<object>> RevokeAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/users/api-keys/{id}", null, ct);
}
