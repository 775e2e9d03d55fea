using System.Net;
using System.Text.Json;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Infrastructure;
using Astralytiq.Tests.ML;

namespace Astralytiq.Tests.Dashboards;

public abstract class ModelWidgetTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static double? Number(object? value) => value is JsonElement { ValueKind: JsonValueKind.Number } e ? e.GetDouble() : null;

    [Fact]
    public async Task Forecast_and_model_metrics_widgets_show_the_model_as_the_ml_api_does_and_reach_reports()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var data = await MlData.UploadAsync(client, MlData.MonthlySales(48), "sales");
        var name = MlData.Unique("sales forecast");
        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "forecasting", "sales", TimeColumn: "month", Horizon: 6));

        var definition = new DashboardDefinitionDto(
        [
            new WidgetDto("fc", "forecast", new GridPositionDto(0, 0, 8, 4), "Next months", Model: new WidgetModelDto(name, Horizon: 6)),
            new WidgetDto("quality", "model_metrics", new GridPositionDto(8, 0, 4, 4), "Model quality", Model: new WidgetModelDto(name)),
        ]);
        var dashboard = (await client.Dashboards.CreateAsync(new CreateDashboardRequest("Forecasts", definition))).EnsureValue();

        var forecast = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "fc")).EnsureValue();
        var expected = (await client.Models.ForecastAsync(name, horizon: 6)).EnsureValue();
        Assert.Equal(["time", "series", "actual", "forecast", "lower", "upper"], forecast.Columns.Select(c => c.Name));
        Assert.Equal((expected.ModelId, expected.Version), (forecast.ModelId!.Value, forecast.ModelVersion!.Value));
        var series = Assert.Single(expected.Series);
        Assert.Equal(series.History.Count + 6, forecast.RowCount);
        // History first (actual values), then the forecast with its interval, as the ML API gives them.
        Assert.Equal(series.History.Select(p => p.Value), forecast.Values[2].Take(series.History.Count).Select(v => Number(v)!.Value));
        Assert.Equal(series.Forecast.Select(p => p.Value), forecast.Values[3].Skip(series.History.Count).Select(v => Number(v)!.Value));
        Assert.Equal(series.Forecast.Select(p => p.Lower), forecast.Values[4].Skip(series.History.Count).Select(Number));
        Assert.All(forecast.Values[3].Take(series.History.Count), v => Assert.Null(Number(v)));

        var quality = (await client.Dashboards.GetWidgetDataAsync(dashboard.Id, "quality")).EnsureValue();
        var metrics = Enumerable.Range(0, quality.RowCount).ToDictionary(r => ((JsonElement)quality.Values[0][r]!).GetString()!, r => Number(quality.Values[1][r])!.Value);
        Assert.Equal(version.Metrics!.Mase!.Value, metrics["mase"], 9);
        Assert.Equal(version.Metrics.Smape!.Value, metrics["smape"], 9);

        // Model widgets have no rows to drill into; a model that does not exist (or is not a forecaster) is refused on save.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Dashboards.GetWidgetRowsAsync(dashboard.Id, "fc")).Status);
        var missing = await client.Dashboards.CreateAsync(new CreateDashboardRequest("Bad", new DashboardDefinitionDto(
            [new WidgetDto("fc", "forecast", new GridPositionDto(0, 0, 6, 4), Model: new WidgetModelDto("no such model"))])));
        Assert.Contains(missing.Error!.Error.Details!, d => d.Field == "definition.widgets[0].model.name");
        var noModel = await client.Dashboards.CreateAsync(new CreateDashboardRequest("Bad", new DashboardDefinitionDto(
            [new WidgetDto("q", "model_metrics", new GridPositionDto(0, 0, 6, 4))])));
        Assert.Contains(noModel.Error!.Error.Details!, d => d.Field == "definition.widgets[0].model");
        // Another tenant's model is not one of yours.
        var other = (await Platform.NewTenantAsync()).Admin;
        var stolen = await other.Dashboards.CreateAsync(new CreateDashboardRequest("Theirs", definition));
        Assert.Contains(stolen.Error!.Error.Details!, d => d.Field == "definition.widgets[0].model.name");

        // A report of the dashboard carries the forecast and the metrics.
        var to = PlatformFixture.NewEmail("forecast");
        var report = (await client.Reports.CreateAsync(new ReportRequest("Forecast pack", dashboard.Id, "0 7 * * 1", ["pdf", "csv"], [new ReportRecipientDto(Email: to)]))).EnsureValue();
        (await client.Jobs.WaitAsync((await client.Reports.SendAsync(report.Id)).EnsureValue().JobId!.Value)).EnsureValue();
        var files = ReportAttachments.Read(await Platform.Smtp.WaitForAsync(to));
        Assert.Contains("Model quality", files.PdfText, StringComparison.Ordinal);
        Assert.Contains("mase", files.PdfText, StringComparison.Ordinal);
        Assert.StartsWith("time,series,actual,forecast,lower,upper\r\n", files.Csv["forecasts-next-months.csv"], StringComparison.Ordinal);
        Assert.Equal(series.History.Count + 7, files.Csv["forecasts-next-months.csv"].Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }
}

public sealed class ModelWidgetTests_Sqlite(SqlitePlatform platform) : ModelWidgetTests<SqlitePlatform>(platform);

public sealed class ModelWidgetTests_Postgres(PostgresPlatform platform) : ModelWidgetTests<PostgresPlatform>(platform);
