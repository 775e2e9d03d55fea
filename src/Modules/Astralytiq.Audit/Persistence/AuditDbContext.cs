using Astralytiq.Audit.Entries;

namespace Astralytiq.Audit.Persistence;

internal class AuditDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "audit";

    public override string ModuleName => Module;

    public DbSet<AuditEntry> Entries => Set<AuditEntry>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditEntry>(b =>
        {
            b.ToTable("entries");
            b.HasIndex(e => new { e.TenantId, e.Sequence }).IsUnique();
            b.HasIndex(e => new { e.TenantId, e.Timestamp });
            b.HasIndex(e => new { e.TenantId, e.Action });
            b.Property(e => e.Action).HasMaxLength(120);
            b.Property(e => e.ResourceType).HasMaxLength(60);
            b.Property(e => e.ResourceId).HasMaxLength(120);
            b.Property(e => e.Outcome).HasMaxLength(20);
            b.Property(e => e.ActorEmail).HasMaxLength(320);
            b.Property(e => e.IpAddress).HasMaxLength(64);
            b.Property(e => e.UserAgent).HasMaxLength(512);
            b.Property(e => e.RequestId).HasMaxLength(64);
            b.Property(e => e.PreviousHash).HasMaxLength(64);
            b.Property(e => e.Hash).HasMaxLength(64);
        });
    }
}

internal sealed class AuditSqliteDbContext(DbContextOptions<AuditSqliteDbContext> options) : AuditDbContext(options);

internal sealed class AuditPostgresDbContext(DbContextOptions<AuditPostgresDbContext> options) : AuditDbContext(options);

internal sealed class AuditSqliteDesignFactory() : SqliteDesignFactory<AuditSqliteDbContext>(AuditDbContext.Module, o => new(o));

internal sealed class AuditPostgresDesignFactory() : PostgresDesignFactory<AuditPostgresDbContext>(AuditDbContext.Module, o => new(o));
