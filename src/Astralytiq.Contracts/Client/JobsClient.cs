namespace Astralytiq.Contracts.Client;

/// <summary>Background jobs: list, follow, cancel.</summary>
public sealed class JobsClient(AstralytiqClient client) : AreaClient(client)
{
    /// <summary>
    /// Follows a job for at most an hour, reporting progress: on success hands its result to <paramref name="done"/>;
    /// a failed job answers 422 with its error under <paramref name="field"/>; after the hour, STILL_RUNNING
    /// with the job to follow (the job goes on: only this call stopped waiting).
    /// </summary>
    internal async Task<ApiResponse<T>> FollowAsync<T>(JobAcceptedResponse accepted, System.Net.Http.Headers.HttpResponseHeaders headers, string field, string failure,
        Func<JobResponse, Task<ApiResponse<T>>> done, IProgress<JobResponse>? progress, CancellationToken ct)
    {
        var job = await WaitAsync(accepted.JobId, progress, TimeSpan.FromHours(1), ct).ConfigureAwait(false);
        if (!job.IsSuccess)
        {
            return new ApiResponse<T> { Status = job.Status, Error = job.Error, Headers = job.Headers };
        }
        switch (job.Value!.Status)
        {
            case JobStatus.Succeeded:
                return await done(job.Value).ConfigureAwait(false);
            case JobStatus.Failed or JobStatus.Cancelled or JobStatus.DeadLettered:
                return new ApiResponse<T>
                {
                    Status = HttpStatusCode.UnprocessableEntity,
                    Error = new ErrorEnvelope(new ErrorBody(ErrorCodes.Validation, job.Value.Error ?? failure,
                        [new ErrorDetail(field, job.Value.Error ?? failure)], job.Value.Id.ToString(), Api.Time.GetUtcNow())),
                    Headers = job.Headers,
                };
            default:
                return new ApiResponse<T>
                {
                    Status = HttpStatusCode.RequestTimeout,
                    Error = new ErrorEnvelope(new ErrorBody("STILL_RUNNING", $"The job is still running; follow {accepted.StatusUrl}", null,
                        accepted.JobId.ToString(), Api.Time.GetUtcNow())),
                    Headers = headers,
                };
        }
    }

    /// <summary>
    /// Follows a job until it has ended (succeeded, failed, cancelled, dead-lettered) or <paramref name="timeout"/>
    /// has passed (default an hour), reporting each state it sees; answers the last state seen. The job API
    /// has no push channel, so this asks every 250 ms.
    /// </summary>
    public async Task<ApiResponse<JobResponse>> WaitAsync(Guid jobId, IProgress<JobResponse>? progress = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = Api.Time.GetUtcNow() + (timeout ?? TimeSpan.FromHours(1));
        // Short jobs end within a poll or two; long ones are asked about less often (50 ms, growing to 1 s).
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var job = await GetAsync(jobId, ct).ConfigureAwait(false);
            if (!job.IsSuccess)
            {
                return job;
            }
            progress?.Report(job.Value!);
            if (job.Value!.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.DeadLettered || Api.Time.GetUtcNow() >= deadline)
            {
                return job;
            }
            await Task.Delay(delay, Api.Time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 1.5));
        }
    }

    public Task<ApiResponse<Page<JobResponse>>> ListAsync(string? status = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<JobResponse>>(HttpMethod.Get, $"api/v1/jobs?offset={offset}&limit={limit}" + (status is null ? string.Empty : "&status=" + Uri.EscapeDataString(status)), null, ct);

    public Task<ApiResponse<JobResponse>> GetAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<JobResponse>(HttpMethod.Get, $"api/v1/jobs/{id}", null, ct);

    public Task<ApiResponse<JobResponse>> CancelAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<JobResponse>(HttpMethod.Delete, $"api/v1/jobs/{id}", null, ct);
}
