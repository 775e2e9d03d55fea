namespace Astralytiq.Platform.Jobs;

/// <summary>What a running job knows and can tell: who it runs for, its input, and how far it got.</summary>
public interface IJobContext
{
    Guid JobId { get; }

    Guid TenantId { get; }

    Guid? UserId { get; }

    int Attempt { get; }

    /// <summary>True when a failure of this attempt will not be retried (its last allowed attempt).</summary>
    bool IsLastAttempt { get; }

    T Payload<T>();

    /// <summary>Records progress (0..1) with a message the user sees; cheap to call often.</summary>
    Task ReportProgressAsync(double fraction, string? message, CancellationToken cancellationToken);
}

/// <summary>Runs one kind of job. Throw to fail (retried with backoff); return a result to store with the job.</summary>
public interface IJobHandler
{
    Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken);
}

/// <summary>Which handler runs which kind of job; added by <see cref="JobRegistration.AddJobHandler{THandler}"/>.</summary>
public sealed record JobHandlerRegistration(string Kind, Type HandlerType);

public static class JobRegistration
{
    /// <summary>Registers a (scoped) handler for a job kind, e.g. <c>data.ingest</c>.</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind)
        where THandler : class, IJobHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new JobHandlerRegistration(kind, typeof(THandler)));
        return services;
    }
}

/// <summary>
/// Thrown by a handler for a failure that retrying cannot fix, usually the input (a file that cannot be read, data
/// a model cannot learn from): the job ends <c>failed</c> at once with this message, which the user reads, so it
/// says what is wrong in their words. Anything else a handler throws is unexpected: retried, then dead-lettered
/// with a generic message (the details go to the log, never to the user).
/// </summary>
public sealed class PermanentJobFailureException(string message) : Exception(message);

public interface IJobScheduler
{
    /// <summary>Queues a job for the current tenant; returns its id (poll <c>GET /api/v1/jobs/{id}</c>).</summary>
    Task<Guid> EnqueueAsync(string kind, object payload, int maxAttempts = 3, CancellationToken cancellationToken = default);
}

public sealed class JobSettings
{
    [Range(10, 600_000)]
    public int PollMilliseconds { get; set; } = 500;

    [Range(1, 86_400)]

    public int LeaseSeconds { get; set; } = 60;

    [Range(0, 256)]

    public int Workers { get; set; } = 2;

    /// <summary>First retry delay; doubled on each further attempt (plus jitter).</summary>
    [Range(1, 3_600_000)]
    public int RetryBaseMilliseconds { get; set; } = 1000;

    public bool Enabled { get; set; } = true;
}

internal static class JobJson
{
    public static readonly JsonSerializerOptions Options = Contracts.ApiJson.Options;
}
