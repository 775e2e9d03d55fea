namespace Astralytiq.Contracts.Client;

/// <summary>The signed-in user's own account: profile, password, two-step sign-in.</summary>
public sealed class AccountClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<UserResponse>> GetProfileAsync(CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Get, "api/v1/users/profile", null, ct);

    public Task<ApiResponse<UserResponse>> UpdateProfileAsync(UpdateProfileRequest request, CancellationToken ct = default) =>
        Api.SendAsync<UserResponse>(HttpMethod.Put, "api/v1/users/profile", request, ct);

    public Task<ApiResponse<object>> ChangePasswordAsync(ChangePasswordRequest request, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Post, "api/v1/users/password", request, ct);

    public Task<ApiResponse<AcceptedResponse>> RequestPasswordResetAsync(PasswordResetRequest request, CancellationToken ct = default) =>
        Api.SendAsync<AcceptedResponse>(HttpMethod.Post, "api/v1/users/password-reset", request, ct, allowRefresh: false);

    public Task<ApiResponse<object>> ConfirmPasswordResetAsync(PasswordResetConfirmRequest request, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Post, "api/v1/users/password-reset/confirm", request, ct, allowRefresh: false);

    public Task<ApiResponse<TotpSetupResponse>> SetupTotpAsync(TotpSetupRequest request, CancellationToken ct = default) =>
        Api.SendAsync<TotpSetupResponse>(HttpMethod.Post, "api/v1/users/mfa/totp/setup", request, ct);

    public Task<ApiResponse<RecoveryCodesResponse>> ConfirmTotpAsync(TotpConfirmRequest request, CancellationToken ct = default) =>
        Api.SendAsync<RecoveryCodesResponse>(HttpMethod.Post, "api/v1/users/mfa/totp/confirm", request, ct);

    public Task<ApiResponse<object>> DisableTotpAsync(TotpDisableRequest request, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Post, "api/v1/users/mfa/totp/disable", request, ct);
}
