using Astralytiq.Platform.Security;
using Astralytiq.Tenancy.Contracts;
using Astralytiq.Tenancy.Operator;
using Astralytiq.Tenancy.Persistence;
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
        return services;
    }

    public static RouteGroupBuilder MapTenancyEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/tenants").WithTags("Tenants").ProducesErrors(401, 403, 429);
        group.MapGet("/current", TenantSettingsEndpoints.GetCurrent)
            .RequirePermission(Permission.SettingsRead)
            .WithName("GetCurrentTenant")
            .WithSummary("The caller's tenant: name, plan, branding, time zone, locale and feature toggles");
        group.MapPut("/current", TenantSettingsEndpoints.UpdateCurrent)
            .RequirePermission(Permission.SettingsManage)
            .Audit("tenant.settings_changed", "tenant")
            .ProducesErrors(400, 413)
            .WithName("UpdateCurrentTenant")
            .WithSummary("Change the tenant's name, branding, time zone, locale or feature toggles (Admin)");

        var ops = routes.MapGroup("/operator/tenants").WithTags("Operator").ProducesErrors(401, 403, 429)
            .RequirePermission(Permission.PlatformManage);
        ops.MapGet("/", OperatorTenantEndpoints.List)
            .ProducesErrors(400)
            .WithName("ListTenants")
            .WithSummary("Every tenant, with plan and status; search by name or slug, filter by status (platform operator)");
        ops.MapGet("/{id:guid}", OperatorTenantEndpoints.Get)
            .ProducesErrors(404)
            .WithName("GetTenantAsOperator")
            .WithSummary("One tenant, as the platform operator sees it");
        ops.MapPost("/{id:guid}/suspend", OperatorTenantEndpoints.Suspend)
            .AuditedExplicitly()
            .ProducesErrors(400, 404)
            .WithName("SuspendTenant")
            .WithSummary("Suspend a tenant: its users are signed out at once and cannot sign in, its API keys stop working (platform operator)");
        ops.MapPost("/{id:guid}/reactivate", OperatorTenantEndpoints.Reactivate)
            .AuditedExplicitly()
            .ProducesErrors(404)
            .WithName("ReactivateTenant")
            .WithSummary("Lift a suspension; the tenant's users can sign in again (platform operator)");
        return group;
    }
}
