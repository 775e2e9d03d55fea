using Astralytiq.Platform.Configuration;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Astralytiq.Tests.Platform;

/// <summary>A wrong setting stops the server at start with a message naming the key; it is never ignored or met later.</summary>
public sealed class SettingsTests
{
    private sealed class Sample
    {
        [System.ComponentModel.DataAnnotations.Range(1, 100)]
        public int Slots { get; set; } = 4;

        public double Rate { get; set; } = 0.5;
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Known_keys_bind_and_missing_ones_keep_their_defaults()
    {
        var bound = SettingsBinder.Bind<Sample>(Config(("A:B:Slots", "7")), "A:B");
        Assert.Equal((7, 0.5), (bound.Slots, bound.Rate));
        Assert.Equal(4, SettingsBinder.Bind<Sample>(Config(), "A:B").Slots);
    }

    [Theory]
    [InlineData("A:B:Slot", "5", "Slot")]
    [InlineData("A:B:Slots", "many", "A:B:Slots")]
    [InlineData("A:B:Slots", "0", "A:B:Slots")]
    [InlineData("A:B:Slots", "101", "A:B:Slots")]
    public void A_misspelt_unconvertible_or_out_of_range_setting_is_refused_naming_it(string key, string value, string named)
    {
        var refused = Assert.Throws<InvalidSettingException>(() => SettingsBinder.Bind<Sample>(Config((key, value)), "A:B"));
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Astralytiq:Data:ParseSlot", "4", "ParseSlot")]
    [InlineData("Astralytiq:Jobs:PollMilliseconds", "0", "Astralytiq:Jobs:PollMilliseconds")]
    [InlineData("Astralytiq:Events:PollMilliseconds", "5", "Astralytiq:Events:PollMilliseconds")]
    [InlineData("Astralytiq:Email:Smtp:Security", "Maybe", "Astralytiq:Email:Smtp:Security")]
    [InlineData("Astralytiq:ML:PredictionLogSampleRate", "1.5", "Astralytiq:ML:PredictionLogSampleRate")]
    [InlineData("Astralytiq:Telemetry:LogFormat", "xml", "Astralytiq:Telemetry:LogFormat")]
    [InlineData("Astralytiq:Telemetry:Tracing:SampleRatio", "2", "Astralytiq:Telemetry:Tracing:SampleRatio")]
    [InlineData("Astralytiq:Telemetry:Metrics:ScrapeToken", "too-short", "Astralytiq:Telemetry:Metrics:ScrapeToken")]
    [InlineData("Astralytiq:Telemetry:Otlp:Endpoint", "collector:4317", "Astralytiq:Telemetry:Otlp:Endpoint")]
    [InlineData("Astralytiq:Telemetry:Otlp:Protocol", "udp", "Astralytiq:Telemetry:Otlp:Protocol")]
    public void The_server_does_not_start_with_a_wrong_setting(string key, string value, string named)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "astralytiq-tests", Guid.NewGuid().ToString("N"));
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ASTRALYTIQ_DATA_DIR", dataDir);
            b.UseSetting("Astralytiq:DataDir", dataDir);
            b.UseSetting(key, value);
        });
        var refused = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var setting = refused as InvalidSettingException ?? refused.InnerException as InvalidSettingException;
        Assert.NotNull(setting);
        Assert.Contains(named, setting.Message, StringComparison.Ordinal);
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_server_process_says_which_setting_is_wrong_and_exits_without_a_stack_trace()
    {
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Astralytiq.Server"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASTRALYTIQ_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "astralytiq-tests", Guid.NewGuid().ToString("N"));
        start.Environment["Astralytiq__Jobs__PollMilliseconds"] = "0";
        using var process = System.Diagnostics.Process.Start(start)!;
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = process.StandardError.ReadToEndAsync(wait.Token);
        var output = process.StandardOutput.ReadToEndAsync(wait.Token);
        await process.WaitForExitAsync(wait.Token);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Astralytiq cannot start: Astralytiq:Jobs:PollMilliseconds", await error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await error + await output, StringComparison.Ordinal);
    }
}
