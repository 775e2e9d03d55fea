namespace Astralytiq.Data.Engine;

/// <summary>
/// The shape limits every user-supplied table passes before the engine reads it (docs/decisions/0020).
/// They are checked without recursion, so input at or past a limit costs one linear pass and a 422.
/// </summary>
internal static class InputLimits
{
    /// <summary>
    /// Deepest nesting of objects and arrays in a JSON or NDJSON file (a top-level array of flat records
    /// is 2 deep). DuckDB's JSON reader recurses once per level on the native stack.
    /// </summary>
    public const int MaxJsonDepth = 64;

    /// <summary>Most columns a dataset may have, whatever the format.</summary>
    public const int MaxColumns = 4096;

    /// <summary>Longest column name, in characters.</summary>
    public const int MaxColumnNameLength = 512;

    /// <summary>Nested JSON objects are flattened into dotted columns this many levels down; deeper ones stay one text column.</summary>
    public const int MaxFlattenDepth = 10;

    /// <summary>How long reading a file of this size may take before it is stopped (a base plus a share per GiB).</summary>
    public static TimeSpan ParseTimeout(DataSettings settings, long bytes) =>
        TimeSpan.FromSeconds(settings.ParseTimeoutSeconds + (settings.ParseSecondsPerGiB * (double)Math.Max(0, bytes) / (1L << 30)));

    /// <summary>The 422 for a schema past the column limits, or null when it is within them.</summary>
    public static Platform.Errors.ValidationError? CheckColumns(IReadOnlyCollection<string> names, string displayName, string field = "file")
    {
        if (names.Count > MaxColumns)
        {
            return Platform.Errors.ValidationError.For(field, $"{displayName} has {names.Count:N0} columns; at most {MaxColumns:N0} are supported");
        }
        var longName = names.FirstOrDefault(n => n.Length > MaxColumnNameLength);
        if (longName is not null)
        {
            return Platform.Errors.ValidationError.For(field, $"{displayName} has a column name of {longName.Length:N0} characters ('{longName[..40]}…'); at most {MaxColumnNameLength} are supported");
        }
        // A NUL would end the engine's statement text early; other control characters have no business in a name.
        var control = names.FirstOrDefault(n => n.Any(char.IsControl));
        return control is null
            ? null
            : Platform.Errors.ValidationError.For(field, $"{displayName} has a column name with a control character (such as NUL or a line break) in it: '{new string(control.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray())}'");
    }
}
