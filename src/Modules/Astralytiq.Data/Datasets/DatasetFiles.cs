using System.Security.Cryptography;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Storage;

namespace Astralytiq.Data.Datasets;

/// <summary>
/// Dataset version files: stored encrypted with the tenant key in blob storage; decrypted on first use
/// into a local plaintext cache that only the server process can read (docs/decisions/0012).
/// </summary>
internal sealed class DatasetFiles(IBlobStorage blobs, TenantFileCipher cipher, PlatformOptions platform, DataSettings settings, TimeProvider time, PlaintextCacheSize cacheSize)
{
    /// <summary>Files used this recently are never evicted: a path just handed to a reader must still be there when it opens it.</summary>
    private static readonly TimeSpan RecentlyUsed = TimeSpan.FromMinutes(10);
    private static readonly Lock TrimLock = new();

    public string TempDirectory { get; } = Directory.CreateDirectory(Path.Combine(platform.DataDir, "tmp")).FullName;

    private string CacheDirectory(Guid tenantId) => Path.Combine(platform.DataDir, "cache", "datasets", tenantId.ToString("N"));

    public static string BlobPath(Guid datasetId, Guid versionId) => $"datasets/{datasetId:N}/{versionId:N}.parquet.enc";

    public static string Purpose(Guid versionId) => "dataset-version:" + versionId.ToString("N");

    /// <summary>The content hash of a version made of several parts: SHA-256 of its parts' hashes, in order.</summary>
    public static string CombinedHash(IEnumerable<VersionPart> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join("\n", parts.Select(p => p.Sha256)))));

    public string NewTempPath(string extension) => Path.Combine(TempDirectory, $"ingest-{Guid.NewGuid():N}{extension}");

    /// <summary>Encrypts a plaintext Parquet file into storage; returns the stored size and the plaintext's SHA-256.</summary>
    public async Task<(long StoredBytes, string Sha256)> StoreAsync(Guid tenantId, Guid datasetId, Guid versionId, string parquetPath, CancellationToken ct)
    {
        string sha;
        await using (var plain = File.OpenRead(parquetPath))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(plain, ct).ConfigureAwait(false));
        }
        // A path of its own: two versions stored from the same plaintext at once (pipelines reading one cached source) must not collide.
        var encryptedPath = NewTempPath(".enc");
        try
        {
            await using (var plain = File.OpenRead(parquetPath))
            await using (var encrypted = File.Create(encryptedPath))
            {
                await cipher.EncryptAsync(tenantId, plain, encrypted, Purpose(versionId), ct).ConfigureAwait(false);
            }
            var size = new FileInfo(encryptedPath).Length;
            await using (var encrypted = File.OpenRead(encryptedPath))
            {
                await blobs.WriteAsync(tenantId, BlobPath(datasetId, versionId), encrypted, ct).ConfigureAwait(false);
            }
            // Keep the plaintext as the cache entry: the first preview need not decrypt what was just written.
            // Copied under a temporary name and renamed, so a crash never leaves half a file under the real one.
            var cached = CachePath(tenantId, versionId);
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            var partial = cached + "." + Guid.NewGuid().ToString("N") + ".partial";
            File.Copy(parquetPath, partial, overwrite: true);
            File.Move(partial, cached, overwrite: true);
            File.SetLastAccessTimeUtc(cached, time.GetUtcNow().UtcDateTime);
            TrimCacheWhenFull(new FileInfo(cached).Length);
            return (size, sha);
        }
        finally
        {
            File.Delete(encryptedPath);
        }
    }

    /// <summary>The plaintext Parquet file(s) of a version, in order, decrypting into the cache what is not there.</summary>
    public async Task<ParquetSource> SourceAsync(Guid tenantId, DatasetVersion version, CancellationToken ct)
    {
        var parts = version.Parts();
        var paths = new List<string>(parts.Count);
        foreach (var part in parts)
        {
            paths.Add(await PlaintextAsync(tenantId, part.Id, part.BlobPath, ct).ConfigureAwait(false));
        }
        return new ParquetSource(paths, parts.Select(p => p.Rows).ToList());
    }

    /// <summary>The plaintext Parquet path of one stored file, decrypting it into the cache when it is not there.</summary>
    private async Task<string> PlaintextAsync(Guid tenantId, Guid partId, string blobPath, CancellationToken ct)
    {
        var cached = CachePath(tenantId, partId);
        if (File.Exists(cached))
        {
            // Eviction goes by last use, recorded explicitly (mounts with noatime never update it).
            File.SetLastAccessTimeUtc(cached, time.GetUtcNow().UtcDateTime);
            return cached;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var partial = cached + "." + Guid.NewGuid().ToString("N") + ".partial";
        try
        {
            await using (var encrypted = await blobs.OpenReadAsync(tenantId, blobPath, ct).ConfigureAwait(false)
                ?? throw new FileNotFoundException("The stored file of this dataset version is missing", blobPath))
            await using (var plain = File.Create(partial))
            {
                await cipher.DecryptAsync(tenantId, encrypted, plain, Purpose(partId), ct).ConfigureAwait(false);
            }
            File.Move(partial, cached, overwrite: true);
            File.SetLastAccessTimeUtc(cached, time.GetUtcNow().UtcDateTime);
            TrimCacheWhenFull(new FileInfo(cached).Length);
            return cached;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public async Task DeleteAsync(Guid tenantId, DatasetVersion version, CancellationToken ct)
    {
        await blobs.DeleteAsync(tenantId, version.BlobPath, ct).ConfigureAwait(false);
        File.Delete(CachePath(tenantId, version.Id));
    }

    /// <summary>
    /// Counts a file just added to the cache and trims the cache when its size may be over the bound. Listing
    /// every cached file costs a file-system lookup per file, so it happens only when the running count says the
    /// bound may be passed (the count only ever over-estimates: removals are not subtracted until the next trim
    /// measures again).
    /// </summary>
    private void TrimCacheWhenFull(long added)
    {
        if (cacheSize.Add(added, () => Measure().Sum(f => f.Length)) > settings.PlaintextCacheMaxBytes)
        {
            TrimCache();
        }
    }

    private List<FileInfo> Measure()
    {
        var root = new DirectoryInfo(Path.Combine(platform.DataDir, "cache", "datasets"));
        return root.Exists ? root.EnumerateFiles("*.parquet", SearchOption.AllDirectories).ToList() : [];
    }

    /// <summary>
    /// Keeps the plaintext cache (all tenants) under <c>PlaintextCacheMaxBytes</c> by deleting the least
    /// recently used files, never one used in the last ten minutes. Blob storage stays the truth: an
    /// evicted version is decrypted again on its next read.
    /// </summary>
    internal int TrimCache()
    {
        var root = new DirectoryInfo(Path.Combine(platform.DataDir, "cache", "datasets"));
        if (!root.Exists)
        {
            return 0;
        }
        lock (TrimLock)
        {
            var cached = Measure();
            var total = cached.Sum(f => f.Length);
            var evicted = 0;
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var file in cached.OrderBy(f => f.LastAccessTimeUtc))
            {
                if (total <= settings.PlaintextCacheMaxBytes || now - file.LastAccessTimeUtc < RecentlyUsed)
                {
                    break;
                }
                total -= file.Length;
                file.Delete();
                evicted++;
            }
            cacheSize.Measured(total);
            return evicted;
        }
    }

    /// <summary>Plaintext cache files whose writing never finished (the process died half-way).</summary>
    public IEnumerable<FileInfo> PartialCacheFiles()
    {
        var root = new DirectoryInfo(Path.Combine(platform.DataDir, "cache", "datasets"));
        return root.Exists ? root.EnumerateFiles("*.partial", SearchOption.AllDirectories) : [];
    }

    private string CachePath(Guid tenantId, Guid versionId) => Path.Combine(CacheDirectory(tenantId), versionId.ToString("N") + ".parquet");
}

/// <summary>
/// The plaintext cache's size as this process last measured it plus what it added since (a singleton): lets
/// <see cref="DatasetFiles"/> skip listing the cache on every write while it is clearly under its bound.
/// </summary>
internal sealed class PlaintextCacheSize
{
    private readonly Lock _gate = new();
    private long? _bytes;

    /// <summary>Adds a new file's bytes; the first call measures the cache first. Returns the running total.</summary>
    public long Add(long bytes, Func<long> measure)
    {
        lock (_gate)
        {
            // The first measurement already holds the file just added.
            _bytes = _bytes is { } known ? known + bytes : measure();
            return _bytes.Value;
        }
    }

    /// <summary>Records an exact measurement (after a trim).</summary>
    public void Measured(long bytes)
    {
        lock (_gate)
        {
            _bytes = bytes;
        }
    }
}
