using Astralytiq.Platform.Health;
using Astralytiq.Audit.Entries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Audit;

public static class AuditModule
{
    public static IServiceCollection AddAuditModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<AuditDbContext, AuditSqliteDbContext, AuditPostgresDbContext>(configuration, AuditDbContext.Module);
        services.AddScoped<IAuditLog, HashChainedAuditLog>();
        services.AddSingleton<AuditSpool>();
        services.AddHostedService<AuditSpoolDrainer>();
        services.AddScoped<AuditChainVerifier>();
        return services;
    }

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/audit").WithTags("Audit").ForModule(AuditDbContext.Module).ProducesErrors(401, 403, 429);
        group.MapGet("/logs", AuditEndpoints.List);
        group.MapGet("/verify", AuditEndpoints.Verify);
        return group;
    }
}
