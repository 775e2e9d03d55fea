using System.Text.Json.Serialization;

namespace Astralytiq.Contracts;

/// <summary>The JSON conventions of the public API: snake_case names and enum values, ISO-8601 UTC times.</summary>
public static class ApiJson
{
    /// <summary>The deepest nesting of objects and arrays a request body may have; deeper ones are refused (422).</summary>
    public const int MaxDepth = 64;

    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.MaxDepth = MaxDepth;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        }
        return options;
    }
}
