using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace Astralytiq.Platform.Errors;

/// <summary>
/// Lets a module say what one of its exceptions means to the client (its engine ran out of memory for the
/// request, say) instead of the 500 that unexpected exceptions get. Registered as services; the one
/// exception handler asks each in turn.
/// </summary>
public interface IExceptionClassifier
{
    /// <summary>The expected failure this exception stands for, or null when it is not one this module knows.</summary>
    Error? Classify(Exception exception);
}

/// <summary>
/// The kernel's own classification: a store or other dependency that cannot be reached, or a full disk. When
/// the failing store is one module's (the module's name rides on the exception, see
/// <see cref="Persistence.ModuleStoreInterceptor"/>) or a full disk stops one module's route, the answer is that
/// module's <c>MODULE_UNAVAILABLE</c>; a core store failing is the platform's <c>SERVICE_UNAVAILABLE</c>.
/// </summary>
internal sealed class DependencyDownClassifier(IHttpContextAccessor http) : IExceptionClassifier
{
    public Error? Classify(Exception exception)
    {
        if (IsDependencyDown(exception))
        {
            return FailedModule(exception) is { } module && !Health.PlatformHealth.CoreModules.Contains(module)
                ? UnavailableError.ForModule(module, "its database cannot be reached")
                : new UnavailableError("A service the platform depends on is not reachable right now; nothing was changed. Try again shortly.");
        }
        if (IsDiskFull(exception))
        {
            // The exception handler clears the endpoint before it runs; its feature keeps the one that failed.
            var failed = http.HttpContext?.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint ?? http.HttpContext?.GetEndpoint();
            return failed?.Metadata.GetMetadata<Health.ModuleEndpointMetadata>() is { } endpoint
                && !Health.PlatformHealth.CoreModules.Contains(endpoint.Module)
                ? UnavailableError.ForModule(endpoint.Module, "the disk is full")
                : new UnavailableError("The server's disk is full; nothing was changed. Try again once space is freed.", 30);
        }
        return null;
    }

    /// <summary>
    /// True for failures to reach a dependency rather than faults of the request: a transient database
    /// error (connection refused or lost, server shutting down, too many connections), a SQLite file that
    /// cannot be opened or read, or a socket error, anywhere in the chain of inner exceptions (EF Core wraps them).
    /// </summary>
    public static bool IsDependencyDown(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } or SocketException
                or SqliteException { SqliteErrorCode: SqliteCantOpen or SqliteIoError })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>No space left on the device (ENOSPC, Windows' ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL, SQLite's SQLITE_FULL).</summary>
    public static bool IsDiskFull(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if ((e is IOException io && (io.HResult & 0xFFFF) is 28 or 0x70 or 0x27) || e is SqliteException { SqliteErrorCode: SqliteFull })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The module whose store failed, when the exception (or one it wraps) carries it.</summary>
    public static string? FailedModule(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.Data[Persistence.ModuleStoreInterceptor.DataKey] is string module)
            {
                return module;
            }
        }
        return null;
    }

    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
}

/// <summary>What modules need to tell an outage from a fault of their own (to spool, retry or answer for themselves).</summary>
public static class DependencyFaults
{
    /// <summary>A store or other dependency could not be reached (see <see cref="DependencyDownClassifier.IsDependencyDown"/>).</summary>
    public static bool IsDependencyDown(Exception exception) => DependencyDownClassifier.IsDependencyDown(exception);

    /// <summary>No space left on the device.</summary>
    public static bool IsDiskFull(Exception exception) => DependencyDownClassifier.IsDiskFull(exception);
}
