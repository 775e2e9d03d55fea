using System.Text.Json;
using System.Text.Json.Nodes;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Infrastructure;
using Astralytiq.Tests.ML;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

/// <summary>A training request: which of four model names (each bound to a task), an algorithm, a feature subset and a seed.</summary>
public sealed record TrainingCase(int Slot, string Algorithm, IReadOnlyList<string> Features, int Seed);

/// <summary>A row to explain: any values, including missing ones, an unseen city and a value the constant column never had.</summary>
public sealed record ExplainCase(int Model, int? Rooms, double? Area, string? City, double? Noise, int? Const);

public static class MlArbitraries
{
    public static readonly string[] AllFeatures = ["rooms", "area", "city", "noise"];

    public static Arbitrary<TrainingCase> Training() =>
        (from slot in Gen.Choose(0, 3)
         from algorithm in Gen.Elements("lightgbm", "fast_tree", "fast_forest", "linear")
         from mask in Gen.Choose(1, 15)
         from seed in Gen.Choose(0, 1000)
         select new TrainingCase(slot, algorithm, AllFeatures.Where((_, i) => (mask & (1 << i)) != 0).ToList(), seed)).ToArbitrary();

    public static Arbitrary<ExplainCase> Explain() =>
        (from model in Gen.Choose(0, 2)
         from rooms in Gen.Frequency((4, Gen.Choose(0, 10).Select(i => (int?)i)), (1, Gen.Constant((int?)null)))
         from area in Gen.Frequency((4, Gen.Choose(-50, 500).Select(i => (double?)(i + 0.5))), (1, Gen.Constant((double?)null)))
         from city in Gen.Elements("Oslo", "Bergen", "Tromsø", "Stavanger", string.Empty, null)
         from noise in Gen.Frequency((4, Gen.Choose(0, 100).Select(i => (double?)(i / 100.0))), (1, Gen.Constant((double?)null)))
         from constant in Gen.Elements<int?>(1, 5, null)
         select new ExplainCase(model, rooms, area, city, noise, constant)).ToArbitrary();
}

/// <summary>The ML properties' shared tenant and data; P19 and P23 run in separate classes, beside each other.</summary>
public abstract class MlPropertyTest<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    protected static readonly string[] Tasks = ["regression", "regression", "binary_classification", "multiclass_classification"];
    protected static readonly string[] Targets = ["price", "price", "expensive", "tier"];

    private AstralytiqClient? _client;
    protected Guid Dataset { get; private set; }

    protected async Task<AstralytiqClient> ClientAsync()
    {
        if (_client is null)
        {
            _client = (await Platform.NewTenantAsync()).Admin;
            Dataset = (await MlData.UploadAsync(_client, MlData.Houses(60, constant: true))).Id;
        }
        return _client;
    }

    protected static Dictionary<string, double> Quick(string algorithm) => algorithm switch
    {
        "lightgbm" => new Dictionary<string, double> { ["iterations"] = 20, ["min_leaf"] = 5 },
        "fast_tree" => new Dictionary<string, double> { ["trees"] = 20, ["min_leaf"] = 5 },
        "fast_forest" => new Dictionary<string, double> { ["trees"] = 20, ["min_leaf"] = 5 },
        _ => new Dictionary<string, double> { ["iterations"] = 20 },
    };

    protected static string Snapshot(ModelVersionDto v) => JsonSerializer.Serialize(v with { Aliases = [] }, ApiJson.Options);
}

public abstract class MlProperties<TPlatform>(TPlatform platform) : MlPropertyTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private readonly string _prefix = "p19 " + Guid.NewGuid().ToString("N")[..6];
    private readonly Dictionary<int, List<string>> _snapshots = [];


    /// <summary>
    /// P19: every training makes the next version of its model (1, 2, 3, … per name, never reused), holding the
    /// parameters, metrics, feature schema, data version, seed and artifact checksum it was made with; earlier
    /// versions never change; and the stored artifact loads and serves as that version.
    /// </summary>
    protected async Task CheckP19Async(TrainingCase c)
    {
        var client = await ClientAsync();
        var name = $"{_prefix} {c.Slot}";
        var parameters = Quick(c.Algorithm);
        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, Dataset, Tasks[c.Slot], Targets[c.Slot], Features: c.Features,
            Algorithm: c.Algorithm, HyperParameters: parameters, CvFolds: 2, Seed: c.Seed));

        var earlier = _snapshots.TryGetValue(c.Slot, out var list) ? list : _snapshots[c.Slot] = [];
        Assert.Equal(earlier.Count + 1, version.Version);
        Assert.Equal("ready", version.Status);
        Assert.Equal(Tasks[c.Slot], version.Task);
        Assert.Equal(c.Algorithm, version.Algorithm);
        foreach (var (key, value) in parameters)
        {
            Assert.Equal(value, version.Parameters![key]);
        }
        Assert.Equal(c.Features, version.Features!.Select(f => f.Name));
        Assert.Equal(Targets[c.Slot], version.Target);
        Assert.Equal((Dataset, 1), (version.DatasetId, version.DatasetVersion));
        Assert.Equal(c.Seed, version.Seed);
        Assert.Equal(c.Slot < 2 ? "r2" : c.Slot == 2 ? "roc_auc" : "accuracy", version.Metrics!.PrimaryMetric);
        Assert.True(double.IsFinite(version.Metrics.PrimaryValue));
        Assert.Matches("^[0-9a-f]{64}$", version.ArtifactSha256!);
        Assert.True(version.ArtifactBytes > 0);
        Assert.NotNull(version.JobId);
        Assert.True(version.CompletedAt >= version.CreatedAt);
        Assert.Equal(c.Features.Count, version.Importance!.Count);

        // Earlier versions are exactly as they were; the list is every version, newest first.
        var all = (await client.Models.ListVersionsAsync(name)).EnsureValue();
        Assert.Equal(Enumerable.Range(1, version.Version).Reverse(), all.Select(v => v.Version));
        Assert.Equal(earlier, all.Where(v => v.Version < version.Version).OrderBy(v => v.Version).Select(Snapshot));
        earlier.Add(Snapshot(version));

        // The artifact loads (its checksum verified) and serves as exactly this version.
        var row = new JsonObject { ["rooms"] = 3, ["area"] = 80.5, ["city"] = "Oslo", ["noise"] = 0.5 };
        var predicted = (await client.Models.PredictAsync(name, new PredictRequest(Row: row), version: version.Version)).EnsureValue();
        Assert.Equal(version.Version, predicted.Version);
        Assert.NotNull(Assert.Single(predicted.Predictions).Prediction);
    }
}

/// <summary>P19's hundred cases on the embedded database; training and serving do not depend on the database.</summary>
public sealed class MlProperties_Sqlite(SqlitePlatform platform) : MlProperties<SqlitePlatform>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(MlArbitraries)])]
    public Task P19_every_training_stores_the_next_immutable_version_with_its_metadata(TrainingCase c) => CheckP19Async(c);
}

/// <summary>
/// The same property on PostgreSQL, where what differs is the registry's storage (versions, immutability, listing): 25
/// cases reach every slot several times (versions 1 to 6 or more per name), at a quarter of the hundred real trainings.
/// </summary>
public sealed class MlProperties_Postgres(PostgresPlatform platform) : MlProperties<PostgresPlatform>(platform)
{
    [Property(MaxTest = 25, Arbitrary = [typeof(MlArbitraries)])]
    public Task P19_every_training_stores_the_next_immutable_version_with_its_metadata(TrainingCase c) => CheckP19Async(c);
}

public abstract class ExplanationProperties<TPlatform>(TPlatform platform) : MlPropertyTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private readonly string[] _explainNames = new string[3];

    private async Task<string> ExplainModelAsync(AstralytiqClient client, int model)
    {
        if (_explainNames[model] is { } known)
        {
            return known;
        }
        var (task, target, algorithm) = model switch
        {
            0 => ("regression", "price", "lightgbm"),
            1 => ("binary_classification", "expensive", "linear"),
            _ => ("multiclass_classification", "tier", "fast_forest"),
        };
        var name = $"p23 {model} " + Guid.NewGuid().ToString("N")[..6];
        await MlData.TrainAsync(client, new TrainModelRequest(name, Dataset, task, target, Features: ["rooms", "area", "city", "noise", "const"],
            Algorithm: algorithm, CvFolds: 2, Seed: 3));
        return _explainNames[model] = name;
    }

    /// <summary>
    /// P23: for any input row, the explanation names every feature once with the value it was given, its
    /// contributions add up to the explained output (the prediction, or the predicted class's probability) minus
    /// the base value, a feature the model never saw vary gets no credit, and asking again gives the same answer.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(MlArbitraries)])]
    public async Task P23_every_prediction_is_explained_by_contributions_that_add_up_to_it(ExplainCase c)
    {
        var client = await ClientAsync();
        var name = await ExplainModelAsync(client, c.Model);
        var row = new JsonObject { ["rooms"] = c.Rooms, ["area"] = c.Area, ["city"] = c.City, ["noise"] = c.Noise, ["const"] = c.Const };

        var first = (await client.Models.PredictAsync(name, new PredictRequest(Row: row), explain: true)).EnsureValue();
        var p = Assert.Single(first.Predictions);
        Assert.Equal(["area", "city", "const", "noise", "rooms"], p.Contributions!.Select(x => x.Feature).Order());
        var output = c.Model == 0 ? p.Prediction!.GetValue<double>() : p.Confidence!.Value;
        var sum = p.Contributions!.Sum(x => x.Contribution);
        Assert.True(Math.Abs(output - p.BaseValue!.Value - sum) <= 1e-6 * Math.Max(1, Math.Abs(output)),
            $"contributions add up to {sum}, output − base is {output - p.BaseValue.Value}");
        Assert.Equal(0, p.Contributions!.Single(x => x.Feature == "const").Contribution);
        Assert.Equal(c.Rooms is null ? null : (double)c.Rooms.Value, p.Contributions!.Single(x => x.Feature == "rooms").Value?.GetValue<double>());
        Assert.Equal(c.City, p.Contributions!.Single(x => x.Feature == "city").Value?.GetValue<string>());
        foreach (var x in p.Contributions!)
        {
            Assert.True(double.IsFinite(x.Contribution));
        }

        var again = (await client.Models.PredictAsync(name, new PredictRequest(Row: row), explain: true)).EnsureValue();
        Assert.Equal(p.Contributions!.Select(x => (x.Feature, x.Contribution)), again.Predictions[0].Contributions!.Select(x => (x.Feature, x.Contribution)));
    }
}

public sealed class ExplanationProperties_Sqlite(SqlitePlatform platform) : ExplanationProperties<SqlitePlatform>(platform);

public sealed class ExplanationProperties_Postgres(PostgresPlatform platform) : ExplanationProperties<PostgresPlatform>(platform);
