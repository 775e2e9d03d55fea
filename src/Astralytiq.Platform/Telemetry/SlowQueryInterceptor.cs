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
            LogSlow(logger, eventData.Context?.GetType().Name ?? "?", AstralytiqTelemetry.StatementKind(command.CommandText), Math.Round(eventData.Duration.TotalMilliseconds));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slow query: {Context} {Kind} took {Milliseconds} ms")]
    private static partial void LogSlow(ILogger logger, string context, string kind, double milliseconds);
}
