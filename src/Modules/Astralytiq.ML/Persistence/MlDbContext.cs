namespace Astralytiq.ML.Persistence;

internal class MlDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "ml";

    public override string ModuleName => Module;

    public DbSet<MlModel> Models => Set<MlModel>();

    public DbSet<ModelVersion> Versions => Set<ModelVersion>();

    public DbSet<ModelAlias> Aliases => Set<ModelAlias>();

    public DbSet<PredictionLog> Predictions => Set<PredictionLog>();

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
            b.HasIndex(p => new { p.TenantId, p.ModelId, p.CreatedAt });
        });
    }
}

internal sealed class MlSqliteDbContext(DbContextOptions<MlSqliteDbContext> options) : MlDbContext(options);

internal sealed class MlPostgresDbContext(DbContextOptions<MlPostgresDbContext> options) : MlDbContext(options);

internal sealed class MlSqliteDesignFactory() : SqliteDesignFactory<MlSqliteDbContext>(MlDbContext.Module, o => new(o));

internal sealed class MlPostgresDesignFactory() : PostgresDesignFactory<MlPostgresDbContext>(MlDbContext.Module, o => new(o));
