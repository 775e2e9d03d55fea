using System.Data.Common;
using System.Net.Sockets;

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

/// <summary>The kernel's own classification: a database or other dependency that cannot be reached.</summary>
internal sealed class DependencyDownClassifier : IExceptionClassifier
{
    public Error? Classify(Exception exception) =>
        IsDependencyDown(exception) ? new UnavailableError("A service the platform depends on is not reachable right now; nothing was changed. Try again shortly.") : null;

    /// <summary>
    /// True for failures to reach a dependency rather than faults of the request: a transient database
    /// error (connection refused or lost, server shutting down, too many connections) or a socket error,
    /// anywhere in the chain of inner exceptions (EF Core wraps them).
    /// </summary>
    public static bool IsDependencyDown(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } or SocketException)
            {
                return true;
            }
        }
        return false;
    }
}
