using System.Security.Cryptography;
using Astralytiq.Contracts.Identity;
using Astralytiq.Identity.Users;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Security;
using Astralytiq.Platform.Storage;
using Astralytiq.Tenancy.Provisioning;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Astralytiq.Tests.Platform;

public sealed class KernelTests
{
    [Theory]
    [InlineData(Permission.DatasetsRead, "datasets:read")]
    [InlineData(Permission.ApiKeysManage, "api-keys:manage")]
    [InlineData(Permission.ProfileSelf, "profile:self")]
    public void Scope_names_are_resource_then_verb_and_parse_back(Permission permission, string scope)
    {
        Assert.Equal(scope, PermissionMatrix.ScopeName(permission));
        Assert.True(PermissionMatrix.TryParseScope(scope, out var parsed));
        Assert.Equal(permission, parsed);
        Assert.False(PermissionMatrix.TryParseScope("datasets:teleport", out _));
    }

    [Fact]
    public void The_permission_document_matches_the_matrix_in_code()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Astralytiq.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }
        var doc = File.ReadAllText(Path.Combine(root, "docs", "permissions.md"));
        var table = doc[doc.IndexOf("<!-- matrix:start -->", StringComparison.Ordinal)..doc.IndexOf("<!-- matrix:end -->", StringComparison.Ordinal)];
        var roles = new[] { Role.Viewer, Role.Analyst, Role.Admin, Role.Operator };
        var expected = Enum.GetValues<Permission>().Select(p =>
            $"| {p} | `{PermissionMatrix.ScopeName(p)}` | " + string.Join(" | ", roles.Select(r => PermissionMatrix.Allows(r, p) ? "yes" : "—")) + " |");
        var actual = table.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| permission", StringComparison.Ordinal)).Select(l => l.TrimEnd());
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Admins_hold_every_tenant_permission_and_operators_none_of_them()
    {
        Assert.All(Enum.GetValues<Permission>().Where(p => p != Permission.PlatformManage), p => Assert.True(PermissionMatrix.Allows(Role.Admin, p)));
        Assert.False(PermissionMatrix.Allows(Role.Admin, Permission.PlatformManage));
        Assert.Equal([Permission.ProfileSelf, Permission.PlatformManage], PermissionMatrix.For(Role.Operator).Order());
        Assert.True(PermissionMatrix.For(Role.Viewer).IsSubsetOf(PermissionMatrix.For(Role.Analyst)));
    }

    [Theory]
    [InlineData(" Ann@Example.COM ", "ann@example.com")]
    [InlineData("jo@bücher.de", "jo@xn--bcher-kva.de")]
    [InlineData("a.b+tag@sub.example.org", "a.b+tag@sub.example.org")]
    [InlineData("no-at-sign", null)]
    [InlineData("a@b", null)]
    [InlineData("a..b@example.com", null)]
    [InlineData("a@-example.com", null)]
    [InlineData("two@@example.com", null)]
    public void Emails_are_normalized_or_refused(string input, string? expected) => Assert.Equal(expected, EmailAddress.Normalize(input));

    [Theory]
    [InlineData("Acme Analytics GmbH", "acme-analytics-gmbh")]
    [InlineData("  Café Ünïcode  ", "cafe-unicode")]
    [InlineData("漢字", "org")]
    public void Tenant_slugs_are_url_safe(string name, string slug) => Assert.Equal(slug, TenantProvisioner.Slugify(name));

    [Fact]
    public void Sealed_data_opens_only_with_the_same_key_and_context_and_unaltered()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var sealedData = AesGcmSeal.Seal(key, "rows"u8, "tenant-a"u8);
        Assert.Equal("rows"u8.ToArray(), AesGcmSeal.Open(key, sealedData, "tenant-a"u8));
        Assert.ThrowsAny<CryptographicException>(() => AesGcmSeal.Open(key, sealedData, "tenant-b"u8));
        Assert.ThrowsAny<CryptographicException>(() => AesGcmSeal.Open(RandomNumberGenerator.GetBytes(32), sealedData, "tenant-a"u8));
        sealedData[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => AesGcmSeal.Open(key, sealedData, "tenant-a"u8));
    }

    [Fact]
    public void Tenant_data_keys_unwrap_only_for_their_tenant()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aq-keys-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ring = new KeyRing(new PlatformOptions { DataDir = dir }, TimeProvider.System, NullLogger<KeyRing>.Instance);
            var wrapper = new KeyWrapper(ring);
            var tenant = Guid.NewGuid();
            var (masterId, wrapped) = wrapper.NewWrappedDataKey(tenant);
            Assert.Equal(32, wrapper.Unwrap(tenant, masterId, wrapped).Length);
            Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(Guid.NewGuid(), masterId, wrapped));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Directory.GetFiles(Path.Combine(dir, "keys"), "master-*.key").Single()));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Rotated_signing_keys_keep_verifying_for_a_day_then_retire()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aq-keys-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var ring = new KeyRing(new PlatformOptions { DataDir = dir }, clock, NullLogger<KeyRing>.Instance);
            var first = ring.CurrentSigningKey;
            var second = ring.RotateSigningKey();
            Assert.Equal(second.KeyId, ring.CurrentSigningKey.KeyId);
            Assert.Equal([first.KeyId, second.KeyId], ring.VerificationKeys.Select(k => k.KeyId));
            clock.Advance(KeyRing.RetiredAfter + TimeSpan.FromMinutes(1));
            Assert.Equal([second.KeyId], ring.VerificationKeys.Select(k => k.KeyId));

            var reloaded = new KeyRing(new PlatformOptions { DataDir = dir }, clock, NullLogger<KeyRing>.Instance);
            Assert.Equal(second.KeyId, reloaded.CurrentSigningKey.KeyId);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("../other-tenant/file")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../escape")]
    [InlineData("")]
    public void Blob_paths_cannot_leave_the_tenants_area(string path)
    {
        var storage = new LocalBlobStorage(new PlatformOptions { DataDir = Path.GetTempPath() });
        Assert.Throws<ArgumentException>(() => storage.Resolve(Guid.NewGuid(), path));
    }

    [Fact]
    public async Task Blobs_round_trip_under_the_tenant_prefix()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aq-blobs-" + Guid.NewGuid().ToString("N"));
        var storage = new LocalBlobStorage(new PlatformOptions { DataDir = dir });
        var tenant = Guid.NewGuid();
        await storage.WriteAsync(tenant, "datasets/a.bin", new MemoryStream([1, 2, 3]), default);
        await using (var read = await storage.OpenReadAsync(tenant, "datasets/a.bin", default))
        {
            var buffer = new MemoryStream();
            await read!.CopyToAsync(buffer);
            Assert.Equal([1, 2, 3], buffer.ToArray());
        }
        Assert.Null(await storage.OpenReadAsync(Guid.NewGuid(), "datasets/a.bin", default));
        Assert.StartsWith(Path.Combine(dir, "blobs", "tenants", tenant.ToString("N")), storage.Resolve(tenant, "datasets/a.bin"), StringComparison.Ordinal);
        await storage.DeleteTenantAreaAsync(tenant, default);
        Assert.False(await storage.TenantAreaExistsAsync(tenant, default));
        Directory.Delete(dir, recursive: true);
    }
}

public sealed class JobsHealthTests
{
    private static readonly JobSettings Settings = new() { LeaseSeconds = 60, PollMilliseconds = 500 };

    [Fact]
    public void A_polling_runner_with_no_backlog_is_healthy()
    {
        var result = JobsHealthCheck.Evaluate(Settings, TimeSpan.FromSeconds(1), overdue: 0, deadLettered: 2);
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(2, result.Data["dead_lettered_24h"]);
    }

    [Fact]
    public void A_runner_silent_beyond_its_lease_or_never_started_is_unhealthy()
    {
        Assert.Equal(HealthStatus.Unhealthy, JobsHealthCheck.Evaluate(Settings, TimeSpan.FromSeconds(61), 0, 0).Status);
        Assert.Equal(HealthStatus.Unhealthy, JobsHealthCheck.Evaluate(Settings, null, 0, 0).Status);
        Assert.Equal(HealthStatus.Healthy, JobsHealthCheck.Evaluate(Settings, TimeSpan.FromSeconds(59), 0, 0).Status);
    }

    [Fact]
    public void Jobs_waiting_over_five_minutes_degrade_readiness_even_where_the_runner_is_off()
    {
        Assert.Equal(HealthStatus.Degraded, JobsHealthCheck.Evaluate(Settings, TimeSpan.FromSeconds(1), overdue: 3, 0).Status);
        var off = new JobSettings { Enabled = false };
        Assert.Equal(HealthStatus.Healthy, JobsHealthCheck.Evaluate(off, null, 0, 0).Status);
        Assert.Equal(HealthStatus.Degraded, JobsHealthCheck.Evaluate(off, null, 1, 0).Status);
    }

    [Fact]
    public void Runner_liveness_follows_its_own_monotonic_clock()
    {
        var clock = new FakeTimeProvider();
        var status = new JobRunnerStatus(clock);
        Assert.Null(status.SinceLastActivity);
        status.Touch();
        clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(TimeSpan.FromSeconds(90), status.SinceLastActivity);
        Assert.Equal(HealthStatus.Unhealthy, JobsHealthCheck.Evaluate(Settings, status.SinceLastActivity, 0, 0).Status);
        status.Touch();
        Assert.Equal(TimeSpan.Zero, status.SinceLastActivity);
    }
}

public sealed class JobRunnerIdleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    [Fact]
    public void An_idle_worker_sleeps_until_a_retry_falls_due_never_longer_than_the_poll()
    {
        Assert.Equal(Poll, JobRunner.IdleWait(Poll, earliestQueued: null, Now));
        Assert.Equal(TimeSpan.FromMilliseconds(300), JobRunner.IdleWait(Poll, Now.AddMilliseconds(300), Now));
        Assert.Equal(Poll, JobRunner.IdleWait(Poll, Now.AddSeconds(2), Now));
        Assert.Equal(Poll, JobRunner.IdleWait(Poll, Now.AddHours(5), Now));
    }

    [Fact]
    public void A_job_already_due_that_another_node_took_costs_only_a_short_pause()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(5), JobRunner.IdleWait(Poll, Now, Now));
        Assert.Equal(TimeSpan.FromMilliseconds(5), JobRunner.IdleWait(Poll, Now.AddSeconds(-30), Now));
    }
}

public sealed class TenantFileCipherTests
{
    private sealed class FixedKeys : ITenantKeyStore
    {
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

        public Task<byte[]> GetDataKeyAsync(Guid tenantId, CancellationToken cancellationToken) => Task.FromResult(_key);
    }

    private static readonly TenantFileCipher Cipher = new(new FixedKeys());

    private static async Task<byte[]> EncryptAsync(byte[] plain, string purpose = "p")
    {
        using var output = new MemoryStream();
        await Cipher.EncryptAsync(Guid.Empty, new MemoryStream(plain), output, purpose, CancellationToken.None);
        return output.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] sealedFile, string purpose = "p")
    {
        using var output = new MemoryStream();
        await Cipher.DecryptAsync(Guid.Empty, new MemoryStream(sealedFile), output, purpose, CancellationToken.None);
        return output.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(TenantFileCipher.RecordSize)]
    [InlineData(TenantFileCipher.RecordSize + 1)]
    [InlineData(3 * TenantFileCipher.RecordSize - 7)]
    public async Task Files_of_any_size_round_trip(int size)
    {
        var plain = RandomNumberGenerator.GetBytes(size);
        Assert.Equal(plain, await DecryptAsync(await EncryptAsync(plain)));
    }

    [Fact]
    public async Task Tampering_truncation_and_another_purpose_are_detected()
    {
        var plain = RandomNumberGenerator.GetBytes(TenantFileCipher.RecordSize + 100);
        var sealedFile = await EncryptAsync(plain);

        var flipped = (byte[])sealedFile.Clone();
        flipped[40] ^= 1;
        await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptAsync(flipped));
        // Cut after the first (non-final) record: the missing final record is noticed.
        await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptAsync(sealedFile[..(16 + 5 + TenantFileCipher.RecordSize + 16)]));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptAsync(sealedFile, "another file"));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptAsync([.. sealedFile, 0]));
    }
}
