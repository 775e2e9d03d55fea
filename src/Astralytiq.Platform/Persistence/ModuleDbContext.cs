using System.Linq.Expressions;
using System.Reflection;
using Astralytiq.Platform.Events;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Astralytiq.Platform.Persistence;

/// <summary>
/// The base of every module's DbContext: its own schema (PostgreSQL) or table prefix (SQLite), snake_case
/// names, the named tenant filter on every <see cref="ITenantOwned"/> entity and a SaveChanges that refuses
/// rows of another tenant.
/// </summary>
public abstract class ModuleDbContext : DbContext
{
    public const string TenantFilter = "tenant";

    private static readonly MethodInfo ApplyTenantFilterMethod =
        typeof(ModuleDbContext).GetMethod(nameof(ApplyTenantFilter), BindingFlags.Instance | BindingFlags.NonPublic)!;

    private ITenantContext? tenant;

    // Contexts are pooled: the constructor takes options only, and each rent binds the caller's tenant.
    protected ModuleDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The module's name: its PostgreSQL schema and its SQLite table prefix.</summary>
    public abstract string ModuleName { get; }

    /// <summary>Whose data this context may see and write; bound when the context is handed out.</summary>
    public ITenantContext Tenant => tenant ?? throw new InvalidOperationException($"{GetType().Name} was used without a tenant context");

    internal TContext Bind<TContext>(ITenantContext context)
        where TContext : ModuleDbContext
    {
        tenant = context;
        return (TContext)this;
    }

    // Read by the query filters on every query: EF Core parameterizes DbContext members.
    protected Guid CurrentTenantId => Tenant.TenantId ?? Guid.Empty;

    protected bool TenantFilterLifted => Tenant.IsSystem;

    protected abstract void ConfigureModel(ModelBuilder modelBuilder);

    protected sealed override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var postgres = Database.IsNpgsql();
        if (postgres)
        {
            modelBuilder.HasDefaultSchema(ModuleName);
        }
        ConfigureModel(modelBuilder);
        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable("outbox");
            b.Property(m => m.Type).HasMaxLength(300);
            b.Property(m => m.LastError).HasMaxLength(2000);
            b.Property(m => m.TraceParent).HasMaxLength(64);
            b.HasIndex(m => new { m.DispatchedAt, m.NextAttemptAt });
        });
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => e.BaseType is null).ToList())
        {
            if (typeof(ITenantOwned).IsAssignableFrom(entity.ClrType))
            {
                ApplyTenantFilterMethod.MakeGenericMethod(entity.ClrType).Invoke(this, [modelBuilder]);
            }
            if (!postgres && entity.GetTableName() is { } table && !entity.IsOwned())
            {
                entity.SetTableName($"{ModuleName}_{table}");
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        if (Database.IsSqlite())
        {
            // SQLite has no date-time type; a long keeps UTC instants sortable and comparable in SQL.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    private void ApplyTenantFilter<T>(ModelBuilder modelBuilder)
        where T : class, ITenantOwned
    {
        Expression<Func<T, bool>> filter = e => TenantFilterLifted || e.TenantId == CurrentTenantId;
        modelBuilder.Entity<T>().HasQueryFilter(TenantFilter, filter);
    }

    /// <summary>
    /// Adds an integration event to this module's outbox; it is written by the next SaveChanges, in the
    /// same transaction as the change it describes, and delivered at least once afterwards.
    /// </summary>
    public void Publish(IIntegrationEvent integrationEvent)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        var time = this.GetService<TimeProvider>();
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var json = JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), Contracts.ApiJson.Options);
        var sensitive = integrationEvent is ISensitiveIntegrationEvent;
        Set<OutboxMessage>().Add(new OutboxMessage
        {
            Id = id,
            TenantId = Tenant.TenantId,
            Type = integrationEvent.GetType().FullName!,
            Payload = sensitive ? this.GetService<OutboxProtector>().Protect(json, id) : json,
            Encrypted = sensitive,
            OccurredAt = now,
            NextAttemptAt = now,
            TraceParent = System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } current ? current.Id : null,
        });
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        EnforceTenantOnWrites();
        var published = ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        var result = base.SaveChanges(acceptAllChangesOnSuccess);
        if (published)
        {
            this.GetService<OutboxSignal>().Pulse();
        }
        return result;
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        EnforceTenantOnWrites();
        var published = ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        var result = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
        if (published)
        {
            this.GetService<OutboxSignal>().Pulse();
        }
        return result;
    }

    private void EnforceTenantOnWrites()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }
            if (entry.State == EntityState.Added && entry.Entity.TenantId == Guid.Empty && Tenant.TenantId is { } current)
            {
                entry.Entity.TenantId = current;
            }
            if (Tenant.IsSystem)
            {
                continue;
            }
            // A row of the operator's partition (Guid.Empty) is written only from inside it: the operator's own requests
            // and the schedules it owns. Without a tenant (null), nothing is written.
            if (Tenant.TenantId is not { } writer || entry.Entity.TenantId != writer)
            {
                throw new CrossTenantWriteException(entry.Metadata.ClrType.Name);
            }
            if (entry.State == EntityState.Modified && entry.Property(nameof(ITenantOwned.TenantId)).IsModified
                && !Equals(entry.Property(nameof(ITenantOwned.TenantId)).OriginalValue, entry.Entity.TenantId))
            {
                throw new CrossTenantWriteException(entry.Metadata.ClrType.Name);
            }
        }
    }
}
