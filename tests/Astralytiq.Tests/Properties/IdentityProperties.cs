using System.Net;
using Astralytiq.Contracts.Identity;
using Astralytiq.Identity.Passwords;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Astralytiq.Tests.Properties;

public sealed record RegistrationCase(Labeled Email, Labeled Password);

public sealed class IdentityArbitraries
{
    public static Arbitrary<RegistrationCase> Registrations() =>
        Generators.Emails()
            .SelectMany(email => Generators.Passwords(email.Value.Trim().Split('@')[0]).Select(pw => new RegistrationCase(email, pw)))
            .ToArbitrary();

    /// <summary>A run of sign-in attempts; true is the right password.</summary>
    public static Arbitrary<bool[]> Attempts() => Gen.Frequency((3, Gen.Constant(true)), (2, Gen.Constant(false))).ArrayOf().Select(a => a.Take(9).ToArray())
        .Where(a => a.Length > 0).ToArbitrary();
}

public abstract class IdentityProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Property(MaxTest = 100, Arbitrary = [typeof(IdentityArbitraries)])]
    public async Task P2_registration_accepts_exactly_the_valid_email_and_password_pairs(RegistrationCase c)
    {
        var client = Platform.NewClient();
        var response = await client.RegisterAsync(new RegisterRequest(c.Email.Value, c.Password.Value, null, "P2 Org", null));
        if (c.Email.Valid && c.Password.Valid)
        {
            Assert.Equal(HttpStatusCode.Created, response.Status);
            Assert.Equal(c.Email.Value.Trim().ToLowerInvariant(), response.Value!.User.Email);
            var again = await Platform.NewClient().RegisterAsync(new RegisterRequest(c.Email.Value.Trim().ToUpperInvariant(), c.Password.Value, null, "P2 Org", null));
            Assert.Equal(HttpStatusCode.Conflict, again.Status);
        }
        else
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            var fields = response.Error!.Error.Details!.Select(d => d.Field).ToHashSet();
            Assert.Equal(!c.Email.Valid, fields.Contains("email"));
            // The password is judged against the email's name part even when the email is malformed.
            Assert.Equal(!c.Password.Valid, fields.Contains("password"));
        }
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(IdentityArbitraries)])]
    public async Task P3_valid_credentials_get_a_verifiable_token_until_five_straight_failures_lock_the_account(bool[] attempts)
    {
        var tenant = await Platform.NewTenantAsync();
        var keys = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await Platform.NewHttpClient().GetStringAsync(new Uri(".well-known/jwks.json", UriKind.Relative))).GetSigningKeys();
        var consecutiveFailures = 0;
        var locked = false;
        foreach (var correct in attempts)
        {
            var client = Platform.NewClient();
            var response = await client.LoginAsync(new LoginRequest(tenant.AdminUser.Email, correct ? PlatformFixture.Password : "Wrong-" + Guid.NewGuid()));
            if (correct && !locked)
            {
                Assert.Equal(HttpStatusCode.OK, response.Status);
                var validation = await new JsonWebTokenHandler().ValidateTokenAsync(response.Value!.AccessToken, new TokenValidationParameters
                {
                    ValidIssuer = "astralytiq", ValidAudience = "astralytiq-api", IssuerSigningKeys = keys,
                });
                Assert.True(validation.IsValid);
                var jwt = (JsonWebToken)validation.SecurityToken;
                Assert.Equal((tenant.AdminUser.Id.ToString(), tenant.Id.ToString(), "admin"),
                    (jwt.Subject, jwt.GetClaim("tenant_id").Value, jwt.GetClaim("role").Value));
                Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);
                consecutiveFailures = 0;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
                Assert.Equal("UNAUTHORIZED", response.Error!.Error.Code);
                if (!correct && !locked && ++consecutiveFailures >= 5)
                {
                    locked = true;
                }
            }
        }
    }

    [Property(MaxTest = 100)]
    public async Task P6_only_the_issued_reset_token_works_never_a_guessed_or_altered_one(NonEmptyString guess, PositiveInt position)
    {
        var tenant = await Platform.NewTenantAsync();
        var anonymous = Platform.NewClient();
        (await anonymous.Account.RequestPasswordResetAsync(new PasswordResetRequest(tenant.AdminUser.Email))).EnsureSuccess();
        var token = await Platform.ResetTokenAsync(tenant.AdminUser.Email);
        var chars = token.ToCharArray();
        var i = position.Get % chars.Length;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';

        foreach (var wrong in new[] { guess.Get, new string(chars), token + "x", token[..^1] })
        {
            var attempt = await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(wrong, "A-Fresh-Password-11"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, attempt.Status);
        }
        Assert.Equal(256 / 8, Base64UrlEncoder.DecodeBytes(token).Length);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(token, "A-Fresh-Password-11"))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(token, "A-Fresh-Password-12"))).Status);
    }
}

public sealed class IdentityProperties_Sqlite(SqlitePlatform platform) : IdentityProperties<SqlitePlatform>(platform);

public sealed class IdentityProperties_Postgres(PostgresPlatform platform) : IdentityProperties<PostgresPlatform>(platform);

[Collection(FakeClock.Collection)]
public sealed class ResetExpiryProperties(FakeClockSqlite platform) : PlatformTest<FakeClockSqlite>(platform)
{
    [Property(MaxTest = 100)]
    public async Task P6_a_reset_token_works_within_30_minutes_and_never_after(byte minutes, byte seconds)
    {
        var offset = TimeSpan.FromMinutes(minutes % 61) + TimeSpan.FromSeconds(seconds % 60);
        var tenant = await Platform.NewTenantAsync();
        var anonymous = Platform.NewClient();
        (await anonymous.Account.RequestPasswordResetAsync(new PasswordResetRequest(tenant.AdminUser.Email))).EnsureSuccess();
        var token = await Platform.ResetTokenAsync(tenant.AdminUser.Email);
        Platform.Clock.Advance(offset);

        var result = await anonymous.Account.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(token, "A-Fresh-Password-11"));
        Assert.Equal(offset < TimeSpan.FromMinutes(30) ? HttpStatusCode.NoContent : HttpStatusCode.UnprocessableEntity, result.Status);
    }

    [Fact]
    public async Task An_accepted_access_token_is_refused_once_it_expires_although_its_verification_is_cached()
    {
        var tenant = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Admin.AccessToken);
        // Accepted twice: the second time from the cache of verified tokens.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/v1/users/profile", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/v1/users/profile", UriKind.Relative))).StatusCode);

        Platform.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(20)); // expired, but within the 30 s skew
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/v1/users/profile", UriKind.Relative))).StatusCode);
        Platform.Clock.Advance(TimeSpan.FromSeconds(20)); // beyond the skew
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/v1/users/profile", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void The_shipped_common_password_list_is_real()
    {
        Assert.True(PasswordPolicy.CommonCount >= 29_000, $"only {PasswordPolicy.CommonCount} entries");
        Assert.True(PasswordPolicy.IsCommon("Password123"));
    }
}
