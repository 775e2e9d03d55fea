namespace Astralytiq.Data.Datasets;

/// <summary>The stored files of a deleted dataset: each version's blob and its plaintext cache entry.</summary>
internal sealed record PurgeWork(Guid DatasetId, IReadOnlyList<PurgedVersion> Versions);

internal sealed record PurgedVersion(Guid Id, string BlobPath);

/// <summary>
/// Removes a deleted dataset's files in the background (a dataset may have many large versions); retried
/// on failure, and harmless to repeat (a file already gone is not an error).
/// </summary>
internal sealed class PurgeJob(DatasetFiles files) : IJobHandler
{
    public const string Kind = "data.purge";

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<PurgeWork>();
        for (var i = 0; i < work.Versions.Count; i++)
        {
            var version = work.Versions[i];
            await files.DeleteAsync(context.TenantId, new DatasetVersion { Id = version.Id, BlobPath = version.BlobPath }, cancellationToken).ConfigureAwait(false);
            await context.ReportProgressAsync((i + 1.0) / work.Versions.Count, $"{i + 1} of {work.Versions.Count} versions removed", cancellationToken).ConfigureAwait(false);
        }
        return work.Versions.Count;
    }
}
