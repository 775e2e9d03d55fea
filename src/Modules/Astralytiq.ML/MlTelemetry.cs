using System.Diagnostics.Metrics;
using Astralytiq.Platform.Telemetry;

namespace Astralytiq.ML;

/// <summary>The ML module's instruments (<c>Astralytiq.ML</c>): training and prediction.</summary>
internal static class MlTelemetry
{
    public const string Name = "Astralytiq.ML";

    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> TrainingDuration = Meter.CreateHistogram("astralytiq.ml.training.duration", "s",
        "How long a model version took to train, by task and outcome (ready, failed)", advice: AstralytiqTelemetry.Seconds);

    public static readonly Histogram<double> PredictionDuration = Meter.CreateHistogram("astralytiq.ml.prediction.duration", "s",
        "How long a prediction request took to score its rows, by model id", advice: AstralytiqTelemetry.Seconds);

    public static readonly Counter<long> PredictedRows = Meter.CreateCounter<long>("astralytiq.ml.predictions", "{row}",
        "Rows scored by prediction requests, by model id");

    public static readonly Counter<long> PredictionLogDropped = Meter.CreateCounter<long>("astralytiq.ml.prediction_log.dropped", "{row}",
        "Prediction log samples dropped: the queue was full or the store refused them (the predictions were answered)");

    public static readonly Counter<long> ShadowsDropped = Meter.CreateCounter<long>("astralytiq.ml.shadow.dropped", "{request}",
        "Shadow copies of deployment requests not scored: the shadow queue was full");

    public static void Trained(string task, string outcome, TimeSpan elapsed) =>
        TrainingDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("astralytiq.ml.task", task),
            new KeyValuePair<string, object?>("astralytiq.ml.outcome", outcome));

    public static void Predicted(Guid modelId, int rows, double milliseconds)
    {
        var model = new KeyValuePair<string, object?>("astralytiq.model.id", modelId.ToString());
        PredictionDuration.Record(milliseconds / 1000, model);
        PredictedRows.Add(rows, model);
    }
}
