namespace Astralytiq.Billing.Persistence;

internal class BillingDbContext(DbContextOptions options) : ModuleDbContext(options)
{
    public const string Module = "billing";

    public override string ModuleName => Module;

    public DbSet<StoredPlan> Plans => Set<StoredPlan>();

    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    public DbSet<PlanSegment> Segments => Set<PlanSegment>();

    public DbSet<CreditEntry> Credits => Set<CreditEntry>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();

    public DbSet<InvoiceSequence> Sequences => Set<InvoiceSequence>();

    public DbSet<ProviderEvent> ProviderEvents => Set<ProviderEvent>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredPlan>(b =>
        {
            b.ToTable("plan_versions");
            b.HasIndex(p => new { p.Code, p.Version }).IsUnique();
            b.Property(p => p.Code).HasMaxLength(40);
            b.Property(p => p.Name).HasMaxLength(100);
            b.Property(p => p.Currency).HasMaxLength(3);
            b.Property(p => p.LimitsJson).HasMaxLength(4000);
            b.Property(p => p.Features).HasMaxLength(1000);
            b.Property(p => p.OverageJson).HasMaxLength(4000);
        });
        modelBuilder.Entity<Subscription>(b =>
        {
            b.ToTable("subscriptions");
            b.HasIndex(s => s.TenantId).IsUnique();
            b.HasIndex(s => s.NextRunAt);
            b.Property(s => s.PlanCode).HasMaxLength(40);
            b.Property(s => s.PendingPlanCode).HasMaxLength(40);
            b.Property(s => s.TrialReturnCode).HasMaxLength(40);
            b.Property(s => s.Status).HasMaxLength(20);
            b.Property(s => s.LegalName).HasMaxLength(200);
            b.Property(s => s.BillingEmail).HasMaxLength(320);
            b.Property(s => s.Address).HasMaxLength(500);
            b.Property(s => s.TaxId).HasMaxLength(50);
            b.Property(s => s.Provider).HasMaxLength(20);
            b.Property(s => s.ProviderCustomerId).HasMaxLength(100);
            b.HasIndex(s => s.ProviderCustomerId);
            b.Property(s => s.ProviderSubscriptionId).HasMaxLength(100);
            b.Property(s => s.Cron).HasMaxLength(40);
            b.Property(s => s.TimeZone).HasMaxLength(60);
            b.Property(s => s.Revision).IsConcurrencyToken();
        });
        modelBuilder.Entity<PlanSegment>(b =>
        {
            b.ToTable("plan_segments");
            b.HasIndex(s => new { s.TenantId, s.StartsAt });
            b.Property(s => s.PlanCode).HasMaxLength(40);
            b.Property(s => s.PlanName).HasMaxLength(100);
            b.Property(s => s.Currency).HasMaxLength(3);
        });
        modelBuilder.Entity<CreditEntry>(b =>
        {
            b.ToTable("credits");
            b.HasIndex(c => new { c.TenantId, c.CreatedAt });
            b.Property(c => c.Reason).HasMaxLength(300);
        });
        modelBuilder.Entity<Invoice>(b =>
        {
            b.ToTable("invoices");
            b.HasIndex(i => new { i.TenantId, i.Period }).IsUnique();
            b.HasIndex(i => i.Number).IsUnique();
            b.HasIndex(i => i.Sequence).IsUnique();
            b.Property(i => i.Number).HasMaxLength(40);
            b.Property(i => i.Period).HasMaxLength(7);
            b.Property(i => i.Currency).HasMaxLength(3);
            b.Property(i => i.Status).HasMaxLength(20);
            b.Property(i => i.Provider).HasMaxLength(20);
            b.Property(i => i.ProviderInvoiceId).HasMaxLength(100);
            b.Property(i => i.BillTo).HasMaxLength(200);
            b.Property(i => i.BillToEmail).HasMaxLength(320);
            b.Property(i => i.BillToAddress).HasMaxLength(500);
            b.Property(i => i.BillToTaxId).HasMaxLength(50);
            b.Property(i => i.EmailedTo).HasMaxLength(2000);
            b.Property(i => i.PaymentError).HasMaxLength(500);
            b.HasIndex(i => i.ProviderInvoiceId);
            b.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId);
        });
        modelBuilder.Entity<InvoiceLine>(b =>
        {
            b.ToTable("invoice_lines");
            b.HasIndex(l => new { l.TenantId, l.InvoiceId, l.Position });
            b.Property(l => l.Kind).HasMaxLength(20);
            b.Property(l => l.Description).HasMaxLength(300);
            b.Property(l => l.Metric).HasMaxLength(60);
        });
        modelBuilder.Entity<ProviderEvent>(b =>
        {
            b.ToTable("provider_events");
            b.Property(e => e.Id).HasMaxLength(100);
            b.Property(e => e.Provider).HasMaxLength(20);
            b.Property(e => e.Type).HasMaxLength(100);
            b.Property(e => e.Outcome).HasMaxLength(300);
        });
        modelBuilder.Entity<InvoiceSequence>(b =>
        {
            b.ToTable("invoice_sequences");
            b.Property(s => s.Id).HasMaxLength(40);
            b.HasData(new InvoiceSequence { Id = InvoiceSequence.Invoices, Last = 0 });
        });
    }
}

internal sealed class BillingSqliteDbContext(DbContextOptions<BillingSqliteDbContext> options) : BillingDbContext(options);

internal sealed class BillingPostgresDbContext(DbContextOptions<BillingPostgresDbContext> options) : BillingDbContext(options);

internal sealed class BillingSqliteDesignFactory() : SqliteDesignFactory<BillingSqliteDbContext>(BillingDbContext.Module, o => new(o));

internal sealed class BillingPostgresDesignFactory() : PostgresDesignFactory<BillingPostgresDbContext>(BillingDbContext.Module, o => new(o));
