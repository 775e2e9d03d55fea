using Astralytiq.Platform.Health;
using Astralytiq.Platform.Configuration;
using Astralytiq.ML.Prediction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.ML;

public static class MLModule
{
    public static IServiceCollection AddMLModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<MlDbContext, MlSqliteDbContext, MlPostgresDbContext>(configuration, MlDbContext.Module);
        services.AddSingleton(SettingsBinder.Bind<MlSettings>(configuration, "Astralytiq:ML"));
        services.AddSingleton<ModelCache>();
        services.AddScoped<ModelArtifacts>();
        services.AddScoped<RegistryHandlers>();
        services.AddScoped<TrainingHandlers>();
        services.AddScoped<Astralytiq.Platform.Quotas.IUsageKeyOwner, Training.ModelVersionUsageKeys>();
        services.AddScoped<PredictionHandlers>();
        services.AddScoped<Contracts.IModelReader, Contracts.ModelReader>();
        services.AddJobHandler<TrainingJob>(TrainingJob.Kind);
        services.AddScoped<ScoringHandlers>();
        services.AddJobHandler<ScoringJob>(ScoringJob.Kind);
        return services;
    }

    /// <summary>Every feature maps its own endpoints (its folder holds mapping, handler and checks).</summary>
    public static RouteGroupBuilder MapMLEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ml").WithTags("Machine learning").ForModule(MlDbContext.Module).ProducesErrors(401, 403, 429);
        var models = group.MapGroup("/models");
        TrainingEndpoints.Map(models);
        RegistryEndpoints.Map(models);
        PredictionEndpoints.Map(models, routes.ServiceProvider.GetRequiredService<MlSettings>());
        return group;
    }
}
