using System.IO.Compression;
using System.Security.Cryptography;
using Astralytiq.Platform.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.ML.Registry;

/// <summary>
/// A model version's artifact: one zip holding the ML.NET model and the featurizer with everything prediction
/// needs, sealed with the tenant key in blob storage. Loading decrypts, checks the SHA-256 recorded at training
/// against the plaintext, and only then deserializes; a mismatch is reported and nothing is loaded. Loaded models
/// are kept in a bounded in-memory cache shared by all requests.
/// </summary>
internal sealed class ModelArtifacts(IBlobStorage blobs, IServiceProvider services, ModelCache cache)
{
    /// <summary>Resolved only when an artifact is sealed or opened: a cached model needs no key store (nor its DbContext).</summary>
    private TenantFileCipher Cipher => services.GetRequiredService<TenantFileCipher>();

    private sealed record Manifest(
        string Task, string Target, string Algorithm, Dictionary<string, double> Parameters, List<string> Classes,
        List<FeatureSpec> Features, double IntervalHalfWidth, float[][] Background, int Seed, Calibration? Calibration = null);

    public static string BlobPath(Guid modelId, Guid versionId) => $"models/{modelId:N}/{versionId:N}.zip.enc";

    private static string Purpose(Guid versionId) => "model-version:" + versionId.ToString("N");

    public static byte[] Serialize(ModelBundle bundle, int seed)
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (bundle.Linear is { } linear)
            {
                // An in-process linear model: its standardization, weights and biases as JSON.
                using var linearStream = archive.CreateEntry("linear.json", CompressionLevel.Optimal).Open();
                JsonSerializer.Serialize(linearStream, linear, ApiJson.Options);
            }
            else
            {
                var entry = archive.CreateEntry("model.zip", CompressionLevel.NoCompression);
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                bundle.Context!.Model.Save(bundle.Model!, null, buffer);
                buffer.Position = 0;
                buffer.CopyTo(stream);
            }
            var manifest = new Manifest(bundle.Task.ToString(), bundle.Target, bundle.Algorithm, bundle.Parameters, bundle.Classes,
                bundle.Featurizer.Specs, bundle.IntervalHalfWidth, bundle.Background, seed, bundle.Calibration);
            var json = archive.CreateEntry("manifest.json", CompressionLevel.Optimal);
            using var jsonStream = json.Open();
            JsonSerializer.Serialize(jsonStream, manifest, ApiJson.Options);
        }
        return zip.ToArray();
    }

    public static ModelBundle Deserialize(byte[] bytes)
    {
        using var zip = new MemoryStream(bytes);
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read);
        Manifest manifest;
        using (var json = archive.GetEntry("manifest.json")!.Open())
        {
            manifest = JsonSerializer.Deserialize<Manifest>(json, ApiJson.Options)!;
        }
        MLContext? context = null;
        ITransformer? model = null;
        LinearModel? linear = null;
        if (archive.GetEntry("linear.json") is { } linearEntry)
        {
            using var linearStream = linearEntry.Open();
            linear = JsonSerializer.Deserialize<LinearModel>(linearStream, ApiJson.Options);
        }
        else
        {
            context = new MLContext(manifest.Seed);
            using var modelStream = archive.GetEntry("model.zip")!.Open();
            using var buffer = new MemoryStream();
            modelStream.CopyTo(buffer);
            buffer.Position = 0;
            model = context.Model.Load(buffer, out _);
        }
        return new ModelBundle
        {
            Task = Enum.Parse<TaskKind>(manifest.Task), Featurizer = new Featurizer { Specs = manifest.Features }, Classes = manifest.Classes,
            Target = manifest.Target, Algorithm = manifest.Algorithm, Parameters = manifest.Parameters, IntervalHalfWidth = manifest.IntervalHalfWidth,
            Background = manifest.Background, Calibration = manifest.Calibration, Context = context, Model = model, Linear = linear,
        };
    }

    /// <summary>Seals and stores the artifact; returns its path, plaintext SHA-256 and size.</summary>
    public async Task<(string Path, string Sha256, long Bytes)> StoreAsync(Guid tenantId, Guid modelId, Guid versionId, byte[] artifact, CancellationToken ct)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        using var sealedStream = new MemoryStream();
        await Cipher.EncryptAsync(tenantId, new MemoryStream(artifact), sealedStream, Purpose(versionId), ct).ConfigureAwait(false);
        sealedStream.Position = 0;
        var path = BlobPath(modelId, versionId);
        await blobs.WriteAsync(tenantId, path, sealedStream, ct).ConfigureAwait(false);
        return (path, sha, artifact.Length);
    }

    /// <summary>The loaded model of a ready version, from the cache or from storage after its integrity check.</summary>
    public async Task<Result<LoadedModel>> LoadAsync(ModelVersion version, CancellationToken ct)
    {
        if (cache.TryGet(version.Id, out var cached))
        {
            return cached;
        }
        await using var stored = await blobs.OpenReadAsync(version.TenantId, version.ArtifactPath!, ct).ConfigureAwait(false);
        if (stored is null)
        {
            return Corrupt(version, "the artifact is missing from storage");
        }
        using var plain = new MemoryStream();
        try
        {
            await Cipher.DecryptAsync(version.TenantId, stored, plain, Purpose(version.Id), ct).ConfigureAwait(false);
        }
        catch (CryptographicException)
        {
            return Corrupt(version, "the sealed artifact fails authentication (it was changed in storage)");
        }
        catch (InvalidDataException)
        {
            return Corrupt(version, "the sealed artifact is not in the expected format (it was changed in storage)");
        }
        var bytes = plain.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(sha, version.ArtifactSha256, StringComparison.Ordinal))
        {
            return Corrupt(version, $"its SHA-256 is {sha[..12]}…, the registry recorded {version.ArtifactSha256?[..Math.Min(12, version.ArtifactSha256.Length)]}…");
        }
        var loaded = version.Task == "forecasting"
            ? new LoadedModel(null, Forecasting.ForecastTrainer.Deserialize(bytes))
            : new LoadedModel(Deserialize(bytes), null);
        cache.Set(version.Id, loaded);
        return loaded;
    }

    public static Error Corrupt(ModelVersion version, string why) =>
        new CodedError(409, "MODEL_ARTIFACT_CORRUPT", $"Version {version.Version} of this model failed its integrity check and was not loaded: {why}. Retrain it or restore the artifact.");
}

/// <summary>A loaded version: a tabular model or a forecasting model.</summary>
internal sealed record LoadedModel(ModelBundle? Bundle, Forecasting.ForecastModel? Forecast);

/// <summary>Loaded models by version id (versions never change, so an entry is never stale); at most <see cref="Capacity"/>, least recently used out first.</summary>
internal sealed class ModelCache : IDisposable
{
    public const int Capacity = 32;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool TryGet(Guid versionId, out LoadedModel bundle) => _cache.TryGetValue(versionId, out bundle!);

    public void Set(Guid versionId, LoadedModel bundle) =>
        _cache.Set(versionId, bundle, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });

    public void Remove(Guid versionId) => _cache.Remove(versionId);

    public void Dispose() => _cache.Dispose();
}
