using System.Globalization;

namespace Astralytiq.Web.Charts;

/// <summary>Maps data to an SVG plot area with margins and gives "nice" axis ticks.</summary>
public sealed class Plot(double width, double height, double xMin, double xMax, double yMin, double yMax)
{
    public const double Left = 56, Right = 12, Top = 10, Bottom = 30;

    public double Width { get; } = width;

    public double Height { get; } = height;

    private double XSpan => xMax - xMin == 0 ? 1 : xMax - xMin;

    private double YSpan => yMax - yMin == 0 ? 1 : yMax - yMin;

    public double X(double x) => Left + ((x - xMin) / XSpan * (Width - Left - Right));

    public double Y(double y) => Height - Bottom - ((y - yMin) / YSpan * (Height - Top - Bottom));

    public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static IEnumerable<double> Ticks(double min, double max, int count = 5)
    {
        if (!(max > min))
        {
            yield return min;
            yield break;
        }
        var raw = (max - min) / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        for (var t = Math.Ceiling(min / step) * step; t <= max + (step * 1e-9); t += step)
        {
            yield return Math.Round(t, 10);
        }
    }

    /// <summary>
    /// A value as a person reads it on a chart: thousands separated up to a million, then compact (1.23M, 4.5B, 2T),
    /// small fractions to four places; scientific notation only past a quadrillion or below 0.0001.
    /// </summary>
    public static string Label(double v)
    {
        var a = Math.Abs(v);
        return a switch
        {
            0 => "0",
            >= 1e15 or < 1e-4 => v.ToString("0.##E+0", CultureInfo.CurrentCulture),
            >= 1e12 => (v / 1e12).ToString("0.##", CultureInfo.CurrentCulture) + "T",
            >= 1e9 => (v / 1e9).ToString("0.##", CultureInfo.CurrentCulture) + "B",
            >= 1e6 => (v / 1e6).ToString("0.##", CultureInfo.CurrentCulture) + "M",
            >= 1000 => v.ToString("#,0.#", CultureInfo.CurrentCulture),
            >= 1 => v.ToString("0.###", CultureInfo.CurrentCulture),
            _ => v.ToString("0.####", CultureInfo.CurrentCulture),
        };
    }
}
