namespace Astralytiq.Data.Datasets.Ingestion;

/// <summary>A received upload waiting to be read: the file on the server, how to read it, and the dataset to make.</summary>
internal sealed record IngestWork(string TempPath, string FileName, long Size, string Sha256, ParseOptions Options, string Name, string? Description,
    IReadOnlyList<Astralytiq.Contracts.Data.ColumnRuleDto>? Rules = null);

/// <summary>
/// Reads a large upload in the background. A file that cannot be read fails the job for good with the
/// same message an inline upload would give; the job's result is the dataset. The received file is
/// removed once the job is over; when the node dies first, the retry still has it (the start-up sweep keeps
/// files that live jobs own) and finds or redoes its work under the same ids (<see cref="WorkIds"/>).
/// </summary>
internal sealed class IngestJob(DatasetIngest ingest, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime) : IJobHandler
{
    public const string Kind = "data.ingest";

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<IngestWork>();
        var over = false;
        try
        {
            var stored = await ingest.IngestAndStoreAsync(work, TimeSpan.Zero,
                (fraction, message) => context.ReportProgressAsync(fraction, message, cancellationToken), cancellationToken, WorkIds.ForJob(context.JobId)).ConfigureAwait(false);
            if (!stored.IsSuccess)
            {
                var error = stored.Error!;
                // The details say what is wrong with the file; the generic "invalid data" heading adds nothing to them.
                var message = error.Details is { Count: > 0 } details ? string.Join("; ", details.Select(d => d.Message)) : error.Message;
                over = true;
                throw new PermanentJobFailureException(message);
            }
            over = true;
            await context.ReportProgressAsync(1, $"{stored.Value.RowCount:N0} rows stored", cancellationToken).ConfigureAwait(false);
            return stored.Value;
        }
        finally
        {
            // A transient failure (the database was unreachable, say) is retried, and a job interrupted by this node
            // stopping goes back to the queue: the received file must still be there for them.
            var retried = !context.IsLastAttempt || lifetime.ApplicationStopping.IsCancellationRequested;
            if (over || (cancellationToken.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested) || !retried)
            {
                File.Delete(work.TempPath);
            }
        }
    }
}
