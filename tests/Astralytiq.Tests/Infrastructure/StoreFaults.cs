using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// Takes a module's store away for the requests that ask (header <see cref="Header"/>: <c>data,ml</c>): when
/// such a request opens a connection of a listed module, the connection is pointed at a store that is not
/// there (a closed port for PostgreSQL, a file in a missing folder for SQLite), so the real driver fails the
/// way it does when the store is down. Other requests, and background work, are untouched: tests on a
/// shared host can fault a module for themselves alone.
/// </summary>
public sealed class StoreFaults(string module, IHttpContextAccessor http) : DbConnectionInterceptor
{
    public const string Header = "X-Test-Store-Down";

    public static readonly string[] Modules = ["platform", "identity", "tenancy", "audit", "data", "ml", "dashboards", "notifications", "billing"];

    private readonly ConditionalWeakTable<DbConnection, string> _original = [];

    /// <summary>Registers one per module (as the keyed interceptors the platform adds to each module's store).</summary>
    public static void Register(IServiceCollection services)
    {
        foreach (var module in Modules)
        {
            services.AddKeyedSingleton<IInterceptor>(module, (sp, _) => new StoreFaults(module, sp.GetRequiredService<IHttpContextAccessor>()));
        }
    }

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Break(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Break(connection);
        return ValueTask.FromResult(result);
    }

    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Restore(connection);

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Restore(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Restore(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Restore(connection);
        return Task.CompletedTask;
    }

    private void Break(DbConnection connection)
    {
        var asked = http.HttpContext?.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(asked) || !asked.Split(',', StringSplitOptions.TrimEntries).Contains(module, StringComparer.Ordinal))
        {
            return;
        }
        _original.AddOrUpdate(connection, connection.ConnectionString);
        connection.ConnectionString = connection is Npgsql.NpgsqlConnection
            ? "Host=127.0.0.1;Port=1;Username=nobody;Database=nowhere;Timeout=2;Pooling=false"
            : $"Data Source={Path.Combine(Path.GetTempPath(), "astralytiq-no-such-folder-" + Guid.NewGuid().ToString("N"), "gone.db")};Mode=ReadWrite;Pooling=False";
    }

    private void Restore(DbConnection connection)
    {
        if (_original.TryGetValue(connection, out var original))
        {
            _original.Remove(connection);
            connection.ConnectionString = original;
        }
    }
}
