namespace Astralytiq.Data.Datasets;

/// <summary>
/// After a crash (kill -9, power loss) the finally blocks that delete temporary files never ran. At start-up,
/// before any job runs, this removes every file in the data module's temporary folder that no queued or
/// running ingest job still needs (a received upload waiting to be read), the engine's spill files, and
/// half-written plaintext cache files.
/// </summary>
internal sealed partial class TempFileSweep(DatasetFiles files, IJobInventory jobs, ILogger<TempFileSweep> logger) : IStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var owned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var payload in await jobs.LivePayloadsAsync(IngestJob.Kind, cancellationToken).ConfigureAwait(false))
        {
            if (JsonSerializer.Deserialize<IngestWork>(payload, Astralytiq.Contracts.ApiJson.Options)?.TempPath is { } path)
            {
                owned.Add(Path.GetFullPath(path));
            }
        }
        var removed = 0;
        var temp = new DirectoryInfo(files.TempDirectory);
        foreach (var file in temp.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (!owned.Contains(file.FullName) && TryDelete(file))
            {
                removed++;
            }
        }
        foreach (var partial in files.PartialCacheFiles())
        {
            if (TryDelete(partial))
            {
                removed++;
            }
        }
        if (removed > 0)
        {
            LogSwept(logger, removed, owned.Count);
        }
    }

    private static bool TryDelete(FileInfo file)
    {
        try
        {
            file.Delete();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Count} temporary file(s) left by an earlier run; kept {Owned} that queued jobs still need")]
    private static partial void LogSwept(ILogger logger, int count, int owned);
}
