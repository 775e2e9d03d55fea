namespace Astralytiq.Billing.Invoices;

/// <summary>A stretch of a period on one plan price (a trial costs nothing).</summary>
internal sealed record BilledSegment(string PlanName, long PriceCents, bool Trial, DateTimeOffset From, DateTimeOffset To);

/// <summary>A line before it is stored.</summary>
internal sealed record DraftLine(string Kind, string Description, string? Metric, long Quantity, long AmountCents);

/// <summary>An invoice's figures: lines, subtotal, tax, credit applied and total.</summary>
internal sealed record InvoiceDraft(IReadOnlyList<DraftLine> Lines, long SubtotalCents, long TaxCents, long CreditCents, long TotalCents);

/// <summary>
/// The arithmetic of an invoice, apart from storage so it is tested on its own (P30):
/// <list type="bullet">
/// <item>base: each segment of the period pays its monthly price times the share of the period it covers, rounded to the cent;</item>
/// <item>overage: for each priced meter, the period's use past the included amount times cents per unit, rounded to the cent;</item>
/// <item>tax: the rate (basis points) of the subtotal, rounded to the cent; credit: the balance, at most subtotal plus tax.</item>
/// </list>
/// Rounding is half away from zero throughout.
/// </summary>
internal static class InvoiceMath
{
    public static InvoiceDraft Compute(
        DateTimeOffset periodStart, DateTimeOffset periodEnd, IReadOnlyList<BilledSegment> segments, IReadOnlyDictionary<string, long> usage,
        IReadOnlyDictionary<string, PlanOverage> overage, int taxBasisPoints, long creditBalanceCents, IFormatProvider numbers)
    {
        var lines = new List<DraftLine>();
        var periodTicks = (periodEnd - periodStart).Ticks;
        foreach (var segment in segments.OrderBy(s => s.From))
        {
            var from = segment.From < periodStart ? periodStart : segment.From;
            var to = segment.To > periodEnd ? periodEnd : segment.To;
            if (to <= from)
            {
                continue;
            }
            // Multiplied before dividing: the product is exact, so a charge of exactly half a cent rounds the same way every time.
            var amount = segment.Trial ? 0 : Round((decimal)segment.PriceCents * (to - from).Ticks / periodTicks);
            if (amount == 0 && !segment.Trial)
            {
                continue; // a free plan, or moments on a plan before a change: nothing to show
            }
            var whole = from == periodStart && to == periodEnd;
            var days = Days(from, to);
            var description = $"{segment.PlanName} plan{(segment.Trial ? " (trial)" : string.Empty)}, {Range(from, to)}"
                + (whole ? string.Empty : $" ({days.ToString("N1", numbers).Replace(".0", string.Empty, StringComparison.Ordinal)} of {Days(periodStart, periodEnd).ToString("N0", numbers)} days)");
            lines.Add(new DraftLine(InvoiceLine.Base, description, null, 1, amount));
        }
        foreach (var (metric, price) in overage.OrderBy(o => QuotaMetrics.Limitable.ToList().IndexOf(o.Key)))
        {
            var used = usage.TryGetValue(metric, out var u) ? u : 0;
            var over = Math.Max(0, used - price.Included);
            if (over == 0)
            {
                continue;
            }
            var amount = Round((decimal)over * price.Cents / price.Per);
            lines.Add(new DraftLine(InvoiceLine.Overage,
                $"{Capitalise(QuotaMetrics.Label(metric))} past the {price.Included.ToString("N0", numbers)} included: {over.ToString("N0", numbers)} at {Money(price.Cents, numbers)} per {price.Per.ToString("N0", numbers)}",
                metric, over, amount));
        }
        var subtotal = lines.Sum(l => l.AmountCents);
        var tax = Round(subtotal * (decimal)taxBasisPoints / 10_000m);
        var credit = Math.Clamp(creditBalanceCents, 0, Math.Max(0, subtotal + tax));
        return new InvoiceDraft(lines, subtotal, tax, credit, subtotal + tax - credit);
    }

    /// <summary>Half away from zero, to the cent.</summary>
    public static long Round(decimal cents) => (long)Math.Round(cents, MidpointRounding.AwayFromZero);

    private static decimal Days(DateTimeOffset from, DateTimeOffset to) => Math.Round((decimal)(to - from).TotalDays, 1, MidpointRounding.AwayFromZero);

    /// <summary>"1–31 December 2026", "14 November – 2 December 2026" (the end is exclusive: the day before it is shown).</summary>
    public static string Range(DateTimeOffset from, DateTimeOffset to)
    {
        var last = to.UtcDateTime.AddTicks(-1);
        var first = from.UtcDateTime;
        return first.Year != last.Year
            ? $"{first.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)} – {last.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}"
            : first.Month != last.Month
                ? $"{first.ToString("d MMMM", CultureInfo.InvariantCulture)} – {last.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}"
                : first.Day == last.Day
                    ? last.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)
                    : $"{first.Day.ToString(CultureInfo.InvariantCulture)}–{last.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Cents as money: "49.00", "0.005" stays "0.01" (two decimals), in the reader's digits.</summary>
    public static string Money(long cents, IFormatProvider numbers) => (cents / 100m).ToString("N2", numbers);

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The calendar month (UTC) an instant is in: [start, end).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) MonthOf(DateTimeOffset at)
    {
        var start = new DateTimeOffset(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return (start, start.AddMonths(1));
    }
}
