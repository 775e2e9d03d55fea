using System.Data.Common;

namespace Astralytiq.Platform.Persistence;

/// <summary>What a failed save means, the same way on PostgreSQL and SQLite.</summary>
public static class DbErrors
{
    /// <summary>
    /// True when the save lost a race: a concurrency token changed, or a unique key another writer took first
    /// (PostgreSQL 23505, SQLite's constraint error 19). The caller answers 409 and asks to reload; nothing was saved.
    /// </summary>
    public static bool LostRace(DbUpdateException exception) =>
        exception is DbUpdateConcurrencyException
        || (exception.InnerException is DbException db && (db.SqlState == "23505" || (db.GetType().Name == "SqliteException" && (db.ErrorCode & 0xFF) == 19)));
}
