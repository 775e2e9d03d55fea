using System.Globalization;

namespace Astralytiq.Contracts.Formatting;

/// <summary>
/// How a model metric is shown to people, the same on every page and in every document: shares as percentages
/// (MAPE 0.0262 → "2.62 %"), scores between 0 and 1 with four decimals that never round a near-perfect score up
/// to a perfect one (R² 0.99996 → "0.99996", not "1"), errors in the data's units with thousands separators.
/// </summary>
public static class MetricFormat
{
    /// <summary>Metrics that are a share of something, shown as percentages.</summary>
    private static readonly HashSet<string> Shares = new(StringComparer.OrdinalIgnoreCase) { "mape", "smape", "accuracy", "interval_coverage" };

    /// <summary>Scores on a 0–1 (or −∞–1) scale where 1 is perfect.</summary>
    private static readonly HashSet<string> Scores = new(StringComparer.OrdinalIgnoreCase)
    {
        "r2", "roc_auc", "auc", "pr_auc", "f1_macro", "f1_micro", "precision_macro", "recall_macro", "precision_micro", "recall_micro",
    };

    /// <summary>A metric's name as people write it: r2 → R², roc_auc → ROC AUC, mape → MAPE.</summary>
    public static string Name(string metric) => metric switch
    {
        "r2" => "R²",
        "roc_auc" or "auc" => "ROC AUC",
        "pr_auc" => "PR AUC",
        "accuracy" => "Accuracy",
        "log_loss" => "Log loss",
        "rmse" or "mae" or "mape" or "mase" => metric.ToUpperInvariant(),
        "smape" => "sMAPE",
        _ => metric.Replace('_', ' '),
    };

    /// <summary>In the invariant culture (the API's and the documents'); pages of a tenant with a locale pass theirs.</summary>
    public static string Show(string metric, double? value) => Format(metric, value, CultureInfo.InvariantCulture);

    public static string Format(string metric, double? value, IFormatProvider culture)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (value is not { } v || !double.IsFinite(v))
        {
            return "—";
        }
        var key = metric.Replace(' ', '_').Replace("²", "2", StringComparison.Ordinal);
        if (Shares.Contains(key))
        {
            return Unrounded(v * 100, 2, culture) + " %";
        }
        if (Scores.Contains(key))
        {
            return Unrounded(v, 4, culture);
        }
        return Number(v, culture);
    }

    /// <summary>A measured quantity: thousands separators and decimals by magnitude (1,234,568 · 123.5 · 1.23 · 0.01235).</summary>
    public static string Quantity(double v) => Number(v, CultureInfo.InvariantCulture);

    public static string Number(double v, IFormatProvider culture)
    {
        var a = Math.Abs(v);
        return a switch
        {
            0 => "0",
            >= 10_000 => v.ToString("#,0", culture),
            >= 100 => v.ToString("#,0.#", culture),
            >= 1 => v.ToString("#,0.##", culture),
            _ => v.ToString("0.####", culture) is var s && s is not ("0" or "-0") ? s : v.ToString("0.###E+0", culture),
        };
    }

    /// <summary><paramref name="decimals"/> decimals, more when rounding would reach a whole number the value is not (0.99996 stays below 1).</summary>
    private static string Unrounded(double v, int decimals, IFormatProvider culture)
    {
        for (var d = decimals; d <= 8; d++)
        {
            var rounded = Math.Round(v, d);
            if (rounded != Math.Round(v) || v == Math.Round(v))
            {
                return v.ToString("#,0." + new string('0', decimals) + new string('#', d - decimals), culture);
            }
        }
        return v.ToString("#,0.########", culture);
    }
}
