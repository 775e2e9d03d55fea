using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Astralytiq.Tests.Platform;

/// <summary>
/// ADR 0002's promise: a model change without a migration fails here, per module and per database, before it can
/// reach a server whose schema would not match its code. Needs no database: the model is compared with the
/// snapshot the last migration left.
/// </summary>
public sealed class MigrationTests
{
    public static TheoryData<string> Contexts() => [.. Factories.Keys];

    private static readonly Dictionary<string, Func<DbContext>> Factories = new()
    {
        ["Platform/Sqlite"] = () => Create(new Astralytiq.Platform.Persistence.PlatformSqliteDesignFactory()),
        ["Platform/Postgres"] = () => Create(new Astralytiq.Platform.Persistence.PlatformPostgresDesignFactory()),
        ["Tenancy/Sqlite"] = () => Create(new Astralytiq.Tenancy.Persistence.TenancySqliteDesignFactory()),
        ["Tenancy/Postgres"] = () => Create(new Astralytiq.Tenancy.Persistence.TenancyPostgresDesignFactory()),
        ["Identity/Sqlite"] = () => Create(new Astralytiq.Identity.Persistence.IdentitySqliteDesignFactory()),
        ["Identity/Postgres"] = () => Create(new Astralytiq.Identity.Persistence.IdentityPostgresDesignFactory()),
        ["Audit/Sqlite"] = () => Create(new Astralytiq.Audit.Persistence.AuditSqliteDesignFactory()),
        ["Audit/Postgres"] = () => Create(new Astralytiq.Audit.Persistence.AuditPostgresDesignFactory()),
        ["Data/Sqlite"] = () => Create(new Astralytiq.Data.Persistence.DataSqliteDesignFactory()),
        ["Data/Postgres"] = () => Create(new Astralytiq.Data.Persistence.DataPostgresDesignFactory()),
        ["ML/Sqlite"] = () => Create(new Astralytiq.ML.Persistence.MlSqliteDesignFactory()),
        ["ML/Postgres"] = () => Create(new Astralytiq.ML.Persistence.MlPostgresDesignFactory()),
        ["Dashboards/Sqlite"] = () => Create(new Astralytiq.Dashboards.Persistence.DashboardsSqliteDesignFactory()),
        ["Dashboards/Postgres"] = () => Create(new Astralytiq.Dashboards.Persistence.DashboardsPostgresDesignFactory()),
    };

    private static DbContext Create<T>(IDesignTimeDbContextFactory<T> factory) where T : DbContext => factory.CreateDbContext([]);

    [Theory]
    [MemberData(nameof(Contexts))]
    public void Every_model_change_has_a_migration(string context)
    {
        using var db = Factories[context]();
        Assert.False(db.Database.HasPendingModelChanges(),
            $"{context}: the model has changes no migration covers; add one (docs/decisions/0002-two-databases-two-migration-sets.md)");
        Assert.NotEmpty(db.Database.GetMigrations());
    }
}
