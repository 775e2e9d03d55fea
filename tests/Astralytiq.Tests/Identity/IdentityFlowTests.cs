using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text;
using Astralytiq.Contracts.Identity;
using Astralytiq.Tests.Infrastructure;

namespace Astralytiq.Tests.Identity;

public abstract class IdentityFlowTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task Sign_up_creates_a_tenant_with_the_user_as_admin_and_signs_in()
    {
        var client = Platform.NewClient();
        var email = PlatformFixture.NewEmail("founder");
        var response = await client.RegisterAsync(new RegisterRequest("  " + email.ToUpperInvariant() + " ", PlatformFixture.Password, "Founder", "Founders Inc", null));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var auth = response.EnsureValue();
        Assert.Equal(email, auth.User.Email);
        Assert.Equal(Role.Admin, auth.User.Role);
        Assert.NotEqual(Guid.Empty, auth.User.TenantId);
        var tenant = (await client.Tenant.GetAsync()).EnsureValue();
        Assert.Equal("Founders Inc", tenant.Name);
        Assert.Equal(auth.User.TenantId, tenant.Id);
    }

    [Fact]
    public async Task Access_token_carries_the_required_claims_and_short_expiry()
    {
        var tenant = await Platform.NewTenantAsync();
        var token = new JwtSecurityTokenHandler().ReadJwtToken(tenant.Admin.AccessToken);

        Assert.Equal("ES256", token.Header.Alg);
        Assert.Equal("astralytiq", token.Issuer);
        Assert.Contains("astralytiq-api", token.Audiences);
        Assert.Equal(tenant.AdminUser.Id.ToString(), token.Subject);
        Assert.Equal(tenant.Id.ToString(), token.Claims.Single(c => c.Type == "tenant_id").Value);
        Assert.Equal("admin", token.Claims.Single(c => c.Type == "role").Value);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.InRange((token.ValidTo - token.IssuedAt).TotalMinutes, 14.9, 15.1);
    }

    [Fact]
    public async Task Duplicate_email_answers_409_even_in_another_case()
    {
        var tenant = await Platform.NewTenantAsync();
        var again = await Platform.NewClient().RegisterAsync(
            new RegisterRequest(tenant.AdminUser.Email.ToUpperInvariant(), PlatformFixture.Password, null, "Other Org", null));

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("CONFLICT", again.Error!.Error.Code);
        Assert.Contains(again.Error.Error.Details!, d => d.Field == "email");
    }

    [Fact]
    public async Task Invalid_registration_names_every_failing_field_and_creates_nothing()
    {
        var client = Platform.NewClient();
        var response = await client.RegisterAsync(new RegisterRequest("not-an-email", "short", new string('x', 101), null, null));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        var fields = response.Error!.Error.Details!.Select(d => d.Field).ToHashSet();
        Assert.Equal(["display_name", "email", "organization_name", "password"], fields.Order());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(new LoginRequest("not-an-email", "short"))).Status);
    }

    [Fact]
    public async Task Common_passwords_and_passwords_containing_the_email_name_are_refused()
    {
        var client = Platform.NewClient();
        var common = await client.RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail(), "qwertyuiop", null, "Org", null));
        var email = $"margaret{Guid.NewGuid():N}@example.com";
        var withName = await client.RegisterAsync(new RegisterRequest(email, "xx" + email.Split('@')[0] + "!Z", null, "Org", null));

        Assert.Contains(common.Error!.Error.Details!, d => d.Field == "password" && d.Message.Contains("common", StringComparison.Ordinal));
        Assert.Contains(withName.Error!.Error.Details!, d => d.Field == "password" && d.Message.Contains("email", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_json_is_400_and_wrong_content_type_is_rejected()
    {
        using var http = Platform.NewHttpClient();
        var malformed = await http.PostAsync("api/v1/users/register", new StringContent("{\"email\": ", Encoding.UTF8, "application/json"));
        var wrongType = await http.PostAsync("api/v1/users/register", new StringContent("email=a", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("\"code\":\"BAD_REQUEST\"", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Contains("\"request_id\"", await wrongType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413()
    {
        using var http = Platform.NewHttpClient();
        // As a well-behaved client of a large upload would: ask first, so the 413 arrives before the body is sent
        // (otherwise the server may close while the client is still writing, and the client sees a broken pipe).
        http.DefaultRequestHeaders.ExpectContinue = true;
        var huge = "{\"email\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        var response = await http.PostAsync("api/v1/users/register", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("PAYLOAD_TOO_LARGE", body, StringComparison.Ordinal);
        Assert.Contains("larger than the 1 MiB this endpoint accepts", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_email_and_wrong_password_answer_identically()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = Platform.NewClient();
        var wrong = await client.LoginAsync(new LoginRequest(tenant.AdminUser.Email, "Wrong-password-123"));
        var unknown = await client.LoginAsync(new LoginRequest(PlatformFixture.NewEmail("nobody"), "Wrong-password-123"));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal(wrong.Status, unknown.Status);
        Assert.Equal(wrong.Error!.Error.Code, unknown.Error!.Error.Code);
        Assert.Equal(wrong.Error.Error.Message, unknown.Error.Error.Message);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_even_for_the_right_password()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = Platform.NewClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(new LoginRequest(tenant.AdminUser.Email, "Wrong-password-" + i))).Status);
        }
        var locked = await client.LoginAsync(new LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, locked.Status);
        var audit = (await tenant.Admin.Audit.ListAsync(action: "user.locked_out")).EnsureValue();
        Assert.Single(audit.Items);
    }

    [Fact]
    public async Task Refresh_rotates_and_a_reused_refresh_token_revokes_the_whole_session()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var first = client.RefreshToken!;
        var rotated = (await client.RefreshAsync()).EnsureValue();
        Assert.NotEqual(first, rotated.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await client.Account.GetProfileAsync()).Status);

        var thief = Platform.NewClient();
        thief.RefreshToken = first;
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.RefreshAsync()).Status);

        // The family is revoked: the legitimate holder's newer tokens stop working too.
        var access = client.AccessToken;
        var newer = Platform.NewClient();
        newer.RefreshToken = rotated.RefreshToken;
        Assert.Equal(HttpStatusCode.Unauthorized, (await newer.RefreshAsync()).Status);
        var stale = Platform.NewClient();
        stale.AccessToken = access;
        Assert.Equal(HttpStatusCode.Unauthorized, (await stale.Account.GetProfileAsync()).Status);
    }

    [Fact]
    public async Task Logout_ends_the_session_at_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var (access, refresh) = (tenant.Admin.AccessToken, tenant.Admin.RefreshToken);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.LogoutAsync()).Status);

        var replay = Platform.NewClient();
        replay.AccessToken = access;
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.Account.GetProfileAsync()).Status);
        replay.AccessToken = null;
        replay.RefreshToken = refresh;
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.RefreshAsync()).Status);
    }

    [Fact]
    public async Task Client_refreshes_an_expired_session_transparently()
    {
        var tenant = await Platform.NewTenantAsync();
        tenant.Admin.AccessToken = "expired.or.garbage";
        var profile = await tenant.Admin.Account.GetProfileAsync();

        Assert.Equal(HttpStatusCode.OK, profile.Status);
        Assert.NotEqual("expired.or.garbage", tenant.Admin.AccessToken);
    }

    [Fact]
    public async Task Profile_updates_are_validated_and_kept()
    {
        var tenant = await Platform.NewTenantAsync();
        var bad = await tenant.Admin.Account.UpdateProfileAsync(new UpdateProfileRequest(" ", null, "Nowhere/Atlantis", "xx-NOPE", "purple"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(["display_name", "locale", "theme", "time_zone"], bad.Error!.Error.Details!.Select(d => d.Field).Order());

        var good = (await tenant.Admin.Account.UpdateProfileAsync(new UpdateProfileRequest("Ada", "Head of Data", "Europe/Berlin", "de-DE", "dark"))).EnsureValue();
        Assert.Equal("Ada", good.DisplayName);
        var reread = (await tenant.Admin.Account.GetProfileAsync()).EnsureValue();
        Assert.Equal(new UserProfileDto("Head of Data", "Europe/Berlin", "de-DE", "dark"), reread.Profile);
    }

    [Fact]
    public async Task Changing_the_password_ends_other_sessions_but_keeps_this_one()
    {
        var tenant = await Platform.NewTenantAsync();
        var other = Platform.NewClient();
        (await other.LoginAsync(new LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password))).EnsureValue();

        var wrong = await tenant.Admin.Account.ChangePasswordAsync(new ChangePasswordRequest("not-it-at-all", "Another-Strong-Pass-1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Account.ChangePasswordAsync(new ChangePasswordRequest(PlatformFixture.Password, "Another-Strong-Pass-1"))).Status);

        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Account.GetProfileAsync()).Status);
        other.RefreshToken = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Account.GetProfileAsync()).Status);
        Assert.Equal(HttpStatusCode.OK, (await Platform.NewClient().LoginAsync(new LoginRequest(tenant.AdminUser.Email, "Another-Strong-Pass-1"))).Status);
    }

    [Fact]
    public async Task Password_reset_by_real_email_works_once_and_ends_every_session()
    {
        var tenant = await Platform.NewTenantAsync();
        var anonymous = Platform.NewClient();
        var accepted = await anonymous.Account.RequestPasswordResetAsync(new PasswordResetRequest(tenant.AdminUser.Email));
        var unknown = await anonymous.Account.RequestPasswordResetAsync(new PasswordResetRequest(PlatformFixture.NewEmail("ghost")));
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal(accepted.Value, unknown.Value);

        var token = await Platform.ResetTokenAsync(tenant.AdminUser.Email);
        var weak = await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(token, "password1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, weak.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(token, "Brand-New-Secret-77"))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(token, "Brand-New-Secret-78"))).Status);

        tenant.Admin.RefreshToken = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.Admin.Account.GetProfileAsync()).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Platform.NewClient().LoginAsync(new LoginRequest(tenant.AdminUser.Email, PlatformFixture.Password))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Platform.NewClient().LoginAsync(new LoginRequest(tenant.AdminUser.Email, "Brand-New-Secret-77"))).Status);
    }

    [Fact]
    public async Task Invited_user_joins_the_inviting_tenant_with_the_invited_role()
    {
        var tenant = await Platform.NewTenantAsync();
        var email = PlatformFixture.NewEmail("analyst");
        var invitation = (await tenant.Admin.Users.InviteAsync(new InviteUserRequest(email, Role.Analyst))).EnsureValue();
        var token = await Platform.InvitationTokenAsync(email);

        var lookup = (await Platform.NewClient().Users.LookupInvitationAsync(token)).EnsureValue();
        Assert.Equal((email, Role.Analyst), (lookup.Email, lookup.Role));
        var wrongEmail = await Platform.NewClient().RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail(), PlatformFixture.Password, null, null, token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongEmail.Status);

        var joined = (await Platform.NewClient().RegisterAsync(new RegisterRequest(email, PlatformFixture.Password, "Ana", null, token))).EnsureValue();
        Assert.Equal(tenant.Id, joined.User.TenantId);
        Assert.Equal(Role.Analyst, joined.User.Role);
        var reuse = await Platform.NewClient().RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail(), PlatformFixture.Password, null, null, token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reuse.Status);
        var invitations = (await tenant.Admin.Users.ListInvitationsAsync()).EnsureValue();
        Assert.NotNull(invitations.Single(i => i.Id == invitation.Id).AcceptedAt);
    }

    [Fact]
    public async Task Admin_changes_roles_and_deactivation_ends_access_immediately()
    {
        var tenant = await Platform.NewTenantAsync();
        var (viewer, viewerUser) = await Platform.AddUserAsync(tenant, Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Tenant.UpdateAsync(new(null, null, "Europe/Paris", null, null))).Status);

        (await tenant.Admin.Users.ChangeRoleAsync(viewerUser.Id, Role.Admin)).EnsureValue();
        Assert.Equal(HttpStatusCode.OK, (await viewer.Tenant.UpdateAsync(new(null, null, "Europe/Paris", null, null))).Status);

        (await tenant.Admin.Users.DeactivateAsync(viewerUser.Id)).EnsureValue();
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.Account.GetProfileAsync()).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Platform.NewClient().LoginAsync(new LoginRequest(viewerUser.Email, PlatformFixture.Password))).Status);
        var users = (await tenant.Admin.Users.ListAsync()).EnsureValue();
        Assert.False(users.Items.Single(u => u.Id == viewerUser.Id).IsActive);
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted_or_deactivated()
    {
        var tenant = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Admin.Users.ChangeRoleAsync(tenant.AdminUser.Id, Role.Viewer)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Admin.Users.DeactivateAsync(tenant.AdminUser.Id)).Status);
    }

    [Fact]
    public async Task Api_keys_act_within_their_scopes_are_shown_once_and_revoke_at_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var bad = await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("ci", ["datasets:teleport"], null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);

        var created = (await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("ci", ["settings:read"], null))).EnsureValue();
        var machine = Platform.NewClient();
        machine.ApiKey = created.Key;
        Assert.Equal(tenant.Id, (await machine.Tenant.GetAsync()).EnsureValue().Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await machine.Tenant.UpdateAsync(new(null, null, "UTC", null, null))).Status);
        var listed = (await tenant.Admin.ApiKeys.ListAsync()).EnsureValue().Single();
        Assert.Equal(created.ApiKey.Id, listed.Id);
        Assert.DoesNotContain(created.Key, System.Text.Json.JsonSerializer.Serialize(listed), StringComparison.Ordinal);

        (await tenant.Admin.ApiKeys.RevokeAsync(created.ApiKey.Id)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, (await machine.Tenant.GetAsync()).Status);
    }

    [Fact]
    public async Task Viewer_cannot_create_api_keys_or_grant_scopes_beyond_their_role()
    {
        var tenant = await Platform.NewTenantAsync();
        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        var (analyst, _) = await Platform.AddUserAsync(tenant, Role.Analyst);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.ApiKeys.CreateAsync(new CreateApiKeyRequest("k", ["datasets:read"], null))).Status);
        var beyond = await analyst.ApiKeys.CreateAsync(new CreateApiKeyRequest("k", ["users:manage"], null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, beyond.Status);
    }

    [Fact]
    public async Task Jwks_publishes_the_key_that_verifies_issued_tokens()
    {
        var tenant = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        var jwks = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await http.GetStringAsync(".well-known/jwks.json"));
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var result = await handler.ValidateTokenAsync(tenant.Admin.AccessToken, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidIssuer = "astralytiq",
            ValidAudience = "astralytiq-api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.All(jwks.Keys, k => Assert.Null(k.D));
    }
}

public sealed class IdentityFlowTests_Sqlite(SqlitePlatform platform) : IdentityFlowTests<SqlitePlatform>(platform);

public sealed class IdentityFlowTests_Postgres(PostgresPlatform platform) : IdentityFlowTests<PostgresPlatform>(platform);
