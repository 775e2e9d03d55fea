using System.Collections.Concurrent;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.ML.Prediction;

/// <summary>
/// Which version answers "model m, version v or alias a" for serving, remembered for <see cref="Lifetime"/> so a
/// prediction does not read the registry twice. A change on this node (alias moved or removed, version archived,
/// version trained) forgets the tenant's entries at once; another node sees it within <see cref="Lifetime"/>.
/// Only successful lookups are kept: a missing model or version is looked up again every time.
/// </summary>
internal sealed class ServingLookup(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private const int MaxEntries = 20_000;

    private readonly record struct Key(Guid Tenant, long Generation, string Model, int? Version, string? Alias);

    private readonly ConcurrentDictionary<Key, (MlModel Model, ModelVersion Version, long Until)> _entries = new();
    private readonly ConcurrentDictionary<Guid, long> _generations = new();

    public bool TryGet(Guid tenant, string model, int? version, string? alias, out (MlModel Model, ModelVersion Version) found)
    {
        if (_entries.TryGetValue(new Key(tenant, Generation(tenant), model, version, alias), out var entry) && entry.Until > time.GetTimestamp())
        {
            found = (entry.Model, entry.Version);
            return true;
        }
        found = default;
        return false;
    }

    public void Remember(Guid tenant, string model, int? version, string? alias, (MlModel Model, ModelVersion Version) found)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        var until = time.GetTimestamp() + (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
        _entries[new Key(tenant, Generation(tenant), model, version, alias)] = (found.Model, found.Version, until);
    }

    /// <summary>Forgets every lookup of the tenant (its registry changed on this node).</summary>
    public void Forget(Guid tenant) => _generations.AddOrUpdate(tenant, 1, (_, g) => g + 1);

    private long Generation(Guid tenant) => _generations.TryGetValue(tenant, out var g) ? g : 0;
}

/// <summary>
/// The serving side of the registry: a ready version by name, version or alias, through <see cref="ServingLookup"/>.
/// The registry (and its DbContext) is resolved only on a miss: a warm prediction builds no DbContext at all.
/// </summary>
internal sealed class ServingVersions(IServiceProvider services, ServingLookup lookup, ITenantContext tenant)
{
    public async Task<Result<(MlModel Model, ModelVersion Version)>> FindAsync(string model, int? version, string? alias, CancellationToken ct)
    {
        var tenantId = tenant.TenantId ?? Guid.Empty;
        if (lookup.TryGet(tenantId, model, version, alias, out var cached))
        {
            return cached;
        }
        var found = await services.GetRequiredService<RegistryHandlers>().FindVersionAsync(model, version, alias, ready: true, ct).ConfigureAwait(false);
        if (found.IsSuccess)
        {
            lookup.Remember(tenantId, model, version, alias, found.Value);
        }
        return found;
    }
}
