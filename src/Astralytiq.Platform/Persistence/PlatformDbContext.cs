using Astralytiq.Platform.Idempotency;
using Astralytiq.Platform.Jobs;

namespace Astralytiq.Platform.Persistence;

/// <summary>The kernel's own tables: background jobs and idempotency records.</summary>
internal class PlatformDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "platform";

    public override string ModuleName => Module;

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<Notifications.Notification> Notifications => Set<Notifications.Notification>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Job>(b =>
        {
            b.ToTable("jobs");
            b.Property(j => j.Kind).HasMaxLength(100);
            b.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
            b.Property(j => j.ProgressMessage).HasMaxLength(500);
            b.Property(j => j.Error).HasMaxLength(4000);
            b.Property(j => j.LockedBy).HasMaxLength(200);
            b.Property(j => j.TraceParent).HasMaxLength(64);
            b.HasIndex(j => new { j.Status, j.NextAttemptAt });
            b.HasIndex(j => new { j.TenantId, j.CreatedAt });
        });
        modelBuilder.Entity<IdempotencyRecord>(b =>
        {
            b.ToTable("idempotency_keys");
            b.Property(r => r.Scope).HasMaxLength(120);
            b.Property(r => r.Key).HasMaxLength(200);
            b.Property(r => r.RequestHash).HasMaxLength(64);
            b.Property(r => r.ContentType).HasMaxLength(200);
            b.Property(r => r.Location).HasMaxLength(500);
            b.HasIndex(r => new { r.Scope, r.Key }).IsUnique();
            b.HasIndex(r => r.CreatedAt);
        });
        modelBuilder.Entity<Notifications.Notification>(b =>
        {
            b.ToTable("notifications");
            b.Property(n => n.Kind).HasMaxLength(60);
            b.Property(n => n.Title).HasMaxLength(300);
            b.Property(n => n.Body).HasMaxLength(2000);
            b.Property(n => n.Link).HasMaxLength(500);
            b.HasIndex(n => new { n.TenantId, n.UserId, n.ReadAt });
        });
        modelBuilder.Entity<Quotas.TenantUsage>(b =>
        {
            b.ToTable("tenant_usage");
            b.Property(u => u.Metric).HasMaxLength(60);
            b.Property(u => u.Period).HasMaxLength(7);
            b.HasIndex(u => new { u.TenantId, u.Metric, u.Period }).IsUnique();
        });
        modelBuilder.Entity<Quotas.UsageWarning>(b =>
        {
            b.ToTable("usage_warnings");
            b.Property(w => w.Metric).HasMaxLength(60);
            b.Property(w => w.Period).HasMaxLength(7);
            b.HasIndex(w => new { w.TenantId, w.Metric, w.Period, w.Percent }).IsUnique();
        });
        modelBuilder.Entity<Quotas.UsageRecord>(b =>
        {
            b.ToTable("usage_records");
            b.Property(r => r.Metric).HasMaxLength(60);
            b.Property(r => r.Period).HasMaxLength(7);
            b.Property(r => r.Key).HasMaxLength(200);
            b.Property(r => r.Subject).HasMaxLength(64);
            b.Property(r => r.Day).HasMaxLength(10);
            b.HasIndex(r => new { r.TenantId, r.Metric, r.Key }).IsUnique();
            b.HasIndex(r => new { r.TenantId, r.Day, r.Metric });
        });
    }
}

internal sealed class PlatformSqliteDbContext(DbContextOptions<PlatformSqliteDbContext> options) : PlatformDbContext(options);

internal sealed class PlatformPostgresDbContext(DbContextOptions<PlatformPostgresDbContext> options) : PlatformDbContext(options);

internal sealed class PlatformSqliteDesignFactory() : SqliteDesignFactory<PlatformSqliteDbContext>(PlatformDbContext.Module, o => new(o));

internal sealed class PlatformPostgresDesignFactory() : PostgresDesignFactory<PlatformPostgresDbContext>(PlatformDbContext.Module, o => new(o));
