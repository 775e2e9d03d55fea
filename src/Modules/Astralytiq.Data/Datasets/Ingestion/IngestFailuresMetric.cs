using Astralytiq.Platform.Alerting;

namespace Astralytiq.Data.Datasets.Ingestion;

/// <summary>Uploads and imports whose ingestion failed for good within the window (an alert rule can watch it).</summary>
internal sealed class IngestFailuresMetric(IServiceProvider services) : FailedJobsMetric(services, IngestJob.Kind)
{
    public override string Name => "ingest_failures";

    public override string Description => "Uploads and imports that failed to ingest (after every retry) in the window";
}
