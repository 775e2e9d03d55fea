using Astralytiq.Audit.Entries;
using Astralytiq.Audit.Persistence;
using Astralytiq.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Audit;

public static class AuditModule
{
    public static IServiceCollection AddAuditModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<AuditDbContext, AuditSqliteDbContext, AuditPostgresDbContext>(configuration, AuditDbContext.Module);
        services.AddScoped<IAuditLog, HashChainedAuditLog>();
        services.AddScoped<AuditChainVerifier>();
        return services;
    }

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/audit").WithTags("Audit").ProducesErrors(401, 403, 429);
        group.MapGet("/logs", AuditEndpoints.List)
            .RequirePermission(Permission.AuditRead)
            .ProducesErrors(400)
            .WithName("ListAuditLogs")
            .WithSummary("The tenant's audit log, newest first, filtered by action prefix, actor, resource, outcome and time (Admin)");
        group.MapGet("/verify", AuditEndpoints.Verify)
            .RequirePermission(Permission.AuditRead)
            .WithName("VerifyAuditChain")
            .WithSummary("Recomputes the tenant's hash chain and reports the first broken link, if any (Admin)");
        return group;
    }
}
