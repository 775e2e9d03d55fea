namespace Astralytiq.Platform.Jobs;

/// <summary>
/// Work a module does once when the node starts, after migrations and before any background job or outbox
/// dispatch runs (housekeeping after a crash, say). Registered as a scoped service; failures are logged and
/// do not stop the node.
/// </summary>
public interface IStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>What background work is still to run, for start-up housekeeping.</summary>
public interface IJobInventory
{
    /// <summary>The payloads of every queued or running job of a kind, across tenants.</summary>
    Task<IReadOnlyList<string>> LivePayloadsAsync(string kind, CancellationToken cancellationToken);
}

internal sealed class JobInventory(Persistence.PlatformDbContext db, Tenancy.ITenantContext tenant) : IJobInventory
{
    public async Task<IReadOnlyList<string>> LivePayloadsAsync(string kind, CancellationToken cancellationToken)
    {
        using var system = tenant.BeginSystemScope();
        return await db.Jobs.AsNoTracking()
            .Where(j => j.Kind == kind && (j.Status == Contracts.Jobs.JobStatus.Queued || j.Status == Contracts.Jobs.JobStatus.Running))
            .Select(j => j.PayloadJson).ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Runs every <see cref="IStartupTask"/> in order; registered before the job runner so they finish first.</summary>
internal sealed partial class StartupTaskRunner(IServiceProvider services, ILogger<StartupTaskRunner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        foreach (var task in scope.ServiceProvider.GetServices<IStartupTask>())
        {
            try
            {
                await task.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex, task.GetType().Name);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Start-up task {Task} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string task);
}
