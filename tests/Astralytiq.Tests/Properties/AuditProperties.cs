using Astralytiq.Audit.Entries;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

public enum UserAction
{
    UpdateProfile,
    UpdateTenantValid,
    UpdateTenantInvalid,
    Invite,
    CreateApiKey,
    FailedLogin,
    ChangeOwnPasswordWrong,
}

public sealed class AuditArbitraries
{
    public static Arbitrary<UserAction[]> Actions() =>
        Gen.Elements(Enum.GetValues<UserAction>()).ArrayOf().Where(a => a.Length is > 0 and <= 6).ToArbitrary();
}

public abstract class AuditProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Property(MaxTest = 100, Arbitrary = [typeof(AuditArbitraries)])]
    public async Task P35_every_mutation_and_security_event_is_logged_once_in_order_and_the_chain_verifies(UserAction[] actions)
    {
        var tenant = await Platform.NewTenantAsync();
        var start = (await tenant.Admin.Audit.ListAsync(limit: 1)).EnsureValue().Items.Single().Sequence;
        var expected = new List<(string Action, string Outcome)>();
        // Wrong passwords lock the account at the threshold (Identity's default, 5): that attempt is logged as the lockout,
        // and later ones while locked as failed sign-ins that do not count.
        var (failures, locked) = (0, false);
        foreach (var action in actions)
        {
            switch (action)
            {
                case UserAction.UpdateProfile:
                    (await tenant.Admin.Account.UpdateProfileAsync(new UpdateProfileRequest("N" + Guid.NewGuid().ToString("N")[..6], null, null, null, null))).EnsureValue();
                    expected.Add(("user.profile_updated", "success"));
                    break;
                case UserAction.UpdateTenantValid:
                    (await tenant.Admin.Tenant.UpdateAsync(new UpdateTenantRequest(null, null, "Europe/Rome", null, null))).EnsureValue();
                    expected.Add(("tenant.settings_changed", "success"));
                    break;
                case UserAction.UpdateTenantInvalid:
                    await tenant.Admin.Tenant.UpdateAsync(new UpdateTenantRequest(null, null, "No/Where", null, null));
                    expected.Add(("tenant.settings_changed", "failure"));
                    break;
                case UserAction.Invite:
                    (await tenant.Admin.Users.InviteAsync(new InviteUserRequest(PlatformFixture.NewEmail(), Role.Viewer))).EnsureValue();
                    expected.Add(("user.invited", "success"));
                    break;
                case UserAction.CreateApiKey:
                    (await tenant.Admin.ApiKeys.CreateAsync(new CreateApiKeyRequest("k", ["datasets:read"], null))).EnsureValue();
                    expected.Add(("api_key.created", "success"));
                    break;
                case UserAction.FailedLogin:
                    await Platform.NewClient().LoginAsync(new LoginRequest(tenant.AdminUser.Email, "Not-the-password-1"));
                    if (!locked && ++failures == 5)
                    {
                        locked = true;
                        expected.Add(("user.locked_out", "failure"));
                    }
                    else
                    {
                        expected.Add(("user.login_failed", "failure"));
                    }
                    break;
                case UserAction.ChangeOwnPasswordWrong:
                    await tenant.Admin.Account.ChangePasswordAsync(new ChangePasswordRequest("Not-the-password-1", "Whatever-Strong-22"));
                    expected.Add(("user.password_change_failed", "failure"));
                    break;
            }
        }
        var log = (await tenant.Admin.Audit.ListAsync(limit: 200)).EnsureValue().Items
            .Where(e => e.Sequence > start).OrderBy(e => e.Sequence).ToList();
        Assert.Equal(expected, log.Select(e => (e.Action, e.Outcome)).ToList());
        Assert.All(log, e => Assert.False(string.IsNullOrEmpty(e.IpAddress)));
        Assert.True((await tenant.Admin.Audit.VerifyAsync()).EnsureValue().Valid);
    }
}

public sealed class AuditProperties_Sqlite(SqlitePlatform platform) : AuditProperties<SqlitePlatform>(platform);

public sealed class AuditProperties_Postgres(PostgresPlatform platform) : AuditProperties<PostgresPlatform>(platform);

public sealed class AuditChainProperties
{
    private static List<AuditEntry> Chain(int length, Guid tenant)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditEntry.GenesisHash;
        for (var i = 1; i <= length; i++)
        {
            var entry = new AuditEntry
            {
                Id = Guid.NewGuid(), TenantId = tenant, Sequence = i, Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + i),
                Action = "act." + i, Outcome = "success", ActorEmail = $"u{i}@example.com", PreviousHash = previous,
            };
            entry.Hash = entry.ComputeHash();
            previous = entry.Hash;
            entries.Add(entry);
        }
        return entries;
    }

    [Property(MaxTest = 200)]
    public void P35_any_alteration_removal_or_reordering_is_reported_at_the_first_broken_entry(PositiveInt size, PositiveInt at, byte kind)
    {
        var chain = Chain(2 + (size.Get % 30), Guid.NewGuid());
        Assert.True(AuditChainVerifier.Verify(chain).Valid);
        var i = at.Get % chain.Count;
        long expectedBroken = chain[i].Sequence;
        switch (kind % 4)
        {
            case 0:
                chain[i].Action += "!";
                break;
            case 1:
                chain[i].ActorEmail = "mallory@example.com";
                break;
            case 2:
                chain.RemoveAt(i);
                break;
            default:
                var j = i == chain.Count - 1 ? i - 1 : i + 1;
                (chain[i], chain[j]) = (chain[j], chain[i]);
                expectedBroken = Math.Min(chain[i].Sequence, chain[j].Sequence);
                break;
        }
        var result = AuditChainVerifier.Verify(chain);
        if (kind % 4 == 2 && i == chain.Count)
        {
            Assert.True(result.Valid); // dropping the newest entry leaves a valid prefix; the count reveals it
            Assert.Equal(chain.Count, result.EntriesChecked);
            return;
        }
        Assert.False(result.Valid);
        Assert.Equal(expectedBroken, result.FirstBrokenSequence);
    }
}
