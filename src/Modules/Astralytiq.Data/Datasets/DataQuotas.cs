using Astralytiq.Platform.Quotas;

namespace Astralytiq.Data.Datasets;

/// <summary>
/// The Data module's use of plan quotas: storage and dataset count (gauges, given back on delete) and rows
/// ingested from outside (a monthly counter). Each version records its use under its own id, so a retried
/// operation never counts twice and a failed one gives everything back.
/// </summary>
/// <summary>What a version brought in from outside: its rows and the bytes received.</summary>
internal sealed record Ingested(long Rows, long Bytes);

internal sealed class DataQuotas(IQuotas quotas)
{
    private static string VersionKey(Guid versionId) => "dataset-version:" + versionId.ToString("N");

    private static string DatasetKey(Guid datasetId) => "dataset:" + datasetId.ToString("N");

    /// <summary>
    /// Before any work: the file fits the plan's per-file cap, storage is not full, (for a new dataset) the count
    /// allows one more, and (when rows come from outside) this month's rows are not used up.
    /// </summary>
    public async Task<Result<Unit>> PreCheckAsync(long? uploadBytes, bool newDataset, bool ingest, CancellationToken ct)
    {
        if (ingest)
        {
            var rows = await quotas.CheckAsync(QuotaMetrics.RowsIngested, 1, ct).ConfigureAwait(false);
            if (!rows.IsSuccess)
            {
                return rows;
            }
        }
        if (uploadBytes is { } bytes)
        {
            var cap = await quotas.CheckAsync(QuotaMetrics.UploadBytes, bytes, ct).ConfigureAwait(false);
            if (!cap.IsSuccess)
            {
                return cap;
            }
        }
        var storage = await quotas.CheckAsync(QuotaMetrics.StorageBytes, 1, ct).ConfigureAwait(false);
        if (!storage.IsSuccess)
        {
            return storage;
        }
        return newDataset ? await quotas.CheckAsync(QuotaMetrics.Datasets, 1, ct).ConfigureAwait(false) : Unit.Value;
    }

    /// <summary>Records a new version's use: its stored bytes, the dataset when it is new, the rows and bytes that came from outside. All or nothing.</summary>
    public async Task<Result<Unit>> ConsumeAsync(DatasetVersion version, bool newDataset, Ingested? ingested, CancellationToken ct)
    {
        var done = new List<string>();
        async Task<Result<Unit>> Use(string metric, long amount, string key)
        {
            var used = await quotas.ConsumeAsync(metric, amount, key, ct).ConfigureAwait(false);
            if (used.IsSuccess)
            {
                done.Add(metric);
            }
            return used;
        }
        var result = await Use(QuotaMetrics.StorageBytes, version.StoredBytes, VersionKey(version.Id)).ConfigureAwait(false);
        if (result.IsSuccess && newDataset)
        {
            result = await Use(QuotaMetrics.Datasets, 1, DatasetKey(version.DatasetId)).ConfigureAwait(false);
        }
        if (result.IsSuccess && ingested is { } input)
        {
            result = await Use(QuotaMetrics.RowsIngested, input.Rows, VersionKey(version.Id)).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                result = await Use(QuotaMetrics.BytesIngested, input.Bytes, VersionKey(version.Id)).ConfigureAwait(false);
            }
        }
        if (!result.IsSuccess)
        {
            await ReleaseAsync(version, done.Contains(QuotaMetrics.Datasets), done.Contains(QuotaMetrics.RowsIngested), CancellationToken.None).ConfigureAwait(false);
        }
        else if (ingested is { } counted)
        {
            Engine.DataTelemetry.IngestRows.Add(counted.Rows);
            Engine.DataTelemetry.IngestBytes.Add(counted.Bytes);
        }
        return result;
    }

    /// <summary>Gives back what a version recorded (its write failed): storage, the dataset, and the rows and bytes ingested when asked.</summary>
    public async Task ReleaseAsync(DatasetVersion version, bool dataset, bool rows, CancellationToken ct)
    {
        await quotas.ReleaseAsync(QuotaMetrics.StorageBytes, VersionKey(version.Id), ct).ConfigureAwait(false);
        if (dataset)
        {
            await quotas.ReleaseAsync(QuotaMetrics.Datasets, DatasetKey(version.DatasetId), ct).ConfigureAwait(false);
        }
        if (rows)
        {
            await quotas.ReleaseAsync(QuotaMetrics.RowsIngested, VersionKey(version.Id), ct).ConfigureAwait(false);
            await quotas.ReleaseAsync(QuotaMetrics.BytesIngested, VersionKey(version.Id), ct).ConfigureAwait(false);
        }
    }

    /// <summary>A deleted dataset frees its storage and its place in the count; rows ingested this month stay counted.</summary>
    public async Task ReleaseDeletedAsync(Guid datasetId, IEnumerable<Guid> versionIds, CancellationToken ct)
    {
        foreach (var id in versionIds)
        {
            await quotas.ReleaseAsync(QuotaMetrics.StorageBytes, VersionKey(id), ct).ConfigureAwait(false);
        }
        await quotas.ReleaseAsync(QuotaMetrics.Datasets, DatasetKey(datasetId), ct).ConfigureAwait(false);
    }
}

/// <summary>The Data module's usage keys for the reconciler: a version's (storage, rows, bytes) and a dataset's (its place in the count).</summary>
internal sealed class VersionUsageKeys(DataDbContext db) : IdUsageKeyOwner("dataset-version:")
{
    protected override Task<List<Guid>> FoundAsync(List<Guid> ids, CancellationToken cancellationToken) =>
        db.Versions.AsNoTracking().Where(v => ids.Contains(v.Id)).Select(v => v.Id).ToListAsync(cancellationToken);
}

internal sealed class DatasetUsageKeys(DataDbContext db) : IdUsageKeyOwner("dataset:")
{
    protected override Task<List<Guid>> FoundAsync(List<Guid> ids, CancellationToken cancellationToken) =>
        db.Datasets.AsNoTracking().Where(d => ids.Contains(d.Id)).Select(d => d.Id).ToListAsync(cancellationToken);
}
