using System.Collections.Concurrent;
using Astralytiq.Platform.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Infrastructure;

public sealed record StepsPayload(int Steps, int FailFirstAttempts = 0, bool Permanent = false, bool UntilCancelled = false, string? Marker = null);

/// <summary>A job that counts to N reporting progress; it can fail its first attempts, fail for good, or run until cancelled.</summary>
public sealed class StepsJobHandler : IJobHandler
{
    public const string Kind = "test.steps";

    /// <summary>How many times each job id ran, across every runner in the process.</summary>
    public static ConcurrentDictionary<Guid, int> Runs { get; } = new();

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        Runs.AddOrUpdate(context.JobId, 1, (_, n) => n + 1);
        var payload = context.Payload<StepsPayload>();
        if (payload.Permanent)
        {
            throw new PermanentJobFailureException("the input can never work");
        }
        if (context.Attempt <= payload.FailFirstAttempts)
        {
            throw new InvalidOperationException($"transient failure on attempt {context.Attempt}");
        }
        for (var i = 1; payload.UntilCancelled || i <= payload.Steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await context.ReportProgressAsync(payload.UntilCancelled ? 0.5 : (double)i / payload.Steps, $"step {i} of {payload.Steps}", cancellationToken);
            await Task.Delay(payload.UntilCancelled ? 50 : 5, cancellationToken);
        }
        return new { counted = payload.Steps, marker = payload.Marker };
    }
}

public static class FailedJobs
{
    /// <summary>Queues a job of the tenant that fails for good at its first attempt, and waits until it has.</summary>
    public static async Task<Guid> FailForGoodAsync(PlatformFixture platform, TestTenant tenant)
    {
        Guid job;
        await using (var scope = platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id, tenant.AdminUser.Id);
            job = await scope.ServiceProvider.GetRequiredService<IJobScheduler>().EnqueueAsync(StepsJobHandler.Kind, new StepsPayload(1, Permanent: true), 1);
        }
        await Eventually.TrueAsync(async () => (await tenant.Admin.Jobs.GetAsync(job)).EnsureValue().Status is Contracts.Jobs.JobStatus.Failed or Contracts.Jobs.JobStatus.DeadLettered,
            TimeSpan.FromSeconds(30), "the job failed for good");
        return job;
    }
}
