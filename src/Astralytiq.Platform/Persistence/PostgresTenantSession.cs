using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Astralytiq.Platform.Persistence;

/// <summary>
/// On PostgreSQL, every connection a module context opens carries the tenant in <c>app.tenant_id</c>
/// (and <c>app.bypass_rls</c> for platform work), which the row-level security policies check.
/// </summary>
internal sealed class PostgresTenantSessionInterceptor : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = CreateCommand(connection, eventData);
        command?.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        var command = CreateCommand(connection, eventData);
        if (command is not null)
        {
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static DbCommand? CreateCommand(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (eventData.Context is not ModuleDbContext context || connection is not NpgsqlConnection)
        {
            return null;
        }
        var command = connection.CreateCommand();
        command.CommandText = "SELECT set_config('app.tenant_id', @tenant, false), set_config('app.bypass_rls', @bypass, false)";
        var tenant = command.CreateParameter();
        tenant.ParameterName = "tenant";
        tenant.Value = context.Tenant.TenantId?.ToString() ?? string.Empty;
        command.Parameters.Add(tenant);
        var bypass = command.CreateParameter();
        bypass.ParameterName = "bypass";
        bypass.Value = context.Tenant.IsSystem ? "on" : "off";
        command.Parameters.Add(bypass);
        return command;
    }
}

/// <summary>Creates (idempotently) the row-level security policy on every tenant-owned table of a context.</summary>
public static class RowLevelSecurity
{
    public const string PolicyName = "tenant_isolation";

    public static async Task ApplyAsync(DbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Database.IsNpgsql())
        {
            return;
        }
        foreach (var entity in context.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType) && e.BaseType is null))
        {
            var table = Quote(entity.GetSchema()) + "." + Quote(entity.GetTableName()!);
            var column = Quote(entity.FindProperty(nameof(ITenantOwned.TenantId))!.GetColumnName(StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema())));
            const string bypass = "current_setting('app.bypass_rls', true) = 'on'";
            var own = $"{column} = NULLIF(current_setting('app.tenant_id', true), '')::uuid";
            var sql = $"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                DROP POLICY IF EXISTS {PolicyName} ON {table};
                CREATE POLICY {PolicyName} ON {table} USING ({bypass} OR {own}) WITH CHECK ({bypass} OR {own});
                """;
#pragma warning disable EF1002 // identifiers come from the model, quoted; no user input
            await context.Database.ExecuteSqlRawAsync(sql, cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1002
        }
    }

    private static string Quote(string? identifier) => "\"" + (identifier ?? "public").Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
