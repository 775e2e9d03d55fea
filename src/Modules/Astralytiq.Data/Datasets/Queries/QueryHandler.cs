using Astralytiq.Platform.Telemetry;

namespace Astralytiq.Data.Datasets.Queries;

/// <summary>Typed queries (dimensions, measures, filters) over a version, for widgets and the API.</summary>
internal sealed class QueryHandler(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    HybridCache cache,
    SharedDuckDb shared)
{
    /// <summary>Runs a typed query; cached by (version id, spec) — versions never change, so a hit is never stale.</summary>
    public async Task<Result<QueryResultResponse>> QueryAsync(Guid datasetId, QuerySpecDto spec, CancellationToken ct)
    {
        var found = await db.FindVersionAsync(datasetId, spec.Version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        var tenantId = tenant.TenantId!.Value;
        // Compile first with a placeholder path: an invalid spec is refused without touching files.
        var check = QueryEngine.Compile(v.Schema, spec, "t");
        if (!check.IsSuccess)
        {
            return check.Error!;
        }
        var key = "data-query:" + v.Id.ToString("N") + ":" + Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec with { Version = null }, ApiJson.Options)));
        var computed = false;
        CacheMetrics.Lookup("query");
        var result = await cache.GetOrCreateAsync(key, async token =>
        {
            computed = true;
            CacheMetrics.Miss("query");
            var source = await files.SourceAsync(tenantId, v, token);
            var compiled = QueryEngine.Compile(v.Schema, spec, source.Scan).Value;
            await using var duck = shared.Connect();
            var (columns, rows, truncated) = await QueryEngine.RunAsync(duck, compiled, token);
            return new QueryResultResponse(dataset.Id, v.Version, compiled.Output.Select(o => new ColumnDto(o.Name, o.Type, o.Type, true)).ToList(),
                columns, rows, truncated, Cached: false);
        }, new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(30), LocalCacheExpiration = TimeSpan.FromMinutes(30) }, cancellationToken: ct);
        return computed ? result : result with { Cached = true };
    }
}
