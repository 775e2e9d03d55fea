using Astralytiq.Platform.Alerting;
using Astralytiq.Platform.Health;
using Astralytiq.Platform.Quotas;
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
        services.AddCountedQuota<MlDbContext, Deployments.MlDeployment>(QuotaMetrics.Deployments, Deployments.DeploymentHandlers.CountPrefix, d => true, d => d.Id);
        services.AddSingleton<ModelCache>();
        services.AddScoped<ModelArtifacts>();
        services.AddScoped<RegistryHandlers>();
        services.AddScoped<TrainingHandlers>();
        services.AddScoped<Astralytiq.Platform.Quotas.IUsageKeyOwner, Training.ModelVersionUsageKeys>();
        services.AddScoped<PredictionHandlers>();
        services.AddScoped<MlEvents>();
        services.AddSingleton<ServingLookup>();
        services.AddScoped<ServingVersions>();
        services.AddSingleton<PredictionLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionLogWriter>());
        services.AddSingleton<MlRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<MlRetention>());
        services.AddSingleton<Deployments.DeploymentDirectory>();
        services.AddSingleton<Deployments.DeploymentMeter>();
        services.AddSingleton<Deployments.DeploymentMeterWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<Deployments.DeploymentMeterWriter>());
        services.AddSingleton<Deployments.ShadowRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<Deployments.ShadowRunner>());
        services.AddSingleton<Deployments.CanaryController>();
        services.AddHostedService(sp => sp.GetRequiredService<Deployments.CanaryController>());
        services.AddScoped<Deployments.DeploymentHandlers>();
        services.AddScoped<Deployments.DeploymentServing>();
        services.AddScoped<Deployments.DeploymentMetrics>();
        services.AddScoped<Deployments.CanaryStepper>();
        services.AddSingleton<Monitoring.DriftReferences>();
        services.AddScoped<Monitoring.DriftService>();
        services.AddSingleton<Monitoring.DriftScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<Monitoring.DriftScheduler>());
        services.AddScoped<Monitoring.FeedbackService>();
        services.AddScoped<Monitoring.RetrainingService>();
        services.AddSingleton<Monitoring.RetrainingController>();
        services.AddHostedService(sp => sp.GetRequiredService<Monitoring.RetrainingController>());
        services.AddAlertMetric<Monitoring.DeploymentDriftMetric>();
        services.AddAlertMetric<Monitoring.DeploymentErrorRateMetric>();
        services.AddAlertMetric<Monitoring.DeploymentQualityDropMetric>();
        services.AddAlertMetric<Monitoring.RetrainingFailuresMetric>();
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
        Deployments.DeploymentEndpoints.Map(group.MapGroup("/deployments"), routes.ServiceProvider.GetRequiredService<MlSettings>());
        return group;
    }
}
