namespace Astralytiq.Data.Engine;

/// <summary>
/// What the engine's own failures mean to the client: a statement that needs more memory than one request
/// may use is the request's size, not a fault of the server (422, never a 500); so is a decimal too wide to read.
/// </summary>
internal sealed class EngineErrors(DataSettings settings) : IExceptionClassifier
{
    public Error? Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is WideDecimalException wide)
            {
                return ValidationError.For("request", wide.Message);
            }
            if (e is DuckDBException duck && duck.Message.Contains("Out of Memory Error", StringComparison.OrdinalIgnoreCase))
            {
                return ValidationError.For("request",
                    $"this needs more memory than the engine may use for one request ({settings.DuckDbMemoryLimitMb:N0} MB); filter, sample or use fewer columns first");
            }
        }
        return null;
    }
}
