using System.Globalization;

namespace Astralytiq.Contracts.Formatting;

/// <summary>
/// How numbers are written for a locale: the locale's decimal sign, thousands separator and digit grouping, on the invariant
/// culture's patterns (so "P1" reads "12.5 %" in en-US and "12,5 %" in de-DE, and the two ends of the product agree).
/// The server takes the separators from .NET's culture data; the web client from the browser's Intl (its WebAssembly runtime
/// carries no data for most locales). Dates keep their explicit, English patterns everywhere.
/// </summary>
public static class NumberCulture
{
    /// <summary>The locale every organisation starts with.</summary>
    public const string Default = "en-US";

    /// <summary>Locales offered in the pickers (any culture name is accepted through the API).</summary>
    public static readonly IReadOnlyList<(string Name, string Label)> Common =
    [
        ("en-US", "English (United States) · 1,234.5"),
        ("en-GB", "English (United Kingdom) · 1,234.5"),
        ("en-IN", "English (India) · 12,34,567.5"),
        ("de-DE", "Deutsch (Deutschland) · 1.234,5"),
        ("de-CH", "Deutsch (Schweiz) · 1’234.5"),
        ("fr-FR", "Français (France) · 1 234,5"),
        ("es-ES", "Español (España) · 1.234,5"),
        ("it-IT", "Italiano (Italia) · 1.234,5"),
        ("nl-NL", "Nederlands (Nederland) · 1.234,5"),
        ("pt-BR", "Português (Brasil) · 1.234,5"),
        ("pl-PL", "Polski (Polska) · 1 234,5"),
        ("sv-SE", "Svenska (Sverige) · 1 234,5"),
        ("ja-JP", "日本語 (日本) · 1,234.5"),
        ("zh-CN", "中文 (中国) · 1,234.5"),
    ];

    /// <summary>A culture that writes numbers with these separators and this grouping (sizes as .NET counts them, right to left).</summary>
    public static CultureInfo From(string decimalSeparator, string groupSeparator, IReadOnlyList<int> groupSizes)
    {
        ArgumentException.ThrowIfNullOrEmpty(decimalSeparator);
        ArgumentNullException.ThrowIfNull(groupSeparator);
        ArgumentNullException.ThrowIfNull(groupSizes);
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        var format = culture.NumberFormat;
        format.NumberDecimalSeparator = format.PercentDecimalSeparator = format.CurrencyDecimalSeparator = decimalSeparator;
        format.NumberGroupSeparator = format.PercentGroupSeparator = format.CurrencyGroupSeparator = groupSeparator;
        var sizes = groupSizes.Count > 0 && groupSizes.All(s => s is >= 0 and <= 9) ? groupSizes.ToArray() : [3];
        format.NumberGroupSizes = format.PercentGroupSizes = format.CurrencyGroupSizes = sizes;
        return CultureInfo.ReadOnly(culture);
    }

    /// <summary>The number culture of a locale by its .NET culture data; en-US's for a blank or unknown name.</summary>
    public static CultureInfo For(string? locale)
    {
        CultureInfo source;
        try
        {
            source = string.IsNullOrWhiteSpace(locale) ? CultureInfo.GetCultureInfo(Default) : CultureInfo.GetCultureInfo(locale.Trim(), predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            source = CultureInfo.GetCultureInfo(Default);
        }
        var numbers = source.NumberFormat;
        return From(numbers.NumberDecimalSeparator, numbers.NumberGroupSeparator, numbers.NumberGroupSizes);
    }

    /// <summary>
    /// Group sizes read from the integer part of a formatted number, its digit groups left to right (["1","23","45","678"] →
    /// [3, 2]); [3] when there is nothing to read.
    /// </summary>
    public static int[] GroupSizes(IReadOnlyList<string> integerGroups)
    {
        ArgumentNullException.ThrowIfNull(integerGroups);
        if (integerGroups.Count < 2)
        {
            // No grouping at all (a locale that writes 1234567): one group as long as the number, so none is cut.
            return integerGroups.Count == 1 && integerGroups[0].Length > 3 ? [0] : [3];
        }
        var primary = integerGroups[^1].Length;
        var secondary = integerGroups.Count > 2 ? integerGroups[^2].Length : primary;
        return primary == secondary ? [primary] : [primary, secondary];
    }
}
