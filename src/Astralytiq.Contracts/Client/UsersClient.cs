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

/// <summary>The organisation's people (admins): list, roles, deactivation, invitations.</summary>
public sealed class UsersClient
{
    private readonly AstralytiqClient _client;

    internal UsersClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<UserResponse>> ResetMfaAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/mfa/reset", null, ct);

    public Task<ApiResponse<Page<UserResponse>>> ListAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        _client.SendAsync<Page<UserResponse>>(HttpMethod.Get, $"api/v1/users/?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<UserResponse>> GetAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<UserResponse>(HttpMethod.Get, $"api/v1/users/{id}", null, ct);

    public Task<ApiResponse<UserResponse>> ChangeRoleAsync(Guid id, Role role, CancellationToken ct = default) =>
        _client.SendAsync<UserResponse>(HttpMethod.Put, $"api/v1/users/{id}/role", new ChangeRoleRequest(role), ct);

    public Task<ApiResponse<UserResponse>> DeactivateAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/deactivate", null, ct);

    public Task<ApiResponse<UserResponse>> ReactivateAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/reactivate", null, ct);

    public Task<ApiResponse<InvitationResponse>> InviteAsync(InviteUserRequest request, CancellationToken ct = default) =>
        _client.SendAsync<InvitationResponse>(HttpMethod.Post, "api/v1/users/invitations", request, ct);

    public Task<ApiResponse<IReadOnlyList<InvitationResponse>>> ListInvitationsAsync(CancellationToken ct = default) =>
        _client.SendAsync<IReadOnlyList<InvitationResponse>>(HttpMethod.Get, "api/v1/users/invitations", null, ct);

    public Task<ApiResponse<object>> RevokeInvitationAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<object>(HttpMethod.Delete, $"api/v1/users/invitations/{id}", null, ct);

    public Task<ApiResponse<InvitationLookupResponse>> LookupInvitationAsync(string token, CancellationToken ct = default) =>
        _client.SendAsync<InvitationLookupResponse>(HttpMethod.Get, $"api/v1/users/invitations/lookup?token={Uri.EscapeDataString(token)}", null, ct, allowRefresh: false);
}
