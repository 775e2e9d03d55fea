namespace Astralytiq.ML.Forecasting;

/// <summary>The spacing of a series: a calendar unit (month, quarter, year) or a fixed step (hour, day, week, or any other).</summary>
internal sealed record Frequency(string Unit, long StepTicks)
{
    public static Frequency Detect(IEnumerable<DateTime> times)
    {
        var sorted = times.Distinct().Order().ToList();
        var gaps = sorted.Zip(sorted.Skip(1), (a, b) => (b - a).Ticks).Where(g => g > 0).Order().ToList();
        if (gaps.Count == 0)
        {
            return new Frequency("day", TimeSpan.TicksPerDay);
        }
        var median = TimeSpan.FromTicks(gaps[gaps.Count / 2]);
        return median.TotalDays switch
        {
            >= 28 and <= 31 => new Frequency("month", 0),
            >= 89 and <= 92 => new Frequency("quarter", 0),
            >= 365 and <= 366 => new Frequency("year", 0),
            _ when median == TimeSpan.FromDays(7) => new Frequency("week", TimeSpan.TicksPerDay * 7),
            _ when median == TimeSpan.FromDays(1) => new Frequency("day", TimeSpan.TicksPerDay),
            _ when median == TimeSpan.FromHours(1) => new Frequency("hour", TimeSpan.TicksPerHour),
            _ => new Frequency("step", median.Ticks),
        };
    }

    private int Months => Unit switch { "month" => 1, "quarter" => 3, "year" => 12, _ => 0 };

    /// <summary>Steps from <paramref name="start"/> to <paramref name="t"/> (rounded to the nearest step).</summary>
    public long Index(DateTime start, DateTime t)
    {
        if (Months > 0)
        {
            var months = ((t.Year - start.Year) * 12) + t.Month - start.Month;
            return (long)Math.Round(months / (double)Months);
        }
        return (long)Math.Round((t - start).Ticks / (double)StepTicks);
    }

    public DateTime At(DateTime start, long index) => Months > 0 ? start.AddMonths((int)(index * Months)) : start.AddTicks(index * StepTicks);

    /// <summary>The season length usually meant by this spacing (1 when there is none).</summary>
    public int UsualSeason => Unit switch { "hour" => 24, "day" => 7, "week" => 52, "month" => 12, "quarter" => 4, _ => 1 };

    public override string ToString() => Unit == "step" ? TimeSpan.FromTicks(StepTicks).ToString("c", CultureInfo.InvariantCulture) : Unit;
}

/// <summary>One regular series: a value per step from <see cref="Start"/>; gaps in the data filled by linear interpolation.</summary>
internal sealed record TimeSeries(string Key, DateTime Start, double[] Values, int Filled);

internal static class SeriesBuilder
{
    public const string AllSeries = "(all)";

    /// <summary>
    /// Groups the rows into series (by <paramref name="seriesColumn"/>, or one series), sums values that fall on the
    /// same step, and lays each series on the common spacing. Rows without a time or a value are skipped.
    /// </summary>
    public static (List<TimeSeries> Series, Frequency Frequency) Build(DatasetTable table, string timeColumn, string valueColumn, string? seriesColumn)
    {
        var times = table.Column(timeColumn)!.Times!;
        var values = table.Column(valueColumn)!.Numbers!;
        var keys = seriesColumn is null ? null : table.Column(seriesColumn)!;
        var groups = new Dictionary<string, List<(DateTime Time, double Value)>>(StringComparer.Ordinal);
        for (var i = 0; i < table.RowCount; i++)
        {
            if (times[i] is not { } t || double.IsNaN(values[i]))
            {
                continue;
            }
            var key = keys is null ? AllSeries : Training.ModelTrainer.ClassText(keys, i) ?? "(missing)";
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }
            list.Add((t, values[i]));
        }
        var frequency = Frequency.Detect(groups.Values.SelectMany(g => g.Select(x => x.Time)));
        var series = new List<TimeSeries>();
        foreach (var (key, points) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var start = points.Min(p => p.Time);
            var slots = new SortedDictionary<long, double>();
            foreach (var (time, value) in points)
            {
                var index = frequency.Index(start, time);
                slots[index] = slots.GetValueOrDefault(index) + value;
            }
            var length = (int)(slots.Keys.Last() + 1);
            var regular = new double[length];
            var known = new bool[length];
            foreach (var (index, value) in slots)
            {
                regular[index] = value;
                known[index] = true;
            }
            var filled = 0;
            var previous = 0;
            for (var i = 1; i < length; i++)
            {
                if (!known[i])
                {
                    continue;
                }
                for (var j = previous + 1; j < i; j++)
                {
                    regular[j] = regular[previous] + ((regular[i] - regular[previous]) * (j - previous) / (i - previous));
                    filled++;
                }
                previous = i;
            }
            series.Add(new TimeSeries(key, start, regular, filled));
        }
        return (series, frequency);
    }

    /// <summary>
    /// The season length: the spacing's usual one when the series is long enough (two full seasons and more) and its
    /// autocorrelation at that lag, after removing a straight-line trend, is at least 0.3; otherwise 1.
    /// </summary>
    public static int DetectSeason(IReadOnlyList<double[]> series, Frequency frequency)
    {
        var m = frequency.UsualSeason;
        if (m <= 1)
        {
            return 1;
        }
        var correlations = series.Where(s => s.Length >= (2 * m) + 2).Select(s => Autocorrelation(Detrend(s), m)).ToList();
        return correlations.Count > 0 && correlations.Average() >= 0.3 ? m : 1;
    }

    public static double[] Detrend(double[] y)
    {
        var xMean = (y.Length - 1) / 2.0;
        var yMean = y.Average();
        var slope = Slope(y);
        return y.Select((v, i) => v - yMean - (slope * (i - xMean))).ToArray();
    }

    /// <summary>The least-squares slope of the values against 0, 1, …, n − 1.</summary>
    public static double Slope(double[] y)
    {
        var n = y.Length;
        var xMean = (n - 1) / 2.0;
        var yMean = y.Average();
        double sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (i - xMean) * (y[i] - yMean);
            sxx += (i - xMean) * (i - xMean);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    public static double Autocorrelation(double[] y, int lag)
    {
        var mean = y.Average();
        double num = 0, den = 0;
        for (var i = 0; i < y.Length; i++)
        {
            den += (y[i] - mean) * (y[i] - mean);
            if (i >= lag)
            {
                num += (y[i] - mean) * (y[i - lag] - mean);
            }
        }
        return den == 0 ? 0 : num / den;
    }
}
