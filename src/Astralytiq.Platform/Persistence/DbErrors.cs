using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Astralytiq.Platform.Persistence;

/// <summary>What a failed save means, the same way on PostgreSQL and SQLite.</summary>
public static class DbErrors
{
    /// <summary>SQLite's primary result code for a constraint violation (a unique key, among others).</summary>
    private const int SqliteConstraint = 19;

    /// <summary>
    /// True when the save lost a race: a concurrency token changed, or a unique key another writer took first
    /// (PostgreSQL 23505, SQLite's constraint error 19). The caller answers 409 and asks to reload; nothing was saved.
    /// </summary>
    public static bool LostRace(DbUpdateException exception) =>
        exception is DbUpdateConcurrencyException
        || (exception.InnerException is DbException db && (db.SqlState == "23505" || db is SqliteException { SqliteErrorCode: SqliteConstraint }));
}
