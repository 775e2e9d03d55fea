namespace Astralytiq.Tenancy.Persistence;

internal class TenancyDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "tenancy";

    public override string ModuleName => Module;

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<TenantKey> TenantKeys => Set<TenantKey>();

    public DbSet<TenantPlanRecord> Plans => Set<TenantPlanRecord>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(b =>
        {
            b.ToTable("tenants");
            b.Property(t => t.Name).HasMaxLength(100).IsRequired();
            b.Property(t => t.Slug).HasMaxLength(120).IsRequired();
            b.HasIndex(t => t.Slug).IsUnique();
            b.Property(t => t.Plan).HasMaxLength(40);
            b.Property(t => t.TimeZone).HasMaxLength(64);
            b.Property(t => t.Locale).HasMaxLength(20);
            b.Property(t => t.LogoUrl).HasMaxLength(300_000);
            b.Property(t => t.PrimaryColor).HasMaxLength(7);
            b.Property(t => t.AccentColor).HasMaxLength(7);
            b.Ignore(t => t.Features);
            // The tenant row itself is visible to its own members only.
            b.HasQueryFilter(TenantFilter, t => TenantFilterLifted || t.Id == CurrentTenantId);
        });
        modelBuilder.Entity<TenantKey>(b =>
        {
            b.ToTable("tenant_keys");
            b.HasIndex(k => k.TenantId).IsUnique();
            b.Property(k => k.MasterKeyId).HasMaxLength(64);
        });
        modelBuilder.Entity<TenantPlanRecord>(b =>
        {
            b.ToTable("tenant_plans");
            b.HasIndex(p => p.TenantId);
            b.Property(p => p.Plan).HasMaxLength(40);
            b.Property(p => p.Status).HasMaxLength(20);
        });
    }
}

internal sealed class TenancySqliteDbContext(DbContextOptions<TenancySqliteDbContext> options) : TenancyDbContext(options);

internal sealed class TenancyPostgresDbContext(DbContextOptions<TenancyPostgresDbContext> options) : TenancyDbContext(options);

internal sealed class TenancySqliteDesignFactory() : SqliteDesignFactory<TenancySqliteDbContext>(TenancyDbContext.Module, o => new(o));

internal sealed class TenancyPostgresDesignFactory() : PostgresDesignFactory<TenancyPostgresDbContext>(TenancyDbContext.Module, o => new(o));
