using Astralytiq.Identity.ApiKeys;
using Astralytiq.Identity.Invitations;
using Astralytiq.Identity.Login;
using Astralytiq.Identity.Passwords;
using Astralytiq.Identity.Registration;
using Astralytiq.Identity.Sessions;
using Astralytiq.Identity.Tokens;
using Astralytiq.Identity.Users;
using Astralytiq.Platform.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

using Astralytiq.Identity.Mfa;

namespace Astralytiq.Identity;

/// <summary>The HTTP edge of Identity: thin, named, typed. Rules live in the handlers.</summary>
internal static class IdentityEndpoints
{
    public static async Task<Results<Created<AuthResponse>, ApiError>> Register(RegisterRequest request, RegisterHandler handler, CancellationToken ct) =>
        (await handler.HandleAsync(request, ct)).ToCreated(_ => ApiRoutes.V1 + "/users/profile");

    public static async Task<Results<Ok<AuthResponse>, ApiError>> Login(LoginRequest request, LoginHandler handler, CancellationToken ct) =>
        (await handler.HandleAsync(request, ct)).ToOk();

    public static async Task<Results<Ok<AuthResponse>, ApiError>> Refresh(RefreshRequest request, RefreshHandler handler, CancellationToken ct) =>
        (await handler.HandleAsync(request, ct)).ToOk();

    public static async Task<NoContent> Logout(ITenantContext tenant, SessionIssuer sessions, IAuditLog audit, CancellationToken ct)
    {
        if (tenant.SessionId is { } sid)
        {
            await sessions.RevokeSessionAsync(tenant.UserId!.Value, sid, "logout", ct);
        }
        await audit.RecordAsync(new AuditRecord("user.logout", AuditOutcome.Success, "session", tenant.SessionId?.ToString()), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<UserResponse>, ApiError>> GetProfile(UserHandlers handler, CancellationToken ct) =>
        (await handler.GetProfileAsync(ct)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ApiError>> UpdateProfile(UpdateProfileRequest request, UserHandlers handler, CancellationToken ct) =>
        (await handler.UpdateProfileAsync(request, ct)).ToOk();

    public static async Task<Results<Ok<TotpSetupResponse>, ApiError>> SetupTotp(TotpSetupRequest request, MfaHandlers handler, CancellationToken ct) =>
        (await handler.SetupAsync(request, ct)).ToOk();

    public static async Task<Results<Ok<RecoveryCodesResponse>, ApiError>> ConfirmTotp(TotpConfirmRequest request, MfaHandlers handler, CancellationToken ct) =>
        (await handler.ConfirmAsync(request, ct)).ToOk();

    public static async Task<Results<NoContent, ApiError>> DisableTotp(TotpDisableRequest request, MfaHandlers handler, CancellationToken ct) =>
        (await handler.DisableAsync(request, ct)).ToNoContent();

    public static async Task<Results<Ok<UserResponse>, ApiError>> ResetMfa(Guid id, MfaHandlers handler, CancellationToken ct) =>
        (await handler.ResetAsync(id, ct)).ToOk();

    public static async Task<Results<NoContent, ApiError>> ChangePassword(ChangePasswordRequest request, PasswordHandlers handler, CancellationToken ct) =>
        (await handler.ChangeAsync(request, ct)).ToNoContent();

    public static async Task<Results<Accepted<AcceptedResponse>, ApiError>> RequestPasswordReset(PasswordResetRequest request, PasswordHandlers handler, CancellationToken ct)
    {
        var result = await handler.RequestResetAsync(request, ct);
        return result.IsSuccess ? TypedResults.Accepted((string?)null, result.Value) : new ApiError(result.Error!);
    }

    public static async Task<Results<NoContent, ApiError>> ConfirmPasswordReset(PasswordResetConfirmRequest request, PasswordHandlers handler, CancellationToken ct) =>
        (await handler.ConfirmResetAsync(request, ct)).ToNoContent();

    public static async Task<Results<Ok<Page<UserResponse>>, ApiError>> ListUsers(int? offset, int? limit, UserHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(offset, limit, ct)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ApiError>> GetUser(Guid id, UserHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ApiError>> ChangeRole(Guid id, ChangeRoleRequest request, UserHandlers handler, CancellationToken ct) =>
        (await handler.ChangeRoleAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ApiError>> Deactivate(Guid id, UserHandlers handler, CancellationToken ct) =>
        (await handler.SetActiveAsync(id, active: false, ct)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ApiError>> Reactivate(Guid id, UserHandlers handler, CancellationToken ct) =>
        (await handler.SetActiveAsync(id, active: true, ct)).ToOk();

    public static async Task<Results<Created<InvitationResponse>, ApiError>> Invite(InviteUserRequest request, InvitationHandlers handler, CancellationToken ct) =>
        (await handler.InviteAsync(request, ct)).ToCreated(i => $"{ApiRoutes.V1}/users/invitations/{i.Id}");

    public static async Task<Results<Ok<IReadOnlyList<InvitationResponse>>, ApiError>> ListInvitations(InvitationHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(ct)).ToOk();

    public static async Task<Results<NoContent, ApiError>> RevokeInvitation(Guid id, InvitationHandlers handler, CancellationToken ct) =>
        (await handler.RevokeAsync(id, ct)).ToNoContent();

    public static async Task<Results<Ok<InvitationLookupResponse>, ApiError>> LookupInvitation(string? token, InvitationHandlers handler, CancellationToken ct) =>
        (await handler.LookupAsync(token, ct)).ToOk();

    public static async Task<Results<Created<CreatedApiKeyResponse>, ApiError>> CreateApiKey(CreateApiKeyRequest request, ApiKeyHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(k => $"{ApiRoutes.V1}/users/api-keys/{k.ApiKey.Id}");

    public static async Task<Results<Ok<IReadOnlyList<ApiKeyResponse>>, ApiError>> ListApiKeys(ApiKeyHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(ct)).ToOk();

    public static async Task<Results<NoContent, ApiError>> RevokeApiKey(Guid id, ApiKeyHandlers handler, CancellationToken ct) =>
        (await handler.RevokeAsync(id, ct)).ToNoContent();

    public static Ok<JsonWebKeySet> GetJwks(KeyRing keyRing, HttpContext http)
    {
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(Jwks.Document(keyRing));
    }
}
