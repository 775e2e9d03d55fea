using Astralytiq.Data.Pipelines;

namespace Astralytiq.Data.Persistence;

internal class DataDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "data";

    public override string ModuleName => Module;

    public DbSet<Dataset> Datasets => Set<Dataset>();

    public DbSet<DatasetVersion> Versions => Set<DatasetVersion>();

    public DbSet<DatasetUse> Uses => Set<DatasetUse>();

    public DbSet<VersionParent> Parents => Set<VersionParent>();

    public DbSet<Pipeline> Pipelines => Set<Pipeline>();

    public DbSet<PipelineRun> PipelineRuns => Set<PipelineRun>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Dataset>(b =>
        {
            b.ToTable("datasets");
            b.Property(d => d.Name).HasMaxLength(200).IsRequired();
            b.Property(d => d.Description).HasMaxLength(2000);
            b.HasIndex(d => new { d.TenantId, d.Name });
        });
        modelBuilder.Entity<DatasetVersion>(b =>
        {
            b.ToTable("dataset_versions");
            b.HasIndex(v => new { v.TenantId, v.DatasetId, v.Version }).IsUnique();
            b.Property(v => v.ContentSha256).HasMaxLength(64);
            b.Property(v => v.BlobPath).HasMaxLength(300);
            b.Ignore(v => v.Schema);
            b.Ignore(v => v.Source);
        });
        modelBuilder.Entity<DatasetUse>(b =>
        {
            b.ToTable("dataset_uses");
            b.Property(u => u.ConsumerKind).HasMaxLength(40);
            b.Property(u => u.ConsumerName).HasMaxLength(200);
            b.HasIndex(u => new { u.TenantId, u.ConsumerKind, u.ConsumerId, u.DatasetId }).IsUnique();
            b.HasIndex(u => new { u.TenantId, u.DatasetId });
        });
        modelBuilder.Entity<VersionParent>(b =>
        {
            b.ToTable("dataset_version_parents");
            b.HasIndex(p => new { p.TenantId, p.VersionId });
            b.HasIndex(p => new { p.TenantId, p.ParentDatasetId });
        });
        modelBuilder.Entity<Pipeline>(b =>
        {
            b.ToTable("pipelines");
            b.Property(p => p.Name).HasMaxLength(200).IsRequired();
            b.Property(p => p.Description).HasMaxLength(2000);
            b.Property(p => p.OutputName).HasMaxLength(200);
            b.Property(p => p.Cron).HasMaxLength(100);
            b.Property(p => p.TimeZone).HasMaxLength(100);
            b.HasIndex(p => new { p.TenantId, p.Name });
            // The kernel scheduler looks across tenants for what is due (null while disabled or deleted).
            b.HasIndex(p => p.NextRunAt);
        });
        modelBuilder.Entity<PipelineRun>(b =>
        {
            b.ToTable("pipeline_runs");
            b.Property(r => r.Trigger).HasMaxLength(20);
            b.Property(r => r.Status).HasMaxLength(20);
            b.Property(r => r.Error).HasMaxLength(2000);
            b.HasIndex(r => new { r.TenantId, r.PipelineId, r.QueuedAt });
        });
    }
}

internal static class DataQueries
{
    /// <summary>A live dataset of the current tenant and one of its versions (the current one unless given); 404 otherwise.</summary>
    public static async Task<Astralytiq.Platform.Errors.Result<(Dataset Dataset, DatasetVersion Version)>> FindVersionAsync(this DataDbContext db, Guid id, int? version, CancellationToken ct)
    {
        var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id && d.DeletedAt == null, ct).ConfigureAwait(false);
        if (dataset is null)
        {
            return new Astralytiq.Platform.Errors.NotFoundError("Dataset");
        }
        var number = version ?? dataset.CurrentVersion;
        var v = await db.Versions.AsNoTracking().SingleOrDefaultAsync(x => x.DatasetId == id && x.Version == number, ct).ConfigureAwait(false);
        return v is null ? new Astralytiq.Platform.Errors.NotFoundError("Dataset version") : (dataset, v);
    }
}

internal sealed class DataSqliteDbContext(DbContextOptions<DataSqliteDbContext> options) : DataDbContext(options);

internal sealed class DataPostgresDbContext(DbContextOptions<DataPostgresDbContext> options) : DataDbContext(options);

internal sealed class DataSqliteDesignFactory() : SqliteDesignFactory<DataSqliteDbContext>(DataDbContext.Module, o => new(o));

internal sealed class DataPostgresDesignFactory() : PostgresDesignFactory<DataPostgresDbContext>(DataDbContext.Module, o => new(o));
