using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Astralytiq.Platform.Telemetry;

/// <summary>
/// The slow-query log for every module's database: a command that ran longer than
/// <see cref="TelemetrySettings.SlowQueryMilliseconds"/> is logged as a warning with its module, kind (SELECT, UPDATE, …),
/// duration and the trace it belongs to — never its text or values, which may hold tenant data.
/// </summary>
internal sealed partial class SlowQueryInterceptor(TelemetrySettings settings, ILogger<SlowQueryInterceptor> logger) : DbCommandInterceptor
{
    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Check(command, eventData);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Check(command, eventData);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Check(command, eventData);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData);
        return ValueTask.FromResult(result);
    }

    private void Check(DbCommand command, CommandExecutedEventData eventData)
    {
        if (settings.SlowQueryMilliseconds > 0 && eventData.Duration.TotalMilliseconds >= settings.SlowQueryMilliseconds)
        {
            LogSlow(logger, eventData.Context?.GetType().Name ?? "?", StatementKind(command.CommandText), Math.Round(eventData.Duration.TotalMilliseconds));
        }
    }

    /// <summary>The statement's first keyword (SELECT, INSERT, UPDATE, DELETE, WITH, …), upper-cased; "SQL" when there is none.</summary>
    internal static string StatementKind(string? sql)
    {
        var text = (sql ?? string.Empty).AsSpan().TrimStart();
        while (text.StartsWith("--"))
        {
            var end = text.IndexOf('\n');
            text = end < 0 ? [] : text[(end + 1)..].TrimStart();
        }
        var length = 0;
        while (length < text.Length && length < 16 && char.IsAsciiLetter(text[length]))
        {
            length++;
        }
        return length == 0 ? "SQL" : text[..length].ToString().ToUpperInvariant();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slow query: {Context} {Kind} took {Milliseconds} ms")]
    private static partial void LogSlow(ILogger logger, string context, string kind, double milliseconds);
}
