using Astralytiq.Data.Datasets;
using Astralytiq.Data.Engine;
using Astralytiq.Platform.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Astralytiq.Tests.Data;

/// <summary>The local plaintext cache of dataset versions stays under its size bound, least recently used first.</summary>
public sealed class PlaintextCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void The_least_recently_used_files_go_first_and_files_used_in_the_last_ten_minutes_never()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var files = new DatasetFiles(null!, null!, new PlatformOptions { DataDir = _dir }, new DataSettings { PlaintextCacheMaxBytes = 3_000 }, clock, new PlaintextCacheSize());
        var tenant = Path.Combine(_dir, "cache", "datasets", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tenant);
        string Cached(string name, int bytes, int minutesAgo)
        {
            var path = Path.Combine(tenant, name + ".parquet");
            File.WriteAllBytes(path, new byte[bytes]);
            File.SetLastAccessTimeUtc(path, clock.GetUtcNow().UtcDateTime.AddMinutes(-minutesAgo));
            return path;
        }
        var oldest = Cached("oldest", 1_000, 120);
        var older = Cached("older", 1_000, 60);
        var recent = Cached("recent", 1_000, 30);
        var justUsed = Cached("just-used", 1_500, 1);

        // 4,500 bytes against a 3,000-byte bound: the two least recently used go, then it fits.
        Assert.Equal(2, files.TrimCache());
        Assert.False(File.Exists(oldest));
        Assert.False(File.Exists(older));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(justUsed));

        // Everything left is recent: over the bound, nothing used in the last ten minutes is removed.
        var alsoJustUsed = Cached("also-just-used", 2_000, 2);
        File.SetLastAccessTimeUtc(recent, clock.GetUtcNow().UtcDateTime.AddMinutes(-5));
        Assert.Equal(0, files.TrimCache());
        Assert.True(File.Exists(alsoJustUsed));

        // Later they age, and the bound holds again.
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(2, files.TrimCache());
        Assert.Single(Directory.GetFiles(tenant));
    }

    [Fact]
    public void The_cache_is_listed_once_and_then_counted_until_a_trim_measures_it_again()
    {
        var size = new PlaintextCacheSize();
        var listings = 0;
        long List()
        {
            listings++;
            return 5_000;
        }
        // The first file: the listing (which already holds it) is the total.
        Assert.Equal(5_000, size.Add(700, List));
        // Later files are counted, not listed.
        Assert.Equal(5_700, size.Add(700, List));
        Assert.Equal(6_000, size.Add(300, List));
        Assert.Equal(1, listings);
        // A trim's exact measurement replaces the running count.
        size.Measured(1_000);
        Assert.Equal(1_250, size.Add(250, List));
        Assert.Equal(1, listings);
    }
}
