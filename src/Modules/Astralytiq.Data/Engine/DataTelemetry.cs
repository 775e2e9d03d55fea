using System.Diagnostics;
using System.Diagnostics.Metrics;
using Astralytiq.Platform.Telemetry;

namespace Astralytiq.Data.Engine;

/// <summary>The Data module's spans and instruments (<c>Astralytiq.Data</c>): DuckDB statements and ingested rows and bytes.</summary>
internal static class DataTelemetry
{
    public const string Name = "Astralytiq.Data";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> QueryDuration = Meter.CreateHistogram("astralytiq.duckdb.query.duration", "s",
        "How long a DuckDB statement ran, by statement kind and purpose (ingest, query, sql_workspace, read, statement)", advice: AstralytiqTelemetry.Seconds);

    public static readonly Counter<long> IngestRows = Meter.CreateCounter<long>("astralytiq.ingest.rows", "{row}",
        "Rows that came into datasets from outside (uploads, appends, imports), once their version is stored");

    public static readonly Counter<long> IngestBytes = Meter.CreateCounter<long>("astralytiq.ingest.bytes", "By",
        "Bytes that came into datasets from outside (the files or answers read), once their version is stored");

    /// <summary>Times and traces one DuckDB statement: its kind and purpose, and the rows it returned — never its text or values.</summary>
    public static Statement Query(string purpose, string sql) => new(purpose, AstralytiqTelemetry.StatementKind(sql));

    internal sealed class Statement : IDisposable
    {
        private readonly string _purpose;
        private readonly string _kind;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Activity? _activity;
        private bool _failed;

        public Statement(string purpose, string kind)
        {
            _purpose = purpose;
            _kind = kind;
            _activity = Source.StartActivity("duckdb " + kind, ActivityKind.Client);
            _activity?.SetTag("db.system.name", "duckdb").SetTag("db.operation.name", kind).SetTag("astralytiq.query.purpose", purpose);
        }

        public void Rows(long rows) => _activity?.SetTag("db.response.returned_rows", rows);

        public void Failed(Exception exception)
        {
            _failed = true;
            _activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        }

        public void Dispose()
        {
            var tags = new TagList { { "db.operation.name", _kind }, { "astralytiq.query.purpose", _purpose } };
            if (_failed)
            {
                tags.Add("error.type", "duckdb");
            }
            QueryDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
            _activity?.Dispose();
        }
    }
}
