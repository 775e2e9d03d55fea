using System.Text.Json;
using Astralytiq.ML.Forecasting;

namespace Astralytiq.Tests.ML;

/// <summary>
/// The forecasting methods against R's forecast package on classic series of R's datasets, each fitted on all but its
/// last h points: <c>ML/Reference/forecast-reference.json</c>, which <c>forecast_reference.R</c> beside it generated.
/// Both sides optimize by Nelder-Mead from different starts, so parameters agree to a tolerance, not to the bit.
/// </summary>
public sealed class ForecastReferenceTests
{
    private sealed record ThetaReference(double Alpha, double Drift, double Sigma2, bool Seasonal, double[] Mean, double[] Se);

    private sealed record SeriesReference(string Name, int M, int H, double[] Values, ThetaReference Theta);

    private sealed record Reference(string Forecast, List<SeriesReference> Series);

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    private static Reference Load() =>
        JsonSerializer.Deserialize<Reference>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ML", "Reference", "forecast-reference.json")), Options)!;

    public static TheoryData<string> Names => new(Load().Series.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Theta_matches_R_thetaf(string name)
    {
        var reference = Load().Series.Single(s => s.Name == name);
        var train = reference.Values[..^reference.H];

        var model = Theta.Fit(train, reference.M);

        var r = reference.Theta;
        Assert.Equal(r.Seasonal, model.Season is not null);
        // The drift is half the least-squares slope of the (adjusted) series: exact up to the decomposition's arithmetic.
        Assert.Equal(r.Drift, model.Drift, Math.Abs(r.Drift) * 1e-6 + 1e-9);
        var forecast = model.Forecast(reference.H);
        var scale = model.ErrorScale(reference.H);
        var spread = Math.Sqrt(r.Sigma2);
        for (var h = 0; h < reference.H; h++)
        {
            // Forecasts within a twentieth of the one-step error's spread of R's, and the error's spread within 2 %.
            Assert.True(Math.Abs(forecast[h] - r.Mean[h]) <= 0.05 * spread, $"{name} h={h + 1}: {forecast[h]} against R's {r.Mean[h]} (σ {spread})");
            Assert.True(Math.Abs(scale[h] - r.Se[h]) <= 0.02 * r.Se[h], $"{name} h={h + 1}: error spread {scale[h]} against R's {r.Se[h]}");
        }
    }

    [Fact]
    public void The_reference_was_made_by_R_s_forecast_package()
    {
        var reference = Load();
        Assert.False(string.IsNullOrEmpty(reference.Forecast));
        Assert.Equal(10, reference.Series.Count);
        Assert.Contains(reference.Series, s => s.M == 1);
        Assert.Contains(reference.Series, s => s.M == 4);
        Assert.Contains(reference.Series, s => s.M == 12);
    }
}
