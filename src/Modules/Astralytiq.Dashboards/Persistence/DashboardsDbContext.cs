using Astralytiq.Dashboards.Boards.Sharing;

namespace Astralytiq.Dashboards.Persistence;

internal class DashboardsDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "dashboards";

    public override string ModuleName => Module;

    public DbSet<Dashboard> Dashboards => Set<Dashboard>();

    public DbSet<DashboardVersion> Versions => Set<DashboardVersion>();

    public DbSet<DashboardShare> Shares => Set<DashboardShare>();

    public DbSet<DashboardLink> Links => Set<DashboardLink>();

    public DbSet<EmbeddingKey> EmbeddingKeys => Set<EmbeddingKey>();

    public DbSet<Reports.Report> Reports => Set<Reports.Report>();

    public DbSet<Reports.ReportRun> ReportRuns => Set<Reports.ReportRun>();

    public DbSet<Reports.ReportUnsubscribe> ReportUnsubscribes => Set<Reports.ReportUnsubscribe>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Dashboard>(b =>
        {
            b.ToTable("dashboards");
            b.Property(d => d.Name).HasMaxLength(200).IsRequired();
            b.Property(d => d.Folder).HasMaxLength(200);
            b.Property(d => d.Description).HasMaxLength(2000);
            b.HasIndex(d => new { d.TenantId, d.Folder, d.Name });
        });
        modelBuilder.Entity<DashboardVersion>(b =>
        {
            b.ToTable("dashboard_versions");
            b.Property(v => v.Name).HasMaxLength(200);
            b.Property(v => v.Folder).HasMaxLength(200);
            b.Property(v => v.Description).HasMaxLength(2000);
            b.Property(v => v.Note).HasMaxLength(200);
            b.HasIndex(v => new { v.TenantId, v.DashboardId, v.Version }).IsUnique();
        });
        modelBuilder.Entity<DashboardShare>(b =>
        {
            b.ToTable("dashboard_shares");
            b.Property(s => s.Role).HasMaxLength(20);
            b.Property(s => s.Access).HasMaxLength(10);
            b.HasIndex(s => new { s.TenantId, s.DashboardId });
            b.HasIndex(s => new { s.TenantId, s.UserId });
        });
        modelBuilder.Entity<DashboardLink>(b =>
        {
            b.ToTable("dashboard_links");
            b.Property(l => l.TokenHash).HasMaxLength(64);
            b.Property(l => l.Label).HasMaxLength(200);
            b.Property(l => l.PasswordHash).HasMaxLength(200);
            // Public requests find their link by token hash, across tenants.
            b.HasIndex(l => l.TokenHash).IsUnique();
            b.HasIndex(l => new { l.TenantId, l.DashboardId });
        });
        modelBuilder.Entity<EmbeddingKey>(b =>
        {
            b.ToTable("embedding_keys");
            b.Property(k => k.SealedSecret).HasMaxLength(500);
            b.HasIndex(k => k.TenantId).IsUnique();
        });
        modelBuilder.Entity<Reports.Report>(b =>
        {
            b.ToTable("reports");
            b.Property(r => r.Name).HasMaxLength(200).IsRequired();
            b.Property(r => r.WidgetId).HasMaxLength(100);
            b.Property(r => r.Cron).HasMaxLength(100);
            b.Property(r => r.TimeZone).HasMaxLength(100);
            b.Property(r => r.Formats).HasMaxLength(40);
            b.Property(r => r.Message).HasMaxLength(2000);
            b.HasIndex(r => new { r.TenantId, r.DashboardId });
            // The scheduler looks for due reports across tenants.
            b.HasIndex(r => r.NextRunAt);
        });
        modelBuilder.Entity<Reports.ReportRun>(b =>
        {
            b.ToTable("report_runs");
            b.Property(r => r.Trigger).HasMaxLength(20);
            b.Property(r => r.Status).HasMaxLength(20);
            b.Property(r => r.Error).HasMaxLength(2000);
            b.HasIndex(r => new { r.TenantId, r.ReportId });
        });
        modelBuilder.Entity<Reports.ReportUnsubscribe>(b =>
        {
            b.ToTable("report_unsubscribes");
            b.Property(u => u.Email).HasMaxLength(320);
            b.HasIndex(u => new { u.TenantId, u.ReportId, u.Email }).IsUnique();
        });
    }
}

internal sealed class DashboardsSqliteDbContext(DbContextOptions<DashboardsSqliteDbContext> options) : DashboardsDbContext(options);

internal sealed class DashboardsPostgresDbContext(DbContextOptions<DashboardsPostgresDbContext> options) : DashboardsDbContext(options);

internal sealed class DashboardsSqliteDesignFactory() : SqliteDesignFactory<DashboardsSqliteDbContext>(DashboardsDbContext.Module, o => new(o));

internal sealed class DashboardsPostgresDesignFactory() : PostgresDesignFactory<DashboardsPostgresDbContext>(DashboardsDbContext.Module, o => new(o));
