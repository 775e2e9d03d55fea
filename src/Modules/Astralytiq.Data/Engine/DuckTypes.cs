namespace Astralytiq.Data.Engine;

/// <summary>Reads DuckDB type names as DESCRIBE prints them, such as <c>STRUCT("b c" BIGINT, d STRUCT(e DOUBLE))</c>.</summary>
internal static class DuckTypes
{
    /// <summary>
    /// The fields of a STRUCT type, in order (quoted names unquoted), or null when the type is not a struct
    /// (a list of structs, <c>STRUCT(…)[]</c>, is a list). One pass over the text, no recursion.
    /// </summary>
    public static List<(string Name, string Type)>? StructFields(string type)
    {
        if (!type.StartsWith("STRUCT(", StringComparison.OrdinalIgnoreCase) || !type.EndsWith(')') || !Balanced(type, 6))
        {
            return null;
        }
        var body = type.AsSpan(7, type.Length - 8);
        var fields = new List<(string, string)>();
        var i = 0;
        while (i < body.Length)
        {
            while (i < body.Length && body[i] == ' ')
            {
                i++;
            }
            string name;
            if (i < body.Length && body[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < body.Length)
                {
                    if (body[i] == '"')
                    {
                        if (i + 1 < body.Length && body[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.Append(body[i++]);
                }
                name = sb.ToString();
            }
            else
            {
                var space = body[i..].IndexOf(' ');
                if (space < 0)
                {
                    return null;
                }
                name = body.Slice(i, space).ToString();
                i += space;
            }
            while (i < body.Length && body[i] == ' ')
            {
                i++;
            }
            var end = TopLevelComma(body, i);
            fields.Add((name, body[i..end].Trim().ToString()));
            i = end + 1;
        }
        return fields;
    }

    /// <summary>True when the parenthesis at <paramref name="open"/> closes at the last character.</summary>
    private static bool Balanced(string type, int open) => Scan(type.AsSpan(), open + 1, depth: 1, stopAtComma: false) == type.Length - 1;

    private static int TopLevelComma(ReadOnlySpan<char> text, int from)
    {
        var at = Scan(text, from, depth: 0, stopAtComma: true);
        return at < 0 ? text.Length : at;
    }

    /// <summary>
    /// From <paramref name="from"/> at nesting <paramref name="depth"/>, skipping quoted names and text: the index of the
    /// first comma at depth 0 (when asked) or of the parenthesis that brings the depth to 0; -1 when neither comes.
    /// </summary>
    private static int Scan(ReadOnlySpan<char> text, int from, int depth, bool stopAtComma)
    {
        char quote = '\0';
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0 && !stopAtComma)
            {
                return i;
            }
            else if (c == ',' && depth == 0 && stopAtComma)
            {
                return i;
            }
        }
        return -1;
    }
}
