using Astralytiq.Platform.Health;
namespace Astralytiq.Platform.Jobs;

internal static class JobEndpoints
{
    [RequiresPermission(Permission.JobsRead), Errors(404), EndpointName("GetJob")]
    [EndpointSummary("A background job: status, progress and message, attempts, error, result")]
    public static async Task<Results<Ok<JobResponse>, ApiError>> Get(Guid id, PlatformDbContext db, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, ct);
        return job is null ? new ApiError(new NotFoundError("Job")) : TypedResults.Ok(job.ToResponse());
    }

    [RequiresPermission(Permission.JobsRead), Errors(400), EndpointName("ListJobs")]
    [EndpointSummary("The tenant's background jobs, newest first, optionally by status")]
    public static async Task<Results<Ok<Page<JobResponse>>, ApiError>> List(string? status, int? offset, int? limit, PlatformDbContext db, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        if (o < 0 || l is < 1 or > 200)
        {
            return new ApiError(ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200"));
        }
        var query = db.Jobs.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<JobStatus>(status.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var parsed))
            {
                return new ApiError(ValidationError.For("status", "status must be queued, running, succeeded, failed, cancelled or dead_lettered"));
            }
            query = query.Where(j => j.Status == parsed);
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(j => j.CreatedAt).Skip(o).Take(l).ToListAsync(ct);
        return TypedResults.Ok(new Page<JobResponse>(items.Select(j => j.ToResponse()).ToList(), total, o, l));
    }

    /// <summary>Cancels at once when queued; asks a running job to stop (it does at its next progress report or heartbeat).</summary>
    [RequiresPermission(Permission.JobsManage), Errors(404, 409), EndpointName("CancelJob")]
    [EndpointSummary("Cancel a queued or running job")]
    public static async Task<Results<Ok<JobResponse>, ApiError>> Cancel(Guid id, PlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (job is null)
        {
            return new ApiError(new NotFoundError("Job"));
        }
        if (job.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.DeadLettered)
        {
            return new ApiError(new ConflictError($"The job has already finished ({job.Status})"));
        }
        var queued = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.FinishedAt, time.GetUtcNow()), ct);
        if (queued == 0)
        {
            await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(u => u.SetProperty(j => j.CancelRequested, true), ct);
        }
        var current = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id, ct);
        return TypedResults.Ok(current.ToResponse());
    }

    public static RouteGroupBuilder Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/jobs").WithTags("Jobs").ForModule(PlatformDbContext.Module).ProducesErrors(401, 403, 429);
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapDelete("/{id:guid}", Cancel);
        return group;
    }
}
