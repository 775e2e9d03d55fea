using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Astralytiq.Platform.Persistence;

/// <summary>
/// The embedded database's write-ahead log (ADR 25): readers go on while one request writes, and a commit appends to the
/// log instead of rewriting a journal with three flushes. The log mode is the file's own (set once, before migrating);
/// <c>synchronous = NORMAL</c> is each connection's: in WAL mode a commit survives the server crashing or being killed,
/// and only an operating-system crash or power cut can lose the last commits before a checkpoint.
/// </summary>
internal sealed class SqliteTuning : DbConnectionInterceptor
{
    public static readonly SqliteTuning Instance = new();

    private const string PerConnection = "PRAGMA synchronous = NORMAL;";

    public const string PerFile = "PRAGMA journal_mode = WAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = PerConnection;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = PerConnection;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
