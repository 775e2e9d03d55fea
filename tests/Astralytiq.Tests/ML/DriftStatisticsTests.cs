using System.Text.Json;
using System.Text.Json.Serialization;
using Astralytiq.ML.Monitoring;

namespace Astralytiq.Tests.ML;

/// <summary>
/// The drift statistics agree with scipy 1.10 (Debian's python3-scipy) to 1e-9 on the samples in
/// <c>ML/Reference/drift-reference.json</c>, which <c>drift_reference.py</c> beside it generated with scipy's values.
/// </summary>
public sealed class DriftStatisticsTests
{
    private sealed record Case(
        string Name, string Kind, JsonElement Reference, JsonElement Current, double? KsStatistic, double? KsPvalue, double? Wasserstein,
        double? WassersteinNormed, double[]? PsiEdges, double[]? PsiReference, double[]? PsiCurrent, double Psi, double[]? JsEdges, double Js,
        double? ChiStatistic, double? ChiPvalue);

    private sealed record Reference(string Scipy, List<Case> Cases);

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly Reference Data = JsonSerializer.Deserialize<Reference>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ML", "Reference", "drift-reference.json")), Options)!;

    public static TheoryData<string> Numeric() => [.. Data.Cases.Where(c => c.Kind == "numeric").Select(c => c.Name)];

    public static TheoryData<string> Categorical() => [.. Data.Cases.Where(c => c.Kind == "categorical").Select(c => c.Name)];

    private static Case Named(string name) => Data.Cases.Single(c => c.Name == name);

    private static void Close(double expected, double actual, string what, double tolerance = 1e-9)
    {
        if (double.IsInfinity(expected))
        {
            Assert.Equal(expected, actual);
            return;
        }
        // Absolute for values up to 1, relative above (a normed distance of 892 agrees in its leading digits).
        var error = Math.Abs(expected - actual) / Math.Max(1, Math.Abs(expected));
        Assert.True(error <= tolerance, $"{what}: scipy {expected:R}, ours {actual:R}");
    }

    [Fact]
    public void The_reference_was_made_by_scipy_1_10() => Assert.StartsWith("1.10", Data.Scipy, StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Numeric))]
    public void Numeric_statistics_agree_with_scipy(string name)
    {
        var c = Named(name);
        var a = c.Reference.Deserialize<double[]>()!;
        var b = c.Current.Deserialize<double[]>()!;
        var (d, p) = DriftStatistics.KolmogorovSmirnov(a, b);
        Close(c.KsStatistic!.Value, d, "KS statistic");
        Close(c.KsPvalue!.Value, p, "KS p-value");
        Close(c.Wasserstein!.Value, DriftStatistics.Wasserstein(a, b), "Wasserstein");
        Close(c.WassersteinNormed!.Value, DriftStatistics.WassersteinNormed(a, b), "Wasserstein normed");
        var psiEdges = DriftStatistics.BinEdges(a, 10);
        Assert.Equal(c.PsiEdges!, psiEdges);
        var r = DriftStatistics.Shares(a, psiEdges, clip: true);
        var s = DriftStatistics.Shares(b, psiEdges, clip: true);
        Assert.Equal(c.PsiReference!, r, (x, y) => Math.Abs(x - y) <= 1e-12);
        Assert.Equal(c.PsiCurrent!, s, (x, y) => Math.Abs(x - y) <= 1e-12);
        Close(c.Psi, DriftStatistics.Psi(r, s), "PSI");
        var jsEdges = DriftStatistics.BinEdges([.. a, .. b], 30);
        Assert.Equal(c.JsEdges!, jsEdges);
        Close(c.Js, DriftStatistics.JensenShannon(DriftStatistics.Shares(a, jsEdges, clip: false), DriftStatistics.Shares(b, jsEdges, clip: false)), "Jensen-Shannon");
    }

    [Theory]
    [MemberData(nameof(Categorical))]
    public void Categorical_statistics_agree_with_scipy(string name)
    {
        var c = Named(name);
        var a = c.Reference.Deserialize<string[]>()!;
        var b = c.Current.Deserialize<string[]>()!;
        var (statistic, p) = DriftStatistics.ChiSquare(a, b);
        Close(c.ChiStatistic!.Value, statistic, "chi-square statistic");
        Close(c.ChiPvalue!.Value, p, "chi-square p-value");
        var (r, s) = DriftStatistics.CategoryShares(a, b);
        Close(c.Js, DriftStatistics.JensenShannon(r, s), "Jensen-Shannon");
        Close(c.Psi, DriftStatistics.Psi(r, s), "PSI");
    }
}
