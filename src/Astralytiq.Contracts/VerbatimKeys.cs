using System.Text.Json.Serialization;

namespace Astralytiq.Contracts;

/// <summary>
/// Writes a string dictionary with its keys as they are. <see cref="ApiJson"/> snake-cases dictionary keys,
/// which is right for keys we name and wrong for keys the user names: column names in a rename, HTTP header
/// names. Put this on such properties.
/// </summary>
public sealed class VerbatimKeys : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected an object of text values");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            values[key] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"the value of '{key}' must be text");
        }
        return values;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, text) in value)
        {
            writer.WriteString(key, text);
        }
        writer.WriteEndObject();
    }
}
