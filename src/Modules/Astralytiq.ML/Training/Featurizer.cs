using System.Text.Json.Nodes;

namespace Astralytiq.ML.Training;

/// <summary>
/// How one feature becomes numbers (its slots in the feature vector, from <see cref="Offset"/> for <see cref="Width"/>):
/// numeric — the value (missing: the training median) and, when training saw missing values, a 0/1 indicator;
/// categorical — one slot per kept level and one for every other value (also values never seen in training);
/// temporal — days since 1970, year, month, day, day of week (and hour for timestamps), missing as for numbers.
/// </summary>
internal sealed record FeatureSpec(
    string Name,
    string Type,
    string Kind,
    List<string>? Levels,
    double Min,
    double Max,
    double Median,
    double MissingFraction,
    bool MissingIndicator,
    int Offset,
    int Width)
{
    public const string Numeric = "numeric";
    public const string Categorical = "categorical";
    public const string Temporal = "temporal";
    public const string MissingLevel = "(missing)";

    public FeatureSchemaDto ToDto() => new(Name, Type, Kind, Levels,
        Kind == Categorical ? null : Min, Kind == Categorical ? null : Max, Kind == Categorical ? null : Median, MissingFraction);
}

/// <summary>
/// Turns raw feature values into a fixed-width float vector, fitted on the training rows only, so a model
/// sees the same encoding in training and in prediction. Stored with the model (ADR 0017).
/// </summary>
internal sealed class Featurizer
{
    /// <summary>Categorical features keep every level when there are at most this many; otherwise the most frequent <see cref="KeptLevels"/>.</summary>
    public const int MaxLevels = 100;
    public const int KeptLevels = 50;

    public required List<FeatureSpec> Specs { get; init; }

    public int Width => Specs.Count == 0 ? 0 : Specs[^1].Offset + Specs[^1].Width;

    public static Featurizer Fit(DatasetTable table, IReadOnlyList<string> features, IReadOnlyList<int> rows)
    {
        var specs = new List<FeatureSpec>();
        var offset = 0;
        foreach (var name in features)
        {
            var column = table.Column(name)!;
            FeatureSpec spec;
            if (column.IsNumeric || column.IsTemporal)
            {
                var values = new List<double>(rows.Count);
                var missing = 0;
                foreach (var r in rows)
                {
                    var v = column.IsNumeric ? column.Numbers![r] : column.Times![r] is { } t ? DaysSinceEpoch(t) : double.NaN;
                    if (double.IsNaN(v))
                    {
                        missing++;
                    }
                    else
                    {
                        values.Add(Math.Clamp(v, double.MinValue, double.MaxValue)); // an infinity in the data is the largest number
                    }
                }
                values.Sort();
                var median = values.Count == 0 ? 0 : values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
                var kind = column.IsNumeric ? FeatureSpec.Numeric : FeatureSpec.Temporal;
                var width = (kind == FeatureSpec.Numeric ? 1 : column.Type == "timestamp" ? 6 : 5) + (missing > 0 ? 1 : 0);
                spec = new FeatureSpec(name, column.Type, kind, null, values.Count == 0 ? 0 : values[0], values.Count == 0 ? 0 : values[^1], median,
                    rows.Count == 0 ? 0 : missing / (double)rows.Count, missing > 0, offset, width);
            }
            else
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                var missing = 0;
                foreach (var r in rows)
                {
                    var text = column.Texts![r];
                    if (text is null)
                    {
                        missing++;
                    }
                    counts[text ?? FeatureSpec.MissingLevel] = counts.GetValueOrDefault(text ?? FeatureSpec.MissingLevel) + 1;
                }
                var levels = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key)
                    .Take(counts.Count <= MaxLevels ? MaxLevels : KeptLevels).ToList();
                spec = new FeatureSpec(name, column.Type, FeatureSpec.Categorical, levels, 0, 0, 0,
                    rows.Count == 0 ? 0 : missing / (double)rows.Count, false, offset, levels.Count + 1);
            }
            specs.Add(spec);
            offset += spec.Width;
        }
        return new Featurizer { Specs = specs };
    }

    public static double DaysSinceEpoch(DateTime t) => (t - DateTime.UnixEpoch).TotalDays;

    /// <summary>The raw value of a feature in a table row: a double (NaN when missing), a DateTime? or a string?.</summary>
    public static object? Raw(TableColumn column, int row) =>
        column.IsNumeric ? column.Numbers![row] : column.IsTemporal ? column.Times![row] : column.Texts![row];

    public float[] Encode(DatasetTable table, int row)
    {
        var vector = new float[Width];
        foreach (var spec in Specs)
        {
            Encode(spec, Raw(table.Column(spec.Name)!, row), vector);
        }
        return vector;
    }

    /// <summary>
    /// The learners work in single precision: a value past its range (1e300, say, or an infinity in the data) is held at
    /// the largest float of its sign rather than becoming infinite, which no learner or artifact can carry.
    /// </summary>
    public static float ToFloat(double value) => (float)Math.Clamp(value, float.MinValue, float.MaxValue);

    /// <summary>Writes one feature's slots. A categorical value not among the levels goes to the "other" slot.</summary>
    public static void Encode(FeatureSpec spec, object? raw, float[] vector)
    {
        var o = spec.Offset;
        switch (spec.Kind)
        {
            case FeatureSpec.Numeric:
            {
                var v = raw is double d ? d : double.NaN;
                var missing = double.IsNaN(v);
                vector[o] = ToFloat(missing ? spec.Median : v);
                if (spec.MissingIndicator)
                {
                    vector[o + 1] = missing ? 1 : 0;
                }
                break;
            }
            case FeatureSpec.Temporal:
            {
                var t = raw as DateTime?;
                var days = t is { } time ? DaysSinceEpoch(time) : spec.Median;
                var when = t ?? DateTime.UnixEpoch.AddDays(spec.Median);
                vector[o] = (float)days;
                vector[o + 1] = when.Year;
                vector[o + 2] = when.Month;
                vector[o + 3] = when.Day;
                vector[o + 4] = (int)when.DayOfWeek;
                var next = o + 5;
                if (spec.Type == "timestamp")
                {
                    vector[next++] = when.Hour;
                }
                if (spec.MissingIndicator)
                {
                    vector[next] = t is null ? 1 : 0;
                }
                break;
            }
            default:
            {
                var text = raw as string ?? FeatureSpec.MissingLevel;
                for (var i = 0; i < spec.Width; i++)
                {
                    vector[o + i] = 0;
                }
                var index = spec.Levels!.IndexOf(text);
                vector[o + (index < 0 ? spec.Levels.Count : index)] = 1;
                break;
            }
        }
    }

    /// <summary>
    /// Reads a prediction input row, checking every feature: a missing field or a value of the wrong type is an
    /// error naming the field (JSON null means "missing" and is filled as in training); an unseen category is
    /// accepted as "other" with a warning. Fields that are not features are ignored.
    /// </summary>
    public (object?[] Raw, List<string> Warnings, List<(string Field, string Message)> Errors) Read(JsonObject row, string prefix)
    {
        var raw = new object?[Specs.Count];
        var warnings = new List<string>();
        var errors = new List<(string, string)>();
        for (var i = 0; i < Specs.Count; i++)
        {
            var spec = Specs[i];
            if (!row.TryGetPropertyValue(spec.Name, out var node))
            {
                errors.Add(($"{prefix}{spec.Name}", $"'{spec.Name}' is required (a {spec.Type}; send null when it is missing)"));
                continue;
            }
            if (node is null)
            {
                raw[i] = spec.Kind switch { FeatureSpec.Numeric => double.NaN, _ => null };
                continue;
            }
            switch (spec.Kind)
            {
                case FeatureSpec.Numeric:
                    if (node is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number))
                    {
                        raw[i] = number;
                    }
                    else if (spec.Type == "boolean" && node is JsonValue b && b.TryGetValue<bool>(out var flag))
                    {
                        raw[i] = flag ? 1.0 : 0.0;
                    }
                    else
                    {
                        errors.Add(($"{prefix}{spec.Name}", $"'{spec.Name}' must be a {(spec.Type == "boolean" ? "boolean" : "number")}, not {Describe(node)}"));
                    }
                    break;
                case FeatureSpec.Temporal:
                    if (node is JsonValue tv && tv.TryGetValue<string>(out var text) &&
                        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
                    {
                        raw[i] = time;
                    }
                    else
                    {
                        errors.Add(($"{prefix}{spec.Name}", $"'{spec.Name}' must be a date or timestamp in ISO 8601 text, not {Describe(node)}"));
                    }
                    break;
                default:
                    if (node is JsonValue sv && (sv.TryGetValue<string>(out var s) || TryScalarText(sv, out s)))
                    {
                        raw[i] = s;
                        if (!spec.Levels!.Contains(s!))
                        {
                            warnings.Add($"'{spec.Name}': '{s}' was not seen in training (or is rare there) and counts as other");
                        }
                    }
                    else
                    {
                        errors.Add(($"{prefix}{spec.Name}", $"'{spec.Name}' must be text, not {Describe(node)}"));
                    }
                    break;
            }
        }
        return (raw, warnings, errors);
    }

    public float[] Encode(object?[] raw)
    {
        var vector = new float[Width];
        for (var i = 0; i < Specs.Count; i++)
        {
            Encode(Specs[i], raw[i], vector);
        }
        return vector;
    }

    private static bool TryScalarText(JsonValue value, out string? text)
    {
        if (value.TryGetValue<bool>(out var b))
        {
            text = b ? "true" : "false";
            return true;
        }
        if (value.TryGetValue<double>(out var d))
        {
            text = d.ToString("R", CultureInfo.InvariantCulture);
            return true;
        }
        text = null;
        return false;
    }

    private static string Describe(JsonNode node) => node switch
    {
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v when v.TryGetValue<string>(out var s) => $"the text \"{(s.Length > 40 ? s[..40] + "…" : s)}\"",
        JsonValue v when v.TryGetValue<bool>(out _) => "a boolean",
        _ => "a number",
    };

    /// <summary>The JSON value of a raw feature value, as shown next to its contribution.</summary>
    public static JsonNode? ToJson(object? raw) => raw switch
    {
        double d when double.IsNaN(d) => null,
        double d => JsonValue.Create(d),
        DateTime t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
        string s => JsonValue.Create(s),
        _ => null,
    };
}
