namespace Astralytiq.Contracts.Client;

/// <summary>The organisation's people (admins): list, roles, deactivation, invitations.</summary>
public sealed class UsersClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<UserResponse>> ResetMfaAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/mfa/reset", null, ct);

    public Task<ApiResponse<Page<UserResponse>>> ListAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<UserResponse>>(HttpMethod.Get, $"api/v1/users/?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<UserResponse>> GetAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Get, $"api/v1/users/{id}", null, ct);

    public Task<ApiResponse<UserResponse>> ChangeRoleAsync(Guid id, Role role, CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Put, $"api/v1/users/{id}/role", new ChangeRoleRequest(role), ct);

    public Task<ApiResponse<UserResponse>> DeactivateAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/deactivate", null, ct);

    public Task<ApiResponse<UserResponse>> ReactivateAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/reactivate", null, ct);

    public Task<ApiResponse<InvitationResponse>> InviteAsync(InviteUserRequest request, CancellationToken ct = default) =>
        Api.SendAsync<InvitationResponse>(HttpMethod.Post, "api/v1/users/invitations", request, ct);

    public Task<ApiResponse<IReadOnlyList<InvitationResponse>>> ListInvitationsAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<InvitationResponse>>(HttpMethod.Get, "api/v1/users/invitations", null, ct);

    public Task<ApiResponse<object>> RevokeInvitationAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/users/invitations/{id}", null, ct);

    public Task<ApiResponse<InvitationLookupResponse>> LookupInvitationAsync(string token, CancellationToken ct = default) =>
        Api.SendAsync<InvitationLookupResponse>(HttpMethod.Get, $"api/v1/users/invitations/lookup?token={Uri.EscapeDataString(token)}", null, ct, allowRefresh: false);
}
