using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Tenancy.Operator;

/// <summary>The platform operator's view of tenants: list, inspect, suspend, reactivate.</summary>
internal static class OperatorTenantEndpoints
{
    public const string Active = "active";
    public const string Suspended = "suspended";

    [Errors(400), EndpointName("ListTenants")]
    [EndpointSummary("Every tenant, with plan and status; search by name or slug, filter by status (platform operator)")]
    public static async Task<Results<Ok<Page<OperatorTenantResponse>>, ApiError>> List(
        string? search, string? status, int? offset, int? limit, TenancyDbContext db, ITenantContext context, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        var errors = new FieldErrors();
        if (o < 0)
        {
            errors.Add("offset", "offset must not be negative");
        }
        if (l is < 1 or > 200)
        {
            errors.Add("limit", "limit must be between 1 and 200");
        }
        if (status is not (null or Active or Suspended))
        {
            errors.Add("status", "status must be active or suspended");
        }
        if (search is { Length: > 100 })
        {
            errors.Add("search", "search must be at most 100 characters");
        }
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        // The operator stands outside every tenant: these reads lift the tenant filter (and, on PostgreSQL, RLS).
        using var system = context.BeginSystemScope();
        var query = db.Tenants.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // translated to SQL lower(...) LIKE on both databases, not run in .NET
            query = query.Where(t => t.Name.ToLower().Contains(term) || t.Slug.Contains(term));
#pragma warning restore CA1304, CA1311, CA1862
        }
        if (status is not null)
        {
            var active = status == Active;
            query = query.Where(t => t.IsActive == active);
        }
        var total = await query.CountAsync(ct);
        // Ordered by id after name so pages are stable; creation time is kept as text on SQLite, so not used for order.
        var page = await query.OrderBy(t => t.Name).ThenBy(t => t.Id).Skip(o).Take(l).ToListAsync(ct);
        return TypedResults.Ok(new Page<OperatorTenantResponse>(page.Select(ToResponse).ToList(), total, o, l));
    }

    [Errors(404), EndpointName("GetTenantAsOperator")]
    [EndpointSummary("One tenant, as the platform operator sees it")]
    public static async Task<Results<Ok<OperatorTenantResponse>, ApiError>> Get(Guid id, TenancyDbContext db, ITenantContext context, CancellationToken ct)
    {
        using var system = context.BeginSystemScope();
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        return tenant is null ? new ApiError(new NotFoundError("Tenant")) : TypedResults.Ok(ToResponse(tenant));
    }

    [Errors(404), EndpointName("GetTenantUsageAsOperator")]
    [EndpointSummary("One tenant's use of its plan and, with group_by (meter, day or user), its metered use between from and to; format=csv for a file (platform operator)")]
    public static async Task<Results<Ok<Astralytiq.Contracts.Usage.UsageResponse>, FileContentHttpResult, ApiError>> Usage(
        Guid id, TenancyDbContext db, ITenantContext context, Astralytiq.Platform.Quotas.UsageReports reports, CancellationToken ct,
        string? from = null, string? to = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_by")] string? groupBy = null, string? meter = null, string? format = null)
    {
        bool exists;
        using (context.BeginSystemScope())
        {
            exists = await db.Tenants.AsNoTracking().AnyAsync(t => t.Id == id, ct);
        }
        if (!exists)
        {
            return new ApiError(new NotFoundError("Tenant"));
        }
        // The tenant's own view, read in its scope: the same numbers its Admins see on their Billing page.
        using var scope = context.BeginTenantScope(id);
        return Astralytiq.Platform.Quotas.UsageReports.Answer(
            await reports.ReadAsync(new Astralytiq.Platform.Quotas.UsageQuery(from, to, groupBy, meter, format), ct));
    }

    [AuditedExplicitly, Errors(400, 404), EndpointName("SuspendTenant")]
    [EndpointSummary("Suspend a tenant: its users are signed out at once and cannot sign in, its API keys stop working (platform operator)")]
    public static async Task<Results<Ok<OperatorTenantResponse>, ApiError>> Suspend(
        Guid id, SuspendTenantRequest? request, TenancyDbContext db, ITenantContext context, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var reason = request?.Reason?.Trim();
        if (reason is { Length: > 500 })
        {
            return new ApiError(ValidationError.For("reason", "reason must be at most 500 characters"));
        }
        return await ChangeAsync(id, active: false, reason, db, context, audit, time, ct);
    }

    [AuditedExplicitly, Errors(404), EndpointName("ReactivateTenant")]
    [EndpointSummary("Lift a suspension; the tenant's users can sign in again (platform operator)")]
    public static async Task<Results<Ok<OperatorTenantResponse>, ApiError>> Reactivate(
        Guid id, TenancyDbContext db, ITenantContext context, IAuditLog audit, TimeProvider time, CancellationToken ct) =>
        await ChangeAsync(id, active: true, reason: null, db, context, audit, time, ct);

    private static async Task<Results<Ok<OperatorTenantResponse>, ApiError>> ChangeAsync(
        Guid id, bool active, string? reason, TenancyDbContext db, ITenantContext context, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        Tenant? tenant;
        using (context.BeginSystemScope())
        {
            tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct);
        }
        if (tenant is null)
        {
            return new ApiError(new NotFoundError("Tenant"));
        }
        if (tenant.IsActive != active)
        {
            tenant.IsActive = active;
            tenant.UpdatedAt = time.GetUtcNow();
            // The event is written in the tenant's name and in the same transaction as the change, so
            // Identity ends that tenant's sessions even if this process stops right after the commit.
            using (context.BeginTenantScope(id))
            {
                if (!active)
                {
                    db.Publish(new TenantSuspended(id, reason));
                }
                await db.SaveChangesAsync(ct);
            }
        }
        var details = new Dictionary<string, string> { ["status"] = active ? Active : Suspended };
        if (!string.IsNullOrEmpty(reason))
        {
            details["reason"] = reason;
        }
        // Recorded in the tenant's own chain, so its Admins see who suspended or reactivated it.
        await audit.RecordAsync(new AuditRecord(active ? "tenant.reactivated" : "tenant.suspended", AuditOutcome.Success, "tenant", id.ToString(), details)
        {
            TenantId = id,
            ActorId = context.UserId,
            ActorEmail = context.Email,
        }, ct);
        return TypedResults.Ok(ToResponse(tenant));
    }

    internal static OperatorTenantResponse ToResponse(Tenant t) =>
        new(t.Id, t.Name, t.Slug, t.Plan, t.IsActive ? Active : Suspended, t.CreatedAt, t.UpdatedAt) { PlanVersion = t.PlanVersion };
}
