using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Astralytiq.Platform.Persistence;

/// <summary>A module's database, as the host sees it: migrate it, check it.</summary>
public interface IModuleDatabase
{
    string Module { get; }

    Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken);

    Task<bool> CanConnectAsync(IServiceProvider services, CancellationToken cancellationToken);

    internal Task<int> DispatchOutboxAsync(IServiceProvider services, Events.OutboxDispatcher dispatcher, CancellationToken cancellationToken);
}

internal sealed class ModuleDatabase<TContext>(string module) : IModuleDatabase
    where TContext : ModuleDbContext
{
    public string Module => module;

    public async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        var known = context.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        if (applied.Count > 0 && !applied.Any(known.Contains))
        {
            // Made by a pre-release build whose migrations were since squashed into one (nothing had been released):
            // migrating would try to create tables that exist. Say so rather than fail half-way.
            var where = scope.ServiceProvider.GetRequiredService<PlatformOptions>() is { DatabaseProvider: DatabaseProvider.Sqlite } o
                ? $"the data directory {o.DataDir}" : "the PostgreSQL database";
            throw new SchemaMismatchException(
                $"The {module} tables in {where} were made by a pre-release build whose database history this build no longer carries; start with a new, empty data directory or database (or move this one away).");
        }
        if (context.Database.IsSqlite())
        {
            await context.Database.ExecuteSqlRawAsync(SqliteTuning.PerFile, cancellationToken).ConfigureAwait(false);
        }
        await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await RowLevelSecurity.ApplyAsync(context, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DispatchOutboxAsync(IServiceProvider services, Events.OutboxDispatcher dispatcher, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        return await dispatcher.DispatchAsync(scope.ServiceProvider.GetRequiredService<TContext>(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CanConnectAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        return await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// One module's store: up when it answers. A core module's store failing makes the platform unhealthy; any
/// other module's makes readiness degraded and that module's routes unavailable.
/// </summary>
internal sealed class ModuleStoreHealthCheck(IServiceProvider services, IModuleDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.CanConnectAsync(services, cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy("The database answers")
                : new HealthCheckResult(context.Registration.FailureStatus, "The database does not answer");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ex is OperationCanceledException
                ? "The database did not answer in time" : "The database cannot be reached", data: new Dictionary<string, object> { ["error"] = ex.GetType().Name });
        }
    }
}

/// <summary>
/// Marks a failed connection or command with the module whose store failed (<see cref="DataKey"/> in the
/// exception's data), so the one exception handler can answer for that module alone.
/// </summary>
internal sealed class ModuleStoreInterceptor(string module) : IDbConnectionInterceptor, IDbCommandInterceptor
{
    public const string DataKey = "astralytiq.module";

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Mark(eventData.Exception);

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Mark(eventData.Exception);
        return Task.CompletedTask;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Mark(eventData.Exception);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Mark(eventData.Exception);
        return Task.CompletedTask;
    }

    private void Mark(Exception exception)
    {
        if (!exception.Data.Contains(DataKey))
        {
            exception.Data[DataKey] = module;
        }
    }
}

public static class ModuleDbContextRegistration
{
    /// <summary>
    /// Registers a module's DbContext on the configured provider. Contexts come from a pool (building a
    /// context's internal services per request was the largest cost of a simple read in the profile); the
    /// scope's tenant context is bound on each rent and the context goes back to the pool with the scope. <typeparamref name="TSqlite"/> and
    /// <typeparamref name="TPostgres"/> are the provider-specific subclasses that own each provider's migrations.
    /// </summary>
    public static IServiceCollection AddModuleDbContext<TContext, TSqlite, TPostgres>(
        this IServiceCollection services, IConfiguration configuration, string module)
        where TContext : ModuleDbContext
        where TSqlite : TContext
        where TPostgres : TContext
    {
        var options = PlatformOptions.From(configuration);
        // A module's store may live elsewhere (its own database or server): Astralytiq:Database:Modules:{module}:ConnectionString.
        var own = configuration[$"Astralytiq:Database:Modules:{module}:ConnectionString"];
        if (options.DatabaseProvider == DatabaseProvider.Postgres)
        {
            var connectionString = string.IsNullOrWhiteSpace(own) ? options.PostgresConnectionString! : own;
            services.AddPooledDbContextFactory<TPostgres>((sp, b) => ConfigurePostgres(b, connectionString, module, sp));
            services.AddScoped<TContext>(sp => sp.GetRequiredService<IDbContextFactory<TPostgres>>().CreateDbContext()
                .Bind<TContext>(sp.GetRequiredService<ITenantContext>()));
        }
        else
        {
            var connectionString = string.IsNullOrWhiteSpace(own) ? options.SqliteConnectionString : own;
            services.AddPooledDbContextFactory<TSqlite>((sp, b) => ConfigureSqlite(b, connectionString, module, sp));
            services.AddScoped<TContext>(sp => sp.GetRequiredService<IDbContextFactory<TSqlite>>().CreateDbContext()
                .Bind<TContext>(sp.GetRequiredService<ITenantContext>()));
        }
        var database = new ModuleDatabase<TContext>(module);
        services.AddSingleton<IModuleDatabase>(database);
        var core = Health.PlatformHealth.CoreModules.Contains(module);
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "database:" + module,
            sp => new ModuleStoreHealthCheck(sp, database),
            HealthStatus.Unhealthy,
            core
                ? [Health.PlatformHealth.ReadyTag, Health.PlatformHealth.CoreTag, Health.PlatformHealth.ModuleTag(module)]
                : [Health.PlatformHealth.ReadyTag, Health.PlatformHealth.ModuleTag(module), Health.PlatformHealth.GatesTag(module)],
            TimeSpan.FromSeconds(5)));
        return services;
    }

    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString, string module, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder
            .UseSqlite(connectionString, o => o.MigrationsHistoryTable($"__ef_migrations_{module}"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqliteTuning.Instance);
        return Common(builder, module, services);
    }

    public static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder builder, string connectionString, string module, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder
            .UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__ef_migrations_history", module))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(services?.GetService<PostgresTenantSessionInterceptor>() ?? new PostgresTenantSessionInterceptor());
        return Common(builder, module, services);
    }

    /// <summary>
    /// What both providers add: the slow-query log, the mark naming the module when its store fails, and any
    /// interceptors registered for the module as keyed <see cref="IInterceptor"/> services (the module's name is the key).
    /// </summary>
    private static DbContextOptionsBuilder Common(DbContextOptionsBuilder builder, string module, IServiceProvider? services)
    {
        builder.AddInterceptors(new ModuleStoreInterceptor(module));
        if (services?.GetService<Telemetry.SlowQueryInterceptor>() is { } slow)
        {
            builder.AddInterceptors(slow);
        }
        if (services is not null)
        {
            builder.AddInterceptors(services.GetKeyedServices<IInterceptor>(module));
        }
        return builder;
    }
}

/// <summary>For <c>dotnet ef migrations add</c>: a module's SQLite context without a host (one line per module).</summary>
public abstract class SqliteDesignFactory<T>(string module, Func<DbContextOptions<T>, T> create) : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<T>
    where T : ModuleDbContext
{
    public T CreateDbContext(string[] args) => DesignTime.Bind(create(DesignTime.SqliteOptions<T>(module)));
}

/// <summary>For <c>dotnet ef migrations add</c>: a module's PostgreSQL context without a host (one line per module).</summary>
public abstract class PostgresDesignFactory<T>(string module, Func<DbContextOptions<T>, T> create) : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<T>
    where T : ModuleDbContext
{
    public T CreateDbContext(string[] args) => DesignTime.Bind(create(DesignTime.PostgresOptions<T>(module)));
}

/// <summary>For <c>dotnet ef migrations add</c>: builds a module context for one provider without a host.</summary>
public static class DesignTime
{
    public static DbContextOptions<T> SqliteOptions<T>(string module)
        where T : DbContext =>
        (DbContextOptions<T>)ModuleDbContextRegistration.ConfigureSqlite(new DbContextOptionsBuilder<T>(), "Data Source=design.db", module).Options;

    public static DbContextOptions<T> PostgresOptions<T>(string module)
        where T : DbContext =>
        (DbContextOptions<T>)ModuleDbContextRegistration.ConfigurePostgres(new DbContextOptionsBuilder<T>(), "Host=localhost;Database=design", module).Options;

    public static T Bind<T>(T context)
        where T : ModuleDbContext
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Bind<T>(new TenantContext());
    }
}
