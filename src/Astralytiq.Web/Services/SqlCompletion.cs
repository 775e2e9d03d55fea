namespace Astralytiq.Web.Services;

/// <summary>
/// Which names the SQL workspace suggests for a typed word, best first: names that start with it, then names with a
/// word inside that starts with it ("amount" finds total_amount and TotalAmount), then names that contain it, then names
/// holding its letters in order ("tamt" finds total_amount). Within a kind the given order is kept (the columns of
/// the datasets the query names come before other names, SQL words last).
/// </summary>
public static class SqlCompletion
{
    public static List<string> Suggest(string typed, IEnumerable<string> names, int limit = 8)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(names);
        if (typed.Length == 0)
        {
            return [];
        }
        return names
            .Distinct(StringComparer.Ordinal)
            .Where(n => !n.Equals(typed, StringComparison.Ordinal))
            .Select((name, order) => (name, order, rank: Rank(typed, name)))
            .Where(m => m.rank >= 0)
            .OrderBy(m => m.rank)
            .ThenBy(m => m.order)
            .Take(limit)
            .Select(m => m.name)
            .ToList();
    }

    /// <summary>0 prefix, 1 a word inside starts with it, 2 contains it, 3 its letters in order (three or more typed), −1 no match.</summary>
    public static int Rank(string typed, string name)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }
        var at = name.IndexOf(typed, StringComparison.OrdinalIgnoreCase);
        if (at > 0)
        {
            for (var i = at; i >= 0; i = i + 1 < name.Length ? name.IndexOf(typed, i + 1, StringComparison.OrdinalIgnoreCase) : -1)
            {
                if (WordStart(name, i))
                {
                    return 1;
                }
            }
            return 2;
        }
        return typed.Length >= 3 && InOrder(typed, name) ? 3 : -1;
    }

    /// <summary>After a separator (_ - . space, a digit run's end) or at a capital after a small letter (camelCase).</summary>
    private static bool WordStart(string name, int i) =>
        i == 0
        || !char.IsLetterOrDigit(name[i - 1])
        || (char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
        || (char.IsLetter(name[i]) && char.IsDigit(name[i - 1]));

    private static bool InOrder(string typed, string name)
    {
        var j = 0;
        foreach (var c in name)
        {
            if (j < typed.Length && char.ToUpperInvariant(c) == char.ToUpperInvariant(typed[j]))
            {
                j++;
            }
        }
        return j == typed.Length && char.ToUpperInvariant(name[0]) == char.ToUpperInvariant(typed[0]);
    }
}
