using System.Data.Common;
using Astralytiq.Platform.Persistence;
using Astralytiq.Platform.Tenancy;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Platform;

/// <summary>The embedded SQLite database writes through its write-ahead log (ADR 25), on every connection a module opens.</summary>
public sealed class EmbeddedDatabaseTests(SqlitePlatform platform) : PlatformTest<SqlitePlatform>(platform)
{
    [Fact]
    public async Task Every_module_connection_writes_ahead_with_normal_synchronous_commits()
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var contexts = new DbContext[]
        {
            scope.ServiceProvider.GetRequiredService<PlatformDbContext>(),
            scope.ServiceProvider.GetRequiredService<Astralytiq.Identity.Persistence.IdentityDbContext>(),
            scope.ServiceProvider.GetRequiredService<Astralytiq.Data.Persistence.DataDbContext>(),
        };
        foreach (var context in contexts)
        {
            var connection = context.Database.GetDbConnection();
            await context.Database.OpenConnectionAsync();
            try
            {
                Assert.Equal("wal", await PragmaAsync(connection, "journal_mode"));
                // 1 is NORMAL (FULL, the default, is 2).
                Assert.Equal("1", await PragmaAsync(connection, "synchronous"));
            }
            finally
            {
                await context.Database.CloseConnectionAsync();
            }
        }
    }

    private static async Task<string?> PragmaAsync(DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
