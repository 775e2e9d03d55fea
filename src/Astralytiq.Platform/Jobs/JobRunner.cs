using System.Diagnostics;
using Astralytiq.Platform.Telemetry;

namespace Astralytiq.Platform.Jobs;

internal sealed class JobScheduler(PlatformDbContext db, ITenantContext tenant, JobSignal signal, TimeProvider time) : IJobScheduler
{
    public async Task<Guid> EnqueueAsync(string kind, object payload, int maxAttempts = 3, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var job = new Job
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.TenantId ?? throw new InvalidOperationException("Jobs run for a tenant"),
            CreatedBy = tenant.UserId,
            Kind = kind,
            PayloadJson = JsonSerializer.Serialize(payload, payload.GetType(), JobJson.Options),
            MaxAttempts = Math.Clamp(maxAttempts, 1, 20),
            CreatedAt = now,
            NextAttemptAt = now,
            TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        PlatformMetrics.JobsEnqueued.Add(1, new KeyValuePair<string, object?>("astralytiq.job.kind", kind));
        signal.Pulse();
        return job.Id;
    }
}

/// <summary>Wakes workers as soon as work is queued instead of at the next poll.</summary>
internal sealed class JobSignal : Events.WakeSignal;

/// <summary>
/// Claims due jobs with a conditional update (exactly one node wins each), runs them with a lease that is
/// renewed while they run, retries failures with exponential backoff and dead-letters them after the last
/// attempt. A job whose node died is requeued when its lease expires. Cancellation is cooperative.
/// </summary>
internal sealed partial class JobRunner(
    IServiceProvider services,
    IEnumerable<JobHandlerRegistration> registrations,
    JobSignal signal,
    JobRunnerStatus status,
    JobSettings settings,
    TimeProvider time,
    ILogger<JobRunner> logger) : BackgroundService
{
    /// <summary>Attempts a job gets when its node dies under it, whatever its own retry count.</summary>
    internal const int CrashAttempts = 3;

    private readonly string _node = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..6];
    private readonly Dictionary<string, Type> _handlers = registrations.ToDictionary(r => r.Kind, r => r.HandlerType, StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.Workers)).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            status.Touch();
            bool ran;
            try
            {
                ran = await RunNextAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopError(logger, ex);
                ran = false;
            }
            if (!ran)
            {
                try
                {
                    await signal.WaitAsync(IdleWait(), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and runs one due job; false when there was none.</summary>
    internal async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        await using var scope = services.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        Job? job;
        // Polling is not traced: a worker's idle queries every second would bury the traces of real work.
        using (tenant.BeginSystemScope())
        using (OpenTelemetry.SuppressInstrumentationScope.Begin())
        {
            job = await ClaimAsync(db, stoppingToken).ConfigureAwait(false);
        }
        if (job is null)
        {
            return false;
        }
        using var tenantScope = tenant.BeginTenantScope(job.TenantId, job.CreatedBy);
        var kind = new KeyValuePair<string, object?>("astralytiq.job.kind", job.Kind);
        PlatformMetrics.JobQueueWait.Record(Math.Max(0, (time.GetUtcNow() - job.NextAttemptAt).TotalSeconds), kind);
        // The run joins the trace of the request that queued it, and logs with the job's and tenant's ids.
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        using var activity = PlatformMetrics.Source.StartActivity("job " + job.Kind, ActivityKind.Internal, parent);
        activity?.SetTag("astralytiq.job.id", job.Id.ToString()).SetTag("astralytiq.job.kind", job.Kind)
            .SetTag("astralytiq.job.attempt", job.Attempt).SetTag("astralytiq.tenant.id", job.TenantId.ToString());
        using var logScope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["JobId"] = job.Id,
            ["JobKind"] = job.Kind,
            ["TenantId"] = job.TenantId,
            ["UserId"] = job.CreatedBy,
        });
        PlatformMetrics.JobsRunning.Add(1, kind);
        var started = time.GetTimestamp();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var context = new JobContext(job, db, time, cancel);
        object? result = null;
        Exception? failure = null;
        using var heartbeat = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, settings.LeaseSeconds / 3)), time);
        var beating = HeartbeatAsync(job.Id, heartbeat, cancel);
        try
        {
            if (!_handlers.TryGetValue(job.Kind, out var handlerType))
            {
                throw new InvalidOperationException($"No handler for job kind '{job.Kind}'");
            }
            var handler = (IJobHandler)scope.ServiceProvider.GetRequiredService(handlerType);
            result = await handler.RunAsync(context, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            heartbeat.Dispose();
            await beating.ConfigureAwait(false);
            PlatformMetrics.JobsRunning.Add(-1, kind);
        }
        var outcome = await FinishAsync(db, job, result, failure, cancel.IsCancellationRequested && !stoppingToken.IsCancellationRequested,
            shuttingDown: stoppingToken.IsCancellationRequested).ConfigureAwait(false);
        var tags = new TagList { kind, { "astralytiq.job.outcome", outcome } };
        PlatformMetrics.JobAttempts.Add(1, tags);
        PlatformMetrics.JobDuration.Record(time.GetElapsedTime(started).TotalSeconds, tags);
        activity?.SetTag("astralytiq.job.outcome", outcome);
        if (failure is not null && outcome != "succeeded")
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            activity?.AddException(failure);
        }
        return true;
    }

    private TimeSpan IdleWait() => IdleWait(TimeSpan.FromMilliseconds(settings.PollMilliseconds), _earliestQueued, time.GetUtcNow());

    /// <summary>
    /// How long an idle worker sleeps: until the earliest queued job falls due (a retry's backoff), at most the poll
    /// interval (work queued by other nodes); work queued on this node wakes it at once through the signal.
    /// </summary>
    internal static TimeSpan IdleWait(TimeSpan poll, DateTimeOffset? earliestQueued, DateTimeOffset now)
    {
        var minimum = TimeSpan.FromMilliseconds(5);
        if (earliestQueued is not { } due || due - now >= poll)
        {
            return poll;
        }
        return due - now > minimum ? due - now : minimum;
    }

    /// <summary>Expired leases are looked for this often (and at a worker's first poll), not at every poll.</summary>
    private TimeSpan ReclaimInterval => TimeSpan.FromSeconds(Math.Clamp(settings.LeaseSeconds / 6.0, 1, 10));

    private DateTimeOffset? _earliestQueued;
    private DateTimeOffset _nextReclaim = DateTimeOffset.MinValue;

    private async Task<Job?> ClaimAsync(PlatformDbContext db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var lease = now.AddSeconds(settings.LeaseSeconds);
        if (now >= _nextReclaim)
        {
            _nextReclaim = now + ReclaimInterval;
            await ReclaimExpiredAsync(db, now, ct).ConfigureAwait(false);
        }
        // The few queued jobs that fall due first, due or not: the due ones are claimed, and when none is due the first
        // tells an idle worker how long it may sleep.
        var queued = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued)
            .OrderBy(j => j.NextAttemptAt).Select(j => new { j.Id, j.NextAttemptAt }).Take(5).ToListAsync(ct).ConfigureAwait(false);
        _earliestQueued = queued.Count > 0 ? queued[0].NextAttemptAt : null;
        foreach (var id in queued.Where(j => j.NextAttemptAt <= now).Select(j => j.Id))
        {
            var claimed = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Queued)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(j => j.Status, JobStatus.Running)
                    .SetProperty(j => j.LockedBy, _node)
                    .SetProperty(j => j.LockedUntil, lease)
                    .SetProperty(j => j.Attempt, j => j.Attempt + 1)
                    .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), ct).ConfigureAwait(false);
            if (claimed == 1)
            {
                return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id, ct).ConfigureAwait(false);
            }
        }
        return null;
    }

    private static async Task ReclaimExpiredAsync(PlatformDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        // Jobs whose node died: their lease ran out while running. They go back to the queue (a node dying is not the
        // job's failure: jobs find or redo their own work), up to CrashAttempts attempts; one whose node died that
        // often is dead-lettered (an input that crashes the process must not crash every node that picks it up, forever).
        await db.Jobs.Where(j => j.Status == JobStatus.Running && j.LockedUntil < now && j.Attempt >= CrashAttempts && j.Attempt >= j.MaxAttempts)
            .ExecuteUpdateAsync(u => u
                .SetProperty(j => j.Status, JobStatus.DeadLettered)
                .SetProperty(j => j.LockedBy, (string?)null)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.Error, "The server running this job stopped during each of its attempts"), ct).ConfigureAwait(false);
        await db.Jobs.Where(j => j.Status == JobStatus.Running && j.LockedUntil < now)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, JobStatus.Queued).SetProperty(j => j.LockedBy, (string?)null), ct).ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(Guid jobId, PeriodicTimer timer, CancellationTokenSource cancel)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await using var scope = services.CreateAsyncScope();
                using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
                using var quiet = OpenTelemetry.SuppressInstrumentationScope.Begin();
                var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
                var lease = time.GetUtcNow().AddSeconds(settings.LeaseSeconds);
                await db.Jobs.Where(j => j.Id == jobId && j.LockedBy == _node)
                    .ExecuteUpdateAsync(u => u.SetProperty(j => j.LockedUntil, lease)).ConfigureAwait(false);
                status.Touch();
                if (await db.Jobs.AnyAsync(j => j.Id == jobId && j.CancelRequested).ConfigureAwait(false))
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // the job finished while a beat was due
        }
    }

    /// <summary>Records how the attempt ended; returns the outcome the metrics name (succeeded, failed, retrying, …).</summary>
    private async Task<string> FinishAsync(PlatformDbContext db, Job claimed, object? result, Exception? failure, bool cancelled, bool shuttingDown)
    {
        string outcome;
        var now = time.GetUtcNow();
        var job = await db.Jobs.SingleAsync(j => j.Id == claimed.Id).ConfigureAwait(false);
        job.LockedBy = null;
        job.LockedUntil = null;
        if (shuttingDown && failure is OperationCanceledException)
        {
            // Interrupted by this node stopping: back to the queue, the attempt does not count.
            job.Status = JobStatus.Queued;
            job.Attempt--;
            job.NextAttemptAt = now;
            outcome = "interrupted";
        }
        else if (cancelled || (failure is OperationCanceledException && job.CancelRequested))
        {
            job.Status = JobStatus.Cancelled;
            job.FinishedAt = now;
            outcome = "cancelled";
        }
        else if (failure is null)
        {
            job.Status = JobStatus.Succeeded;
            job.Progress = 1;
            job.FinishedAt = now;
            job.ResultJson = result is null ? null : JsonSerializer.Serialize(result, result.GetType(), JobJson.Options);
            outcome = "succeeded";
        }
        else if (failure is PermanentJobFailureException)
        {
            // The handler's own words: what is wrong with the input. Not retried.
            job.Error = failure.Message;
            job.Status = JobStatus.Failed;
            job.FinishedAt = now;
            LogFailed(logger, job.Id, job.Kind, job.Attempt, failure.Message);
            outcome = "failed";
        }
        else
        {
            // Unexpected: the exception's text is for the log only (it may name internals); the user gets what happened.
            if (job.Attempt >= job.MaxAttempts)
            {
                job.Error = $"The job stopped on an unexpected error after {job.Attempt} attempt(s); quote job id {job.Id} when reporting it";
                job.Status = JobStatus.DeadLettered;
                job.FinishedAt = now;
                LogDeadLettered(logger, failure, job.Id, job.Kind, job.Attempt);
                outcome = "dead_lettered";
            }
            else
            {
                var delay = settings.RetryBaseMilliseconds * Math.Pow(2, job.Attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4);
                job.Error = $"Attempt {job.Attempt} stopped on an unexpected error; retrying";
                job.Status = JobStatus.Queued;
                job.NextAttemptAt = now.AddMilliseconds(delay);
                LogRetrying(logger, failure, job.Id, job.Kind, job.Attempt);
                outcome = "retrying";
            }
        }
        await db.SaveChangesAsync().ConfigureAwait(false);
        return outcome;
    }

    private sealed class JobContext(Job job, PlatformDbContext db, TimeProvider time, CancellationTokenSource cancel) : IJobContext
    {
        private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

        public Guid JobId => job.Id;

        public Guid TenantId => job.TenantId;

        public Guid? UserId => job.CreatedBy;

        public int Attempt => job.Attempt;

        public bool IsLastAttempt => job.Attempt >= job.MaxAttempts;

        public T Payload<T>() => JsonSerializer.Deserialize<T>(job.PayloadJson, JobJson.Options)!;

        public async Task ReportProgressAsync(double fraction, string? message, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            if (now - _lastReport < TimeSpan.FromMilliseconds(200) && fraction < 1)
            {
                return;
            }
            _lastReport = now;
            var clamped = Math.Clamp(fraction, 0, 1);
            var text = message is { Length: > 500 } ? message[..500] : message;
            await db.Jobs.Where(j => j.Id == job.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(j => j.Progress, clamped).SetProperty(j => j.ProgressMessage, text), cancellationToken).ConfigureAwait(false);
            if (await db.Jobs.AnyAsync(j => j.Id == job.Id && j.CancelRequested, cancellationToken).ConfigureAwait(false))
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job loop error")]
    private static partial void LogLoopError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) attempt {Attempt} failed, will retry")]
    private static partial void LogRetrying(ILogger logger, Exception exception, Guid jobId, string kind, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) failed on attempt {Attempt}: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid jobId, string kind, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) dead-lettered after attempt {Attempt}")]
    private static partial void LogDeadLettered(ILogger logger, Exception exception, Guid jobId, string kind, int attempt);
}
