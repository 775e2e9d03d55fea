using Astralytiq.Platform.Health;
using Astralytiq.Data.Datasets.Append;
using Astralytiq.Data.Datasets.Catalog;
using Astralytiq.Data.Datasets.Imports;
using Astralytiq.Data.Datasets.Lineage;
using Astralytiq.Data.Datasets.Preview;
using Astralytiq.Data.Datasets.Quality;
using Astralytiq.Data.Datasets.Queries;
using Astralytiq.Data.Datasets.Samples;
using Astralytiq.Data.Datasets.Upload;
using Astralytiq.Data.Pipelines;
using Astralytiq.Data.Sql;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Data;

public static class DataModule
{
    public static IServiceCollection AddDataModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<DataDbContext, DataSqliteDbContext, DataPostgresDbContext>(configuration, DataDbContext.Module);
        var settings = SettingsBinder.Bind<DataSettings>(configuration, "Astralytiq:Data");
        services.AddSingleton(sp =>
        {
            if (string.IsNullOrEmpty(settings.DuckDbTempDirectory))
            {
                settings.DuckDbTempDirectory = Path.Combine(sp.GetRequiredService<PlatformOptions>().DataDir, "tmp", "duckdb");
            }
            Directory.CreateDirectory(settings.DuckDbTempDirectory);
            return settings;
        });
        services.AddScoped<DatasetFiles>();
        services.AddSingleton<PlaintextCacheSize>();
        services.AddSingleton<SharedDuckDb>();
        services.AddSingleton<EngineGate>();
        services.AddSingleton<IExceptionClassifier, EngineErrors>();
        services.AddScoped<DatasetIngest>();
        services.AddScoped<UploadHandler>();
        services.AddScoped<SampleHandler>();
        services.AddScoped<ImportHandler>();
        services.AddScoped<CatalogHandler>();
        services.AddScoped<PreviewHandler>();
        services.AddScoped<QualityHandler>();
        services.AddScoped<AppendHandler>();
        services.AddScoped<QueryHandler>();
        services.AddScoped<SqlHandler>();
        services.AddScoped<ISqlQueries>(sp => sp.GetRequiredService<SqlHandler>());
        services.AddScoped<IDatasetQueries, DatasetQueries>();
        services.AddScoped<IDatasetReader, DatasetReader>();
        services.AddScoped<IDatasetWriter, DatasetWriter>();
        services.AddScoped<DatasetLineage>();
        services.AddScoped<IDatasetLineage>(sp => sp.GetRequiredService<DatasetLineage>());
        services.AddJobHandler<IngestJob>(IngestJob.Kind);
        services.AddScoped<IStartupTask, TempFileSweep>();
        services.AddJobHandler<PurgeJob>(PurgeJob.Kind);
        services.AddScoped<VersionWriter>();
        services.AddScoped<DataQuotas>();
        services.AddScoped<Astralytiq.Platform.Quotas.IUsageKeyOwner, VersionUsageKeys>();
        services.AddScoped<Astralytiq.Platform.Quotas.IUsageKeyOwner, DatasetUsageKeys>();
        services.AddScoped<TransformHandlers>();
        services.AddJobHandler<TransformJob>(TransformJob.Kind);
        services.AddScoped<PipelineHandlers>();
        services.AddJobHandler<PipelineJob>(PipelineHandlers.RunJobKind);
        services.AddRecurring<DataDbContext, Pipeline, ScheduledPipelineRun>();
        services.AddIntegrationEvent<DatasetChanged>();
        services.AddScoped<Astralytiq.Platform.Alerting.IAlertMetric, Datasets.Ingestion.IngestFailuresMetric>();
        return services;
    }

    /// <summary>Every feature of the module maps its own endpoints (its folder holds mapping, handler and checks).</summary>
    public static RouteGroupBuilder MapDataEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/data").WithTags("Data").ForModule(DataDbContext.Module).ProducesErrors(401, 403, 429);
        var settings = routes.ServiceProvider.GetRequiredService<DataSettings>();
        SqlEndpoints.Map(group);
        SampleEndpoints.Map(group);
        PipelineEndpoints.Map(group.MapGroup("/pipelines"));
        var datasets = group.MapGroup("/datasets");
        UploadEndpoints.Map(datasets, settings);
        ImportEndpoints.Map(datasets);
        CatalogEndpoints.Map(datasets);
        PreviewEndpoints.Map(datasets);
        QualityEndpoints.Map(datasets);
        AppendEndpoints.Map(datasets, settings);
        QueryEndpoints.Map(datasets);
        TransformEndpoints.Map(datasets);
        LineageEndpoints.Map(datasets);
        return group;
    }
}
