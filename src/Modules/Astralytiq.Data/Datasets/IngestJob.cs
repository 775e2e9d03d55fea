using Astralytiq.Data.Engine;
using Astralytiq.Platform.Jobs;

namespace Astralytiq.Data.Datasets;

/// <summary>A received upload waiting to be read: the file on the server, how to read it, and the dataset to make.</summary>
internal sealed record IngestWork(string TempPath, string FileName, long Size, string Sha256, ParseOptions Options, string Name, string? Description,
    IReadOnlyList<Astralytiq.Contracts.Data.ColumnRuleDto>? Rules = null);

/// <summary>
/// Reads a large upload in the background. A file that cannot be read fails the job for good with the
/// same message an inline upload would give; the job's result is the dataset. The received file is
/// removed whatever the outcome (the job runs once: reading the same bytes again gives the same answer).
/// </summary>
internal sealed class IngestJob(DatasetHandlers handlers) : IJobHandler
{
    public const string Kind = "data.ingest";

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<IngestWork>();
        try
        {
            var stored = await handlers.IngestAndStoreAsync(work, TimeSpan.Zero,
                (fraction, message) => context.ReportProgressAsync(fraction, message, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (!stored.IsSuccess)
            {
                var error = stored.Error!;
                var detail = error.Details is { Count: > 0 } details ? ": " + string.Join("; ", details.Select(d => d.Message)) : string.Empty;
                throw new PermanentJobFailureException(error.Message + detail);
            }
            await context.ReportProgressAsync(1, $"{stored.Value.RowCount:N0} rows stored", cancellationToken).ConfigureAwait(false);
            return stored.Value;
        }
        finally
        {
            File.Delete(work.TempPath);
        }
    }
}
