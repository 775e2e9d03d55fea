using Astralytiq.Identity.ApiKeys;
using Astralytiq.Identity.Invitations;
using Astralytiq.Identity.Login;
using Astralytiq.Identity.Registration;


namespace Astralytiq.Identity;

/// <summary>The HTTP edge of Identity: thin, named, typed. Rules live in the handlers.</summary>
internal static class IdentityEndpoints
{
    [AuditedExplicitly, Errors(400, 409, 413, 429), EndpointName("RegisterUser")]
    [EndpointSummary("Sign up: creates a tenant (organization_name) with you as Admin, or joins one with an invitation_token; returns tokens")]
    public static async Task<Results<Created<AuthResponse>, ApiError>> Register(RegisterRequest request, RegisterHandler handler, CancellationToken ct) =>
        (await handler.HandleAsync(request, ct)).ToCreated(_ => ApiRoutes.V1 + "/users/profile");

    [AuditedExplicitly, Errors(400, 401, 429), EndpointName("Login")]
    [EndpointSummary("Sign in with email and password; returns a short-lived access token and a rotating refresh token")]
    public static async Task<Results<Ok<AuthResponse>, ApiError>> Login(LoginRequest request, LoginHandler handler, CancellationToken ct) =>
        (await handler.HandleAsync(request, ct)).ToOk();

    [AuditedExplicitly, Errors(400, 401, 429), EndpointName("RefreshTokens")]
    [EndpointSummary("Exchange a refresh token for a new token pair; a reused refresh token ends its session")]
    public static async Task<Results<Ok<AuthResponse>, ApiError>> Refresh(RefreshRequest request, RefreshHandler handler, CancellationToken ct) =>
        (await handler.HandleAsync(request, ct)).ToOk();

    [RequiresPermission(Permission.ProfileSelf), AuditedExplicitly, EndpointName("Logout")]
    [EndpointSummary("End the current session: its access and refresh tokens stop working")]
    public static async Task<NoContent> Logout(ITenantContext tenant, SessionIssuer sessions, IAuditLog audit, CancellationToken ct)
    {
        if (tenant.SessionId is { } sid)
        {
            await sessions.RevokeSessionAsync(tenant.UserId!.Value, sid, "logout", ct);
        }
        await audit.RecordAsync(new AuditRecord("user.logout", AuditOutcome.Success, "session", tenant.SessionId?.ToString()), ct);
        return TypedResults.NoContent();
    }

    [RequiresPermission(Permission.ProfileSelf), Errors(401, 404), EndpointName("GetProfile")]
    [EndpointSummary("The signed-in user")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> GetProfile(UserHandlers handler, CancellationToken ct) =>
        (await handler.GetProfileAsync(ct)).ToOk();

    [RequiresPermission(Permission.ProfileSelf), Audited("user.profile_updated", "user"), Errors(400, 401, 404), EndpointName("UpdateProfile")]
    [EndpointSummary("Change display name, job title, time zone, locale or theme")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> UpdateProfile(UpdateProfileRequest request, UserHandlers handler, CancellationToken ct) =>
        (await handler.UpdateProfileAsync(request, ct)).ToOk();

    [RequiresPermission(Permission.ProfileSelf), AuditedExplicitly, Errors(400, 404, 409), EndpointName("SetupTotp")]
    [EndpointSummary("Start two-step sign-in: returns a new authenticator secret (text, otpauth URI, QR code); needs your password")]
    public static async Task<Results<Ok<TotpSetupResponse>, ApiError>> SetupTotp(TotpSetupRequest request, MfaHandlers handler, CancellationToken ct) =>
        (await handler.SetupAsync(request, ct)).ToOk();

    [RequiresPermission(Permission.ProfileSelf), AuditedExplicitly, Errors(400, 404, 409), EndpointName("ConfirmTotp")]
    [EndpointSummary("Turn two-step sign-in on with a current code; returns ten single-use recovery codes, shown once")]
    public static async Task<Results<Ok<RecoveryCodesResponse>, ApiError>> ConfirmTotp(TotpConfirmRequest request, MfaHandlers handler, CancellationToken ct) =>
        (await handler.ConfirmAsync(request, ct)).ToOk();

    [RequiresPermission(Permission.ProfileSelf), AuditedExplicitly, Errors(400, 404, 409), EndpointName("DisableTotp")]
    [EndpointSummary("Turn two-step sign-in off; needs your password and a current or recovery code")]
    public static async Task<Results<NoContent, ApiError>> DisableTotp(TotpDisableRequest request, MfaHandlers handler, CancellationToken ct) =>
        (await handler.DisableAsync(request, ct)).ToNoContent();

    [RequiresPermission(Permission.UsersManage), AuditedExplicitly, Errors(401, 403, 404), EndpointName("ResetUserMfa")]
    [EndpointSummary("Turn off a user's two-step sign-in after a lost authenticator; their sessions end (Admin)")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> ResetMfa(Guid id, MfaHandlers handler, CancellationToken ct) =>
        (await handler.ResetAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.ProfileSelf), AuditedExplicitly, Errors(400, 401), EndpointName("ChangePassword")]
    [EndpointSummary("Change your password; your other sessions end")]
    public static async Task<Results<NoContent, ApiError>> ChangePassword(ChangePasswordRequest request, PasswordHandlers handler, CancellationToken ct) =>
        (await handler.ChangeAsync(request, ct)).ToNoContent();

    [AuditedExplicitly, Errors(400, 429), EndpointName("RequestPasswordReset")]
    [EndpointSummary("Email a single-use reset token valid for 30 minutes; answers the same whether or not the account exists")]
    public static async Task<Results<Accepted<AcceptedResponse>, ApiError>> RequestPasswordReset(PasswordResetRequest request, PasswordHandlers handler, CancellationToken ct)
    {
        var result = await handler.RequestResetAsync(request, ct);
        return result.IsSuccess ? TypedResults.Accepted((string?)null, result.Value) : new ApiError(result.Error!);
    }

    [AuditedExplicitly, Errors(400, 429), EndpointName("ConfirmPasswordReset")]
    [EndpointSummary("Set a new password with a reset token; every session of the account ends")]
    public static async Task<Results<NoContent, ApiError>> ConfirmPasswordReset(PasswordResetConfirmRequest request, PasswordHandlers handler, CancellationToken ct) =>
        (await handler.ConfirmResetAsync(request, ct)).ToNoContent();

    [RequiresPermission(Permission.UsersRead), Errors(401, 403), EndpointName("ListUsers")]
    [EndpointSummary("The tenant's users, oldest first")]
    public static async Task<Results<Ok<Page<UserResponse>>, ApiError>> ListUsers(int? offset, int? limit, UserHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(offset, limit, ct)).ToOk();

    [RequiresPermission(Permission.UsersRead), Errors(401, 403, 404), EndpointName("GetUser")]
    [EndpointSummary("One user of the tenant")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> GetUser(Guid id, UserHandlers handler, CancellationToken ct) =>
        (await handler.GetAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.UsersManage), AuditedExplicitly, Errors(400, 401, 403, 404, 409), EndpointName("ChangeUserRole")]
    [EndpointSummary("Make a user Admin, Analyst or Viewer (Admin)")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> ChangeRole(Guid id, ChangeRoleRequest request, UserHandlers handler, CancellationToken ct) =>
        (await handler.ChangeRoleAsync(id, request, ct)).ToOk();

    [RequiresPermission(Permission.UsersManage), AuditedExplicitly, Errors(401, 403, 404, 409), EndpointName("DeactivateUser")]
    [EndpointSummary("Block a user from signing in and end their sessions (Admin)")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> Deactivate(Guid id, UserHandlers handler, CancellationToken ct) =>
        (await handler.SetActiveAsync(id, active: false, ct)).ToOk();

    [RequiresPermission(Permission.UsersManage), AuditedExplicitly, Errors(401, 403, 404), EndpointName("ReactivateUser")]
    [EndpointSummary("Let a deactivated user sign in again (Admin)")]
    public static async Task<Results<Ok<UserResponse>, ApiError>> Reactivate(Guid id, UserHandlers handler, CancellationToken ct) =>
        (await handler.SetActiveAsync(id, active: true, ct)).ToOk();

    [RequiresPermission(Permission.UsersManage), AuditedExplicitly, Errors(400, 401, 403, 409), EndpointName("InviteUser")]
    [EndpointSummary("Invite someone by email into this tenant with a role (Admin)")]
    public static async Task<Results<Created<InvitationResponse>, ApiError>> Invite(InviteUserRequest request, InvitationHandlers handler, CancellationToken ct) =>
        (await handler.InviteAsync(request, ct)).ToCreated(i => $"{ApiRoutes.V1}/users/invitations/{i.Id}");

    [RequiresPermission(Permission.UsersManage), Errors(401, 403), EndpointName("ListInvitations")]
    [EndpointSummary("The tenant's invitations, newest first (Admin)")]
    public static async Task<Results<Ok<IReadOnlyList<InvitationResponse>>, ApiError>> ListInvitations(InvitationHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(ct)).ToOk();

    [RequiresPermission(Permission.UsersManage), AuditedExplicitly, Errors(401, 403, 404, 409), EndpointName("RevokeInvitation")]
    [EndpointSummary("Revoke a pending invitation (Admin)")]
    public static async Task<Results<NoContent, ApiError>> RevokeInvitation(Guid id, InvitationHandlers handler, CancellationToken ct) =>
        (await handler.RevokeAsync(id, ct)).ToNoContent();

    [Errors(404, 429), EndpointName("LookupInvitation")]
    [EndpointSummary("What a live invitation token is for (email and role), for the sign-up page")]
    public static async Task<Results<Ok<InvitationLookupResponse>, ApiError>> LookupInvitation(string? token, InvitationHandlers handler, CancellationToken ct) =>
        (await handler.LookupAsync(token, ct)).ToOk();

    [RequiresPermission(Permission.ApiKeysManage), AuditedExplicitly, Errors(400, 401, 403), EndpointName("CreateApiKey")]
    [EndpointSummary("Create a scoped API key; the key is in this response only")]
    public static async Task<Results<Created<CreatedApiKeyResponse>, ApiError>> CreateApiKey(CreateApiKeyRequest request, ApiKeyHandlers handler, CancellationToken ct) =>
        (await handler.CreateAsync(request, ct)).ToCreated(k => $"{ApiRoutes.V1}/users/api-keys/{k.ApiKey.Id}");

    [RequiresPermission(Permission.ApiKeysManage), Errors(401, 403), EndpointName("ListApiKeys")]
    [EndpointSummary("Your API keys (Admins: all of the tenant's)")]
    public static async Task<Results<Ok<IReadOnlyList<ApiKeyResponse>>, ApiError>> ListApiKeys(ApiKeyHandlers handler, CancellationToken ct) =>
        (await handler.ListAsync(ct)).ToOk();

    [RequiresPermission(Permission.ApiKeysManage), AuditedExplicitly, Errors(401, 403, 404), EndpointName("RevokeApiKey")]
    [EndpointSummary("Revoke an API key at once")]
    public static async Task<Results<NoContent, ApiError>> RevokeApiKey(Guid id, ApiKeyHandlers handler, CancellationToken ct) =>
        (await handler.RevokeAsync(id, ct)).ToNoContent();

    [EndpointName("GetJwks")]
    [EndpointSummary("The JSON Web Key Set of the token-signing keys")]
    public static Ok<JsonWebKeySet> GetJwks(KeyRing keyRing, HttpContext http)
    {
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(Jwks.Document(keyRing));
    }
}
