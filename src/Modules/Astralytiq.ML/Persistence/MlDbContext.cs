namespace Astralytiq.ML.Persistence;

internal class MlDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "ml";

    public override string ModuleName => Module;

    public DbSet<MlModel> Models => Set<MlModel>();

    public DbSet<ModelVersion> Versions => Set<ModelVersion>();

    public DbSet<ModelAlias> Aliases => Set<ModelAlias>();

    public DbSet<PredictionLog> Predictions => Set<PredictionLog>();

    public DbSet<Deployments.MlDeployment> Deployments => Set<Deployments.MlDeployment>();

    public DbSet<Deployments.DeploymentRevision> DeploymentRevisions => Set<Deployments.DeploymentRevision>();

    public DbSet<Deployments.DeploymentStat> DeploymentStats => Set<Deployments.DeploymentStat>();

    public DbSet<Monitoring.DriftResult> DriftResults => Set<Monitoring.DriftResult>();

    public DbSet<Monitoring.PredictionFeedback> Feedback => Set<Monitoring.PredictionFeedback>();

    public DbSet<Monitoring.RetrainingPolicy> RetrainingPolicies => Set<Monitoring.RetrainingPolicy>();

    public DbSet<Monitoring.RetrainingRun> RetrainingRuns => Set<Monitoring.RetrainingRun>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MlModel>(b =>
        {
            b.ToTable("ml_models");
            b.Property(m => m.Name).HasMaxLength(200).IsRequired();
            b.Property(m => m.Task).HasMaxLength(40);
            b.Property(m => m.Description).HasMaxLength(2000);
            b.HasIndex(m => new { m.TenantId, m.Name }).IsUnique();
        });
        modelBuilder.Entity<ModelVersion>(b =>
        {
            b.ToTable("ml_model_versions");
            b.Property(v => v.Status).HasMaxLength(20);
            b.Property(v => v.Task).HasMaxLength(40);
            b.Property(v => v.Target).HasMaxLength(200);
            b.Property(v => v.Algorithm).HasMaxLength(40);
            b.Property(v => v.PrimaryMetric).HasMaxLength(40);
            b.Property(v => v.ArtifactPath).HasMaxLength(300);
            b.Property(v => v.ArtifactSha256).HasMaxLength(64);
            b.Property(v => v.Error).HasMaxLength(2000);
            b.HasIndex(v => new { v.TenantId, v.ModelId, v.Version }).IsUnique();
            b.HasIndex(v => new { v.TenantId, v.DatasetId });
        });
        modelBuilder.Entity<ModelAlias>(b =>
        {
            b.ToTable("ml_model_aliases");
            b.Property(a => a.Alias).HasMaxLength(64);
            b.HasIndex(a => new { a.TenantId, a.ModelId, a.Alias }).IsUnique();
        });
        modelBuilder.Entity<PredictionLog>(b =>
        {
            b.ToTable("predictions");
            b.Property(p => p.Variant).HasMaxLength(64);
            b.Property(p => p.RequestKey).HasMaxLength(200);
            b.HasIndex(p => new { p.TenantId, p.ModelId, p.CreatedAt });
            b.HasIndex(p => new { p.TenantId, p.DeploymentId, p.CreatedAt });
            // Request ids are unique across tenants: the feedback join finds a request's rows by them alone (a leading
            // tenant column would not help it, as the tenant filter is not a plain equality).
            b.HasIndex(p => new { p.RequestId, p.Row });
            b.HasIndex(p => new { p.DeploymentId, p.RequestKey, p.CreatedAt });
        });
        modelBuilder.Entity<Deployments.MlDeployment>(b =>
        {
            b.ToTable("ml_deployments");
            b.Property(d => d.Name).HasMaxLength(64).IsRequired();
            b.Property(d => d.Description).HasMaxLength(2000);
            b.Property(d => d.Task).HasMaxLength(40);
            b.Property(d => d.CanaryStatus).HasMaxLength(20);
            b.Property(d => d.CanaryReason).HasMaxLength(1000);
            b.Property(d => d.Revision).IsConcurrencyToken();
            b.HasIndex(d => new { d.TenantId, d.Name }).IsUnique();
            b.HasIndex(d => d.CanaryStatus);
        });
        modelBuilder.Entity<Deployments.DeploymentRevision>(b =>
        {
            b.ToTable("ml_deployment_revisions");
            b.Property(r => r.Kind).HasMaxLength(40);
            b.Property(r => r.Reason).HasMaxLength(1000);
            b.HasIndex(r => new { r.TenantId, r.DeploymentId, r.Revision }).IsUnique();
        });
        modelBuilder.Entity<Deployments.DeploymentStat>(b =>
        {
            b.ToTable("ml_deployment_stats");
            b.Property(s => s.Variant).HasMaxLength(64);
            b.Property(s => s.Node).HasMaxLength(20);
            b.HasIndex(s => new { s.TenantId, s.DeploymentId, s.Minute, s.Variant, s.Shadow, s.Node }).IsUnique();
        });
        modelBuilder.Entity<Monitoring.DriftResult>(b =>
        {
            b.ToTable("ml_drift_results");
            b.Property(r => r.Model).HasMaxLength(200);
            b.HasIndex(r => new { r.TenantId, r.DeploymentId, r.WindowStart, r.WindowEnd }).IsUnique();
        });
        modelBuilder.Entity<Monitoring.PredictionFeedback>(b =>
        {
            b.ToTable("ml_feedback");
            b.Property(f => f.ActualLabel).HasMaxLength(200);
            // Prediction and deployment ids are unique across tenants: looked up by them alone (see the predictions' request index).
            b.HasIndex(f => f.PredictionId).IsUnique();
            b.HasIndex(f => new { f.DeploymentId, f.PredictedAt });
        });
        modelBuilder.Entity<Monitoring.RetrainingPolicy>(b =>
        {
            b.ToTable("ml_retraining_policies");
            b.HasIndex(p => new { p.TenantId, p.DeploymentId }).IsUnique();
            b.HasIndex(p => p.Enabled);
        });
        modelBuilder.Entity<Monitoring.RetrainingRun>(b =>
        {
            b.ToTable("ml_retraining_runs");
            b.Property(r => r.Trigger).HasMaxLength(20);
            b.Property(r => r.TriggerDetail).HasMaxLength(1000);
            b.Property(r => r.Status).HasMaxLength(20);
            b.Property(r => r.ChampionVariant).HasMaxLength(64);
            b.Property(r => r.Model).HasMaxLength(200);
            b.Property(r => r.Metric).HasMaxLength(20);
            b.Property(r => r.EvaluatedOn).HasMaxLength(20);
            b.Property(r => r.Reason).HasMaxLength(2000);
            b.HasIndex(r => r.ActiveDeploymentId).IsUnique();
            b.HasIndex(r => new { r.TenantId, r.DeploymentId, r.CreatedAt });
        });
    }
}

internal sealed class MlSqliteDbContext(DbContextOptions<MlSqliteDbContext> options) : MlDbContext(options);

internal sealed class MlPostgresDbContext(DbContextOptions<MlPostgresDbContext> options) : MlDbContext(options);

internal sealed class MlSqliteDesignFactory() : SqliteDesignFactory<MlSqliteDbContext>(MlDbContext.Module, o => new(o));

internal sealed class MlPostgresDesignFactory() : PostgresDesignFactory<MlPostgresDbContext>(MlDbContext.Module, o => new(o));
