namespace Astralytiq.Platform.Storage;

/// <summary>Files owned by a tenant, addressed by a relative path under the tenant's own prefix.</summary>
public interface IBlobStorage
{
    /// <summary>Creates the tenant's storage area (idempotent).</summary>
    Task EnsureTenantAreaAsync(Guid tenantId, CancellationToken cancellationToken);

    Task<bool> TenantAreaExistsAsync(Guid tenantId, CancellationToken cancellationToken);

    Task WriteAsync(Guid tenantId, string path, Stream content, CancellationToken cancellationToken);

    /// <returns>The content, or null when no such file exists.</returns>
    Task<Stream?> OpenReadAsync(Guid tenantId, string path, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(Guid tenantId, string path, CancellationToken cancellationToken);

    /// <summary>Removes the tenant's whole area (tenant erasure).</summary>
    Task DeleteTenantAreaAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Writes and removes a probe file, for readiness checks.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>Local-disk storage: <c>{data dir}/blobs/tenants/{tenant id}/{path}</c>. Writes are atomic (temp file, then rename).</summary>
internal sealed class LocalBlobStorage(PlatformOptions options) : IBlobStorage
{
    private readonly string _root = Path.Combine(options.DataDir, "blobs");

    public Task EnsureTenantAreaAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(TenantRoot(tenantId));
        return Task.CompletedTask;
    }

    public Task<bool> TenantAreaExistsAsync(Guid tenantId, CancellationToken cancellationToken) =>
        Task.FromResult(Directory.Exists(TenantRoot(tenantId)));

    public async Task WriteAsync(Guid tenantId, string path, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = Resolve(tenantId, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await content.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public Task<Stream?> OpenReadAsync(Guid tenantId, string path, CancellationToken cancellationToken)
    {
        var full = Resolve(tenantId, path);
        return Task.FromResult<Stream?>(File.Exists(full)
            ? new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true)
            : null);
    }

    public Task<bool> DeleteAsync(Guid tenantId, string path, CancellationToken cancellationToken)
    {
        var full = Resolve(tenantId, path);
        if (!File.Exists(full))
        {
            return Task.FromResult(false);
        }
        File.Delete(full);
        return Task.FromResult(true);
    }

    public Task DeleteTenantAreaAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var root = TenantRoot(tenantId);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        return Task.CompletedTask;
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        var probe = Path.Combine(_root, ".probe-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(probe, "ok", cancellationToken).ConfigureAwait(false);
        File.Delete(probe);
    }

    private string TenantRoot(Guid tenantId) =>
        tenantId == Guid.Empty
            ? throw new ArgumentException("A tenant id is required", nameof(tenantId))
            : Path.Combine(_root, "tenants", tenantId.ToString("N"));

    /// <summary>Resolves a relative path inside the tenant's area; anything escaping it is refused.</summary>
    internal string Resolve(Guid tenantId, string path)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A relative path is required", nameof(path));
        }
        var root = Path.GetFullPath(TenantRoot(tenantId)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, path));
        return full.StartsWith(root, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException("The path leaves the tenant's storage area", nameof(path));
    }
}
