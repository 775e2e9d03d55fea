using System.Net;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Astralytiq.Identity.Persistence;
using Astralytiq.Platform.Tenancy;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Astralytiq.Tests.Identity;

/// <summary>Two-step sign-in on a host whose clock the test moves: codes are computed for the server's own time.</summary>
public abstract class MfaTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IFakeClockPlatform
{
    /// <summary>What an authenticator app shows for the step containing <paramref name="at"/>.</summary>
    private static string Code(string secret, DateTime at) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at);

    private DateTime Now => Platform.Clock.GetUtcNow().UtcDateTime;

    /// <summary>The next 30-second step begins: an authenticator shows a new code.</summary>
    private DateTime NextStep()
    {
        Platform.Clock.Advance(TimeSpan.FromSeconds(30));
        return Now;
    }

    private async Task<(string Secret, string FirstCode, IReadOnlyList<string> RecoveryCodes)> EnableAsync(AstralytiqClient client)
    {
        var setup = (await client.Account.SetupTotpAsync(new TotpSetupRequest(PlatformFixture.Password))).EnsureValue();
        var code = Code(setup.Secret, Now);
        var recovery = (await client.Account.ConfirmTotpAsync(new TotpConfirmRequest(code))).EnsureValue();
        return (setup.Secret, code, recovery.RecoveryCodes);
    }

    private Task<ApiResponse<AuthResponse>> LoginAsync(string email, string? totp = null, string? recovery = null) =>
        Platform.NewClient().LoginAsync(new LoginRequest(email, PlatformFixture.Password, totp, recovery));

    [Fact]
    public async Task Two_step_sign_in_asks_for_a_fresh_code_and_accepts_each_recovery_code_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var email = tenant.AdminUser.Email;

        var wrongPassword = await tenant.Admin.Account.SetupTotpAsync(new TotpSetupRequest("not-my-password-123"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongPassword.Status);
        var setup = (await tenant.Admin.Account.SetupTotpAsync(new TotpSetupRequest(PlatformFixture.Password))).EnsureValue();
        Assert.StartsWith("otpauth://totp/Astralytiq:", setup.OtpauthUri, StringComparison.Ordinal);
        Assert.Contains("secret=" + setup.Secret, setup.OtpauthUri, StringComparison.Ordinal);
        Assert.Contains("<svg", setup.QrSvg, StringComparison.Ordinal);
        // Not on until confirmed: signing in still needs only the password.
        (await LoginAsync(email)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Account.ConfirmTotpAsync(new TotpConfirmRequest("000000x"))).Status);

        var first = Code(setup.Secret, Now);
        var recovery = (await tenant.Admin.Account.ConfirmTotpAsync(new TotpConfirmRequest(first))).EnsureValue().RecoveryCodes;
        Assert.Equal(10, recovery.Distinct().Count());
        Assert.True((await tenant.Admin.Account.GetProfileAsync()).EnsureValue().MfaEnabled);

        var withoutCode = await LoginAsync(email);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.Status);
        Assert.Equal("MFA_REQUIRED", withoutCode.Error!.Error.Code);
        // The code that confirmed the set-up was used already; the next step's code works, once.
        Assert.Equal("MFA_REQUIRED", (await LoginAsync(email, totp: first)).Error?.Error.Code);
        var next = Code(setup.Secret, NextStep());
        (await LoginAsync(email, totp: next)).EnsureSuccess();
        Assert.Equal("MFA_REQUIRED", (await LoginAsync(email, totp: next)).Error?.Error.Code);

        (await LoginAsync(email, recovery: recovery[3].ToUpperInvariant())).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(email, recovery: recovery[3])).Status);

        // Turning it off needs the password and a second factor; nothing changes on a wrong one.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Account.DisableTotpAsync(new TotpDisableRequest(PlatformFixture.Password, "123456"))).Status);
        Assert.True((await tenant.Admin.Account.GetProfileAsync()).EnsureValue().MfaEnabled);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Account.DisableTotpAsync(new TotpDisableRequest(PlatformFixture.Password, recovery[0]))).Status);
        Assert.False((await tenant.Admin.Account.GetProfileAsync()).EnsureValue().MfaEnabled);
        (await LoginAsync(email)).EnsureSuccess();

        var actions = (await tenant.Admin.Audit.ListAsync(limit: 200)).EnsureValue().Items.Select(e => e.Action).ToList();
        Assert.Contains("mfa.enabled", actions);
        Assert.Contains("mfa.recovery_code_used", actions);
        Assert.Contains("mfa.disabled", actions);
    }

    [Fact]
    public async Task Wrong_codes_count_towards_the_lockout()
    {
        var tenant = await Platform.NewTenantAsync();
        var (secret, _, _) = await EnableAsync(tenant.Admin);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("MFA_REQUIRED", (await LoginAsync(tenant.AdminUser.Email, totp: "000000")).Error?.Error.Code);
        }
        var locked = await LoginAsync(tenant.AdminUser.Email, totp: Code(secret, NextStep()));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.Status);
        Assert.Equal("UNAUTHORIZED", locked.Error!.Error.Code);
    }

    [Fact]
    public async Task The_secret_is_stored_sealed_and_an_admin_can_reset_a_lost_authenticator()
    {
        var tenant = await Platform.NewTenantAsync();
        var (analyst, user) = await Platform.AddUserAsync(tenant, Role.Analyst);
        var (secret, _, _) = await EnableAsync(analyst);

        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenant.Id);
            var row = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Users.AsNoTracking().SingleAsync(u => u.Id == user.Id);
            Assert.NotNull(row.TotpSecret);
            Assert.DoesNotContain(secret, row.TotpSecret, StringComparison.OrdinalIgnoreCase);
        }

        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Users.ResetMfaAsync(user.Id)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.Users.ResetMfaAsync(user.Id)).Status);

        Assert.False((await tenant.Admin.Users.ResetMfaAsync(user.Id)).EnsureValue().MfaEnabled);
        using var http = Platform.NewHttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", analyst.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/v1/users/profile", UriKind.Relative))).StatusCode);
        (await LoginAsync(user.Email)).EnsureSuccess();
    }
}

[Collection(FakeClock.Collection)]
public sealed class MfaTests_Sqlite(FakeClockSqlite platform) : MfaTests<FakeClockSqlite>(platform);

[Collection(FakeClock.Collection)]
public sealed class MfaTests_Postgres(FakeClockPostgres platform) : MfaTests<FakeClockPostgres>(platform);
