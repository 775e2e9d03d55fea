using System.Net;
using System.Text;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Identity.Persistence;
using Astralytiq.Platform.Events;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.Tenancy;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Platform;

public abstract class JobsAndOutboxTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private async Task<Guid> EnqueueAsync(TestTenant tenant, StepsPayload payload, int maxAttempts = 3)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenant.Id, tenant.AdminUser.Id);
        return await scope.ServiceProvider.GetRequiredService<IJobScheduler>().EnqueueAsync(StepsJobHandler.Kind, payload, maxAttempts);
    }

    private static async Task<JobResponse> WaitAsync(TestTenant tenant, Guid id, Func<JobResponse, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = (await tenant.Admin.Jobs.GetAsync(id, timeout.Token)).EnsureValue();
            if (until(job))
            {
                return job;
            }
            await Task.Delay(20, timeout.Token);
        }
    }

    private static bool Finished(JobResponse j) => j.Status is JobStatus.Succeeded or JobStatus.Cancelled or JobStatus.DeadLettered or JobStatus.Failed;

    [Fact]
    public async Task A_job_shows_progress_and_finishes_with_its_result_for_its_own_tenant_only()
    {
        var tenant = await Platform.NewTenantAsync();
        var other = await Platform.NewTenantAsync();
        var id = await EnqueueAsync(tenant, new StepsPayload(40, Marker: "m-1"));

        var midway = await WaitAsync(tenant, id, j => j.Progress is > 0 and < 1 || Finished(j));
        Assert.Contains("step", midway.ProgressMessage ?? "step", StringComparison.Ordinal);
        var done = await WaitAsync(tenant, id, Finished);
        Assert.Equal((JobStatus.Succeeded, 1.0, 1), (done.Status, done.Progress, done.Attempt));
        Assert.Contains("\"marker\":\"m-1\"", done.ResultJson, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Jobs.GetAsync(id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Jobs.CancelAsync(id)).Status);
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_the_last_failure_is_dead_lettered()
    {
        var tenant = await Platform.NewTenantAsync();
        var recovers = await EnqueueAsync(tenant, new StepsPayload(2, FailFirstAttempts: 2), maxAttempts: 3);
        var exhausts = await EnqueueAsync(tenant, new StepsPayload(2, FailFirstAttempts: 5), maxAttempts: 3);
        var permanent = await EnqueueAsync(tenant, new StepsPayload(2, Permanent: true), maxAttempts: 3);

        var ok = await WaitAsync(tenant, recovers, Finished);
        Assert.Equal((JobStatus.Succeeded, 3), (ok.Status, ok.Attempt));
        var dead = await WaitAsync(tenant, exhausts, Finished);
        Assert.Equal((JobStatus.DeadLettered, 3), (dead.Status, dead.Attempt));
        // An unexpected exception's text is the log's, not the user's: they read what happened and what to quote.
        Assert.Equal($"The job stopped on an unexpected error after 3 attempt(s); quote job id {exhausts} when reporting it", dead.Error);
        Assert.DoesNotContain("transient failure", dead.Error, StringComparison.Ordinal);
        // A handler's permanent failure is the input's: failed at once, in the handler's words, never retried.
        var gaveUp = await WaitAsync(tenant, permanent, Finished);
        Assert.Equal((JobStatus.Failed, 1, "the input can never work"), (gaveUp.Status, gaveUp.Attempt, gaveUp.Error));
    }

    [Fact]
    public async Task A_running_job_stops_when_cancelled_and_a_finished_one_cannot_be()
    {
        var tenant = await Platform.NewTenantAsync();
        var id = await EnqueueAsync(tenant, new StepsPayload(1, UntilCancelled: true));
        await WaitAsync(tenant, id, j => j.Status == JobStatus.Running && j.Progress > 0);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Jobs.CancelAsync(id)).Status);

        var cancelled = await WaitAsync(tenant, id, Finished);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Admin.Jobs.CancelAsync(id)).Status);
        var (viewer, _) = await Platform.AddUserAsync(tenant, Role.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Jobs.GetAsync(id)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Jobs.CancelAsync(id)).Status);
    }

    [Fact]
    public async Task Two_runners_competing_for_the_same_jobs_run_each_exactly_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await EnqueueAsync(tenant, new StepsPayload(1)));
        }
        // A second "node": another runner over the same database, racing the host's own workers.
        var competitor = ActivatorUtilities.CreateInstance<JobRunner>(Platform.Services);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var racing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && ids.Any(id => !StepsJobHandler.Runs.ContainsKey(id)))
            {
                await competitor.RunNextAsync(stop.Token);
            }
        });
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Succeeded, (await WaitAsync(tenant, id, Finished)).Status);
        }
        await stop.CancelAsync();
        await racing.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.All(ids, id => Assert.Equal(1, StepsJobHandler.Runs[id]));
    }

    [Fact]
    public async Task Emails_travel_through_the_outbox_encrypted_and_are_erased_once_delivered()
    {
        var tenant = await Platform.NewTenantAsync();
        var email = PlatformFixture.NewEmail("invitee");
        (await tenant.Admin.Users.InviteAsync(new InviteUserRequest(email, Role.Viewer))).EnsureValue();
        var token = await Platform.InvitationTokenAsync(email);

        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var row = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Type == typeof(EmailRequested).FullName)
            .OrderByDescending(m => m.OccurredAt).FirstAsync();
        // The mail can arrive a moment before its row is marked dispatched (and other tests send mail too): wait for the mark.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); row.DispatchedAt is null && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            row = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == row.Id);
        }
        Assert.True(row.Encrypted);
        Assert.NotNull(row.DispatchedAt);
        Assert.DoesNotContain(token, row.Payload, StringComparison.Ordinal);
        Assert.Equal(string.Empty, row.Payload);
    }

    [Fact]
    public async Task Idempotency_key_replays_the_first_response_and_refuses_a_different_body()
    {
        var tenant = await Platform.NewTenantAsync();
        using var http = Platform.NewHttpClient();
        var key = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> PostAsync(string email)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/users/invitations");
            request.Headers.Authorization = new("Bearer", tenant.Admin.AccessToken);
            request.Headers.Add("Idempotency-Key", key);
            request.Content = new StringContent($"{{\"email\":\"{email}\",\"role\":\"viewer\"}}", Encoding.UTF8, "application/json");
            return await http.SendAsync(request);
        }
        var email = PlatformFixture.NewEmail("once");
        var first = await PostAsync(email);
        var second = await PostAsync(email);
        var other = await PostAsync(PlatformFixture.NewEmail("other"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Contains("IDEMPOTENCY_KEY_REUSED", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single((await tenant.Admin.Users.ListInvitationsAsync()).EnsureValue());
    }
}

public sealed class JobsAndOutboxTests_Sqlite(SqlitePlatform platform) : JobsAndOutboxTests<SqlitePlatform>(platform);

public sealed class JobsAndOutboxTests_Postgres(PostgresPlatform platform) : JobsAndOutboxTests<PostgresPlatform>(platform);
