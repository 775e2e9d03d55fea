namespace Astralytiq.Dashboards.Reports;

/// <summary>Where a run's files are kept (sealed with the tenant key) and how they are read back.</summary>
internal static class StoredReportFiles
{
    internal sealed record StoredFile(string Name, string Format, long Bytes);

    internal static IReadOnlyList<StoredFile> Files(ReportRun run) => JsonSerializer.Deserialize<List<StoredFile>>(run.FilesJson, ApiJson.Options) ?? [];

    internal static string BlobPath(ReportRun run, string name) => $"reports/{run.ReportId:N}/{run.Id:N}/{name}";

    internal static string Purpose(ReportRun run, string name) => $"report-file:{run.Id:N}:{name}";

    internal static async Task<byte[]?> ReadFileAsync(IBlobStorage blobs, TenantEncryptor encryptor, ReportRun run, StoredFile file, CancellationToken ct)
    {
        var stream = await blobs.OpenReadAsync(run.TenantId, BlobPath(run, file.Name), ct).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
            return await encryptor.DecryptAsync(run.TenantId, copy.ToArray(), Purpose(run, file.Name), ct).ConfigureAwait(false);
        }
    }
}
