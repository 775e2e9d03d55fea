namespace Astralytiq.Identity.Persistence;

internal class IdentityDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "identity";

    public override string ModuleName => Module;

    public DbSet<User> Users => Set<User>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<PasswordResetToken> PasswordResetTokens => Set<PasswordResetToken>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(b =>
        {
            b.ToTable("users");
            b.Property(u => u.Email).HasMaxLength(320).IsRequired();
            b.HasIndex(u => u.Email).IsUnique();
            b.HasIndex(u => new { u.TenantId, u.CreatedAt });
            b.Property(u => u.DisplayName).HasMaxLength(100);
            b.Property(u => u.PasswordHash).HasMaxLength(200);
            b.Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
            b.Property(u => u.SecurityStamp).HasMaxLength(64).IsConcurrencyToken();
            b.Property(u => u.JobTitle).HasMaxLength(100);
            b.Property(u => u.TimeZone).HasMaxLength(64);
            b.Property(u => u.Locale).HasMaxLength(20);
            b.Property(u => u.Theme).HasMaxLength(10);
            b.Property(u => u.TotpSecret).HasMaxLength(200);
            b.Property(u => u.TotpPendingSecret).HasMaxLength(200);
        });
        modelBuilder.Entity<RecoveryCode>(b =>
        {
            b.ToTable("recovery_codes");
            b.Property(c => c.CodeHash).HasMaxLength(64);
            b.HasIndex(c => new { c.TenantId, c.UserId });
        });
        modelBuilder.Entity<Session>(b =>
        {
            b.ToTable("sessions");
            b.HasIndex(s => new { s.TenantId, s.UserId });
            b.Property(s => s.RevokedReason).HasMaxLength(60);
            b.Property(s => s.IpAddress).HasMaxLength(64);
            b.Property(s => s.UserAgent).HasMaxLength(512);
        });
        modelBuilder.Entity<RefreshToken>(b =>
        {
            b.ToTable("refresh_tokens");
            b.Property(t => t.TokenHash).HasMaxLength(64);
            b.HasIndex(t => t.TokenHash).IsUnique();
            b.HasIndex(t => new { t.TenantId, t.SessionId });
        });
        modelBuilder.Entity<PasswordResetToken>(b =>
        {
            b.ToTable("password_reset_tokens");
            b.Property(t => t.TokenHash).HasMaxLength(64);
            b.HasIndex(t => t.TokenHash).IsUnique();
            b.HasIndex(t => new { t.TenantId, t.UserId });
        });
        modelBuilder.Entity<Invitation>(b =>
        {
            b.ToTable("invitations");
            b.Property(i => i.Email).HasMaxLength(320);
            b.Property(i => i.Role).HasConversion<string>().HasMaxLength(20);
            b.Property(i => i.TokenHash).HasMaxLength(64);
            b.HasIndex(i => i.TokenHash).IsUnique();
            b.HasIndex(i => new { i.TenantId, i.Email });
        });
        modelBuilder.Entity<ApiKey>(b =>
        {
            b.ToTable("api_keys");
            b.Property(k => k.Name).HasMaxLength(100);
            b.Property(k => k.Prefix).HasMaxLength(20);
            b.HasIndex(k => k.Prefix).IsUnique();
            b.Property(k => k.KeyHash).HasMaxLength(64);
            b.Property(k => k.Scopes).HasMaxLength(1000);
            b.HasIndex(k => new { k.TenantId, k.UserId });
            b.Ignore(k => k.ScopeList);
        });
    }
}

internal sealed class IdentitySqliteDbContext(DbContextOptions<IdentitySqliteDbContext> options) : IdentityDbContext(options);

internal sealed class IdentityPostgresDbContext(DbContextOptions<IdentityPostgresDbContext> options) : IdentityDbContext(options);

internal sealed class IdentitySqliteDesignFactory() : SqliteDesignFactory<IdentitySqliteDbContext>(IdentityDbContext.Module, o => new(o));

internal sealed class IdentityPostgresDesignFactory() : PostgresDesignFactory<IdentityPostgresDbContext>(IdentityDbContext.Module, o => new(o));
