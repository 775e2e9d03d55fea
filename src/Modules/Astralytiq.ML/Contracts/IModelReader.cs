using Astralytiq.ML.Prediction;

namespace Astralytiq.ML.Contracts;

/// <summary>
/// What other modules (dashboards, reports) may read of the current tenant's models: a forecasting model's forecast and
/// any model's metrics, by name or id, at an alias (the newest ready version when none is given). Errors as the API's.
/// </summary>
public interface IModelReader
{
    Task<Result<ForecastResponse>> ForecastAsync(string model, string? alias, int? horizon, string? series, CancellationToken cancellationToken);

    Task<Result<ModelMetricsResponse>> MetricsAsync(string model, string? alias, CancellationToken cancellationToken);
}

internal sealed class ModelReader(PredictionHandlers prediction, RegistryHandlers registry) : IModelReader
{
    public Task<Result<ForecastResponse>> ForecastAsync(string model, string? alias, int? horizon, string? series, CancellationToken cancellationToken) =>
        prediction.ForecastAsync(model, null, alias, horizon, series, cancellationToken);

    public Task<Result<ModelMetricsResponse>> MetricsAsync(string model, string? alias, CancellationToken cancellationToken) =>
        registry.MetricsAsync(model, null, alias, cancellationToken);
}
