using Astralytiq.Notifications.Alerts;
using Astralytiq.Notifications.Delivery;
using Astralytiq.Notifications.Preferences;

namespace Astralytiq.Notifications.Persistence;

internal class NotificationsDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "notifications";

    public override string ModuleName => Module;

    public DbSet<AlertRule> AlertRules => Set<AlertRule>();

    public DbSet<AlertEvent> AlertEvents => Set<AlertEvent>();

    public DbSet<AlertSilence> AlertSilences => Set<AlertSilence>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();

    public DbSet<NotificationContact> NotificationContacts => Set<NotificationContact>();

    public DbSet<Digests.DigestItem> DigestItems => Set<Digests.DigestItem>();

    public DbSet<Inbox.InboxItem> Inbox => Set<Inbox.InboxItem>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AlertRule>(b =>
        {
            b.ToTable("alert_rules");
            b.HasIndex(r => new { r.TenantId, r.Name });
            b.HasIndex(r => r.NextRunAt);
            b.Property(r => r.Name).HasMaxLength(200);
            b.Property(r => r.Metric).HasMaxLength(60);
            b.Property(r => r.Comparison).HasMaxLength(2);
            b.Property(r => r.Severity).HasMaxLength(20);
            b.Property(r => r.Channels).HasMaxLength(60);
            b.Property(r => r.State).HasMaxLength(20);
            b.Property(r => r.Cron).HasMaxLength(40);
            b.Property(r => r.TimeZone).HasMaxLength(60);
        });
        modelBuilder.Entity<AlertEvent>(b =>
        {
            b.ToTable("alert_events");
            b.HasIndex(e => new { e.TenantId, e.RuleId, e.At });
            b.HasIndex(e => new { e.TenantId, e.At });
            b.Property(e => e.RuleName).HasMaxLength(200);
            b.Property(e => e.Kind).HasMaxLength(20);
            b.Property(e => e.Message).HasMaxLength(500);
        });
        modelBuilder.Entity<AlertSilence>(b =>
        {
            b.ToTable("alert_silences");
            b.HasIndex(s => new { s.TenantId, s.EndsAt });
            b.Property(s => s.Reason).HasMaxLength(300);
        });
        modelBuilder.Entity<WebhookEndpoint>(b =>
        {
            b.ToTable("webhook_endpoints");
            b.HasIndex(e => e.TenantId);
            b.Property(e => e.Url).HasMaxLength(2000);
            b.Property(e => e.Description).HasMaxLength(300);
            b.Property(e => e.EventTypes).HasMaxLength(1000);
            b.Property(e => e.SecretProtected).HasMaxLength(1000);
        });
        modelBuilder.Entity<NotificationPreference>(b =>
        {
            b.ToTable("preferences");
            b.HasIndex(p => new { p.TenantId, p.UserId, p.EventType }).IsUnique();
            b.Property(p => p.EventType).HasMaxLength(100);
            b.Property(p => p.Channels).HasMaxLength(100);
        });
        modelBuilder.Entity<NotificationContact>(b =>
        {
            b.ToTable("contacts");
            b.HasIndex(c => new { c.TenantId, c.UserId }).IsUnique();
            b.HasIndex(c => c.NextRunAt);
            b.Property(c => c.SmsNumber).HasMaxLength(20);
            b.Property(c => c.EmailDigest).HasMaxLength(10);
            b.Property(c => c.Cron).HasMaxLength(40);
            b.Property(c => c.TimeZone).HasMaxLength(60);
        });
        modelBuilder.Entity<Inbox.InboxItem>(b =>
        {
            b.ToTable("inbox");
            b.Property(n => n.Kind).HasMaxLength(60);
            b.Property(n => n.Title).HasMaxLength(300);
            b.Property(n => n.Body).HasMaxLength(2000);
            b.Property(n => n.Link).HasMaxLength(500);
            b.HasIndex(n => new { n.TenantId, n.UserId, n.ReadAt });
        });
        modelBuilder.Entity<Digests.DigestItem>(b =>
        {
            b.ToTable("digest_items");
            b.HasIndex(i => new { i.TenantId, i.UserId, i.CreatedAt });
            b.Property(i => i.EventType).HasMaxLength(100);
            b.Property(i => i.Title).HasMaxLength(300);
            b.Property(i => i.Body).HasMaxLength(2000);
            b.Property(i => i.Link).HasMaxLength(2000);
        });
        modelBuilder.Entity<WebhookDelivery>(b =>
        {
            b.ToTable("webhook_deliveries");
            b.HasIndex(d => new { d.TenantId, d.EndpointId, d.CreatedAt });
            b.HasIndex(d => new { d.TenantId, d.EventId });
            b.Property(d => d.EventType).HasMaxLength(100);
            b.Property(d => d.Status).HasMaxLength(20);
            b.Property(d => d.LastError).HasMaxLength(500);
        });
    }
}

internal sealed class NotificationsSqliteDbContext(DbContextOptions<NotificationsSqliteDbContext> options) : NotificationsDbContext(options);

internal sealed class NotificationsPostgresDbContext(DbContextOptions<NotificationsPostgresDbContext> options) : NotificationsDbContext(options);

internal sealed class NotificationsSqliteDesignFactory() : SqliteDesignFactory<NotificationsSqliteDbContext>(NotificationsDbContext.Module, o => new(o));

internal sealed class NotificationsPostgresDesignFactory() : PostgresDesignFactory<NotificationsPostgresDbContext>(NotificationsDbContext.Module, o => new(o));
