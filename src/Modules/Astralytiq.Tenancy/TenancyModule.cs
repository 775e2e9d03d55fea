using Astralytiq.Platform.Health;
using Astralytiq.Tenancy.Operator;
using Astralytiq.Tenancy.Provisioning;
using Astralytiq.Tenancy.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tenancy;

public static class TenancyModule
{
    public static IServiceCollection AddTenancyModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<TenancyDbContext, TenancySqliteDbContext, TenancyPostgresDbContext>(configuration, TenancyDbContext.Module);
        services.AddMemoryCache();
        services.AddScoped<TenantProvisioner>();
        services.AddScoped<ITenantProvisioner>(sp => sp.GetRequiredService<TenantProvisioner>());
        services.AddScoped<ITenantDirectory>(sp => sp.GetRequiredService<TenantProvisioner>());
        services.AddScoped<ITenantKeyStore, TenantKeyStore>();
        services.AddScoped<Astralytiq.Platform.Quotas.IPlanResolver, Tenants.TenantPlanResolver>();
        services.AddScoped<ITenantPlans, Tenants.TenantPlans>();
        services.AddScoped<ITenantFeatureSwitches, Tenants.TenantFeatureSwitches>();
        return services;
    }

    public static RouteGroupBuilder MapTenancyEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/tenants").WithTags("Tenants").ForModule(TenancyDbContext.Module).ProducesErrors(401, 403, 429);
        group.MapGet("/current", TenantSettingsEndpoints.GetCurrent);
        group.MapPut("/current", TenantSettingsEndpoints.UpdateCurrent);

        var ops = routes.MapGroup("/operator/tenants").WithTags("Operator").ForModule(TenancyDbContext.Module).ProducesErrors(401, 403, 429)
            .RequirePermission(Permission.PlatformManage);
        ops.MapGet("/", OperatorTenantEndpoints.List);
        ops.MapGet("/{id:guid}", OperatorTenantEndpoints.Get);
        ops.MapGet("/{id:guid}/usage", OperatorTenantEndpoints.Usage);
        ops.MapPost("/{id:guid}/suspend", OperatorTenantEndpoints.Suspend);
        ops.MapPost("/{id:guid}/reactivate", OperatorTenantEndpoints.Reactivate);
        return group;
    }
}
