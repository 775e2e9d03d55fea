using System.Globalization;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;

namespace Astralytiq.Tests.ML;

/// <summary>Generated training data with a known structure, and helpers to train and wait.</summary>
internal static class MlData
{
    public static string Unique(string stem) => stem + " " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// Houses: price = 50·rooms + 0.8·area − 30·(city = "Bergen") + 10·(city = "Oslo") + noise; "label" is price above 250;
    /// "tier" has three classes by price. A column of pure noise too.
    /// </summary>
    public static string Houses(int rows, int seed = 7, double noise = 5, bool constant = false)
    {
        var random = new Random(seed);
        var cities = new[] { "Oslo", "Bergen", "Tromsø" };
        var text = new StringBuilder("rooms,area,city,noise,price,expensive,tier" + (constant ? ",const" : string.Empty) + "\n");
        for (var i = 0; i < rows; i++)
        {
            var rooms = random.Next(1, 7);
            var area = Math.Round(20 + (random.NextDouble() * 180), 1);
            var city = cities[random.Next(cities.Length)];
            var price = (50 * rooms) + (0.8 * area) + (city == "Bergen" ? -30 : city == "Oslo" ? 10 : 0) + (noise * ((random.NextDouble() * 2) - 1));
            var tier = price < 200 ? "low" : price < 320 ? "mid" : "high";
            text.Append(CultureInfo.InvariantCulture, $"{rooms},{area},{city},{Math.Round(random.NextDouble(), 4)},{Math.Round(price, 2)},{(price > 250 ? "yes" : "no")},{tier}{(constant ? ",1" : string.Empty)}\n");
        }
        return text.ToString();
    }

    /// <summary>Monthly sales: trend plus a yearly season plus small noise, for <paramref name="months"/> months from 2015-01.</summary>
    public static string MonthlySales(int months, int seed = 3, params string[] stores)
    {
        var random = new Random(seed);
        var text = new StringBuilder(stores.Length == 0 ? "month,sales\n" : "month,store,sales\n");
        foreach (var store in stores.Length == 0 ? [string.Empty] : stores)
        {
            var scale = store.Length == 0 ? 1 : 1 + (store.Length % 3);
            for (var i = 0; i < months; i++)
            {
                var month = new DateTime(2015, 1, 1).AddMonths(i);
                var value = scale * (100 + (2 * i) + (20 * Math.Sin(2 * Math.PI * (month.Month - 1) / 12)) + (random.NextDouble() * 4));
                text.Append(store.Length == 0
                    ? FormattableString.Invariant($"{month:yyyy-MM-dd},{value:F2}\n")
                    : FormattableString.Invariant($"{month:yyyy-MM-dd},{store},{value:F2}\n"));
            }
        }
        return text.ToString();
    }

    public static async Task<DatasetResponse> UploadAsync(AstralytiqClient client, string csv, string stem = "houses") =>
        (await client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), stem + ".csv", name: Unique(stem))).EnsureValue();

    /// <summary>Trains and waits; asserts the job succeeded; returns the version as the registry shows it.</summary>
    public static async Task<ModelVersionDto> TrainAsync(AstralytiqClient client, TrainModelRequest request)
    {
        var started = await client.Models.TrainAsync(request);
        Assert.True(started.IsSuccess, $"{started.Status}: {started.Error?.Error.Message} " + string.Join("; ", started.Error?.Error.Details?.Select(d => d.Field + ": " + d.Message) ?? []));
        var job = (await client.Jobs.WaitAsync(started.Value!.JobId, timeout: TimeSpan.FromMinutes(5))).EnsureValue();
        Assert.True(job.Status == JobStatus.Succeeded, $"training job {job.Status}: {job.Error}");
        var versions = (await client.Models.ListVersionsAsync(started.Value.Name)).EnsureValue();
        return versions.Single(v => v.Version == started.Value.Version);
    }
}
