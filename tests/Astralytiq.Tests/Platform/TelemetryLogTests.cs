using Astralytiq.Platform.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Astralytiq.Tests.Platform;

/// <summary>The slow-query log names the statement's kind and duration, never its text or values; fast commands are not logged.</summary>
public sealed class TelemetryLogTests
{
    [Theory]
    [InlineData("SELECT 1", "SELECT")]
    [InlineData("  \n insert into t values (1)", "INSERT")]
    [InlineData("-- a comment\nWITH x AS (SELECT 1) SELECT * FROM x", "WITH")]
    [InlineData("-- only a comment", "SQL")]
    [InlineData("", "SQL")]
    [InlineData(null, "SQL")]
    [InlineData("(SELECT 1)", "SQL")]
    [InlineData("copy t TO 'secret.csv'", "COPY")]
    public void A_statement_is_known_by_its_first_keyword(string? sql, string kind) =>
        Assert.Equal(kind, AstralytiqTelemetry.StatementKind(sql));

    [Fact]
    public async Task A_command_slower_than_the_threshold_is_logged_by_kind_without_its_values()
    {
        var logs = new ListLogger();
        var slow = new SlowQueryInterceptor(new TelemetrySettings { SlowQueryMilliseconds = 1 }, logs);
        var quiet = new SlowQueryInterceptor(new TelemetrySettings { SlowQueryMilliseconds = 60_000 }, logs);
        const string Query = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) AS \"Value\" FROM n WHERE 'Oslo' <> ''";

        await using (var db = new Probe(quiet))
        {
            await db.Database.SqlQueryRaw<long>(Query).ToListAsync();
        }
        Assert.Empty(logs.Lines);

        await using (var db = new Probe(slow))
        {
            await db.Database.SqlQueryRaw<long>(Query).ToListAsync();
        }
        var line = Assert.Single(logs.Lines);
        Assert.StartsWith("Slow query: Probe WITH took ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Oslo", line, StringComparison.Ordinal);
        Assert.DoesNotContain("RECURSIVE", line, StringComparison.Ordinal);
    }

    private sealed class Probe(SlowQueryInterceptor interceptor) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
            optionsBuilder.UseSqlite(new SqliteConnection("Data Source=:memory:")).AddInterceptors(interceptor);
    }

    private sealed class ListLogger : ILogger<SlowQueryInterceptor>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
