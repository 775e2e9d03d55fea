namespace Astralytiq.Platform.Security;

/// <summary>
/// Keys kept in the data directory (<c>keys/</c>, readable by the owner only):
/// the master key that wraps each tenant's data key, and the ECDSA P-256 keys that sign access tokens.
/// Signing keys rotate: the newest signs, older ones keep verifying until <see cref="RetiredAfter"/> passes.
/// </summary>
public sealed partial class KeyRing
{
    public static readonly TimeSpan SigningKeyLifetime = TimeSpan.FromDays(90);

    /// <summary>How long a superseded signing key still verifies: longer than any access token lives.</summary>
    public static readonly TimeSpan RetiredAfter = TimeSpan.FromDays(1);

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyRing> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _masterKeys = new(StringComparer.Ordinal);
    private string _currentMasterKeyId = string.Empty;
    private List<SigningKey> _signingKeys = [];

    public KeyRing(PlatformOptions options, TimeProvider time, ILogger<KeyRing> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = Path.Combine(options.DataDir, "keys");
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(_directory);
        TryRestrict(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        LoadMasterKeys();
        LoadSigningKeys();
    }

    public sealed record SigningKey(string KeyId, ECDsaSecurityKey Key, DateTimeOffset CreatedAt, DateTimeOffset? SupersededAt);

    public string CurrentMasterKeyId => _currentMasterKeyId;

    /// <summary>The key that signs new tokens.</summary>
    public SigningKey CurrentSigningKey
    {
        get
        {
            lock (_gate)
            {
                return _signingKeys[^1];
            }
        }
    }

    /// <summary>Keys that still verify: the current one and those superseded less than <see cref="RetiredAfter"/> ago.</summary>
    public IReadOnlyList<SigningKey> VerificationKeys
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                return _signingKeys.Where(k => k.SupersededAt is null || now - k.SupersededAt < RetiredAfter).ToList();
            }
        }
    }

    public byte[] GetMasterKey(string keyId)
    {
        lock (_gate)
        {
            return _masterKeys.TryGetValue(keyId, out var key)
                ? key
                : throw new CryptographicException($"Master key '{keyId}' is not in the key ring");
        }
    }

    /// <summary>Makes a new signing key current; the previous one keeps verifying for <see cref="RetiredAfter"/>.</summary>
    public SigningKey RotateSigningKey()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var previous = _signingKeys.Count > 0 ? _signingKeys[^1] : null;
            if (previous is not null)
            {
                WriteSigningKeyMeta(previous.KeyId, previous.CreatedAt, now);
            }
            var created = CreateSigningKey(now);
            _signingKeys = [.. _signingKeys.Select(k => k.KeyId == previous?.KeyId ? k with { SupersededAt = now } : k), created];
            LogRotated(_logger, created.KeyId);
            return created;
        }
    }

    private void LoadMasterKeys()
    {
        var files = Directory.GetFiles(_directory, "master-*.key").OrderBy(File.GetCreationTimeUtc).ThenBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            var id = NewKeyId();
            var path = Path.Combine(_directory, $"master-{id}.key");
            WriteSecret(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            files.Add(path);
            LogCreatedMaster(_logger, id);
        }
        foreach (var file in files)
        {
            var id = Path.GetFileNameWithoutExtension(file)["master-".Length..];
            var key = Convert.FromBase64String(File.ReadAllText(file).Trim());
            if (key.Length != 32)
            {
                throw new CryptographicException($"Master key file {file} does not hold 32 bytes");
            }
            _masterKeys[id] = key;
            _currentMasterKeyId = id;
        }
    }

    private void LoadSigningKeys()
    {
        var keys = new List<SigningKey>();
        foreach (var pem in Directory.GetFiles(_directory, "jwt-*.pem"))
        {
            var id = Path.GetFileNameWithoutExtension(pem)["jwt-".Length..];
            var meta = ReadSigningKeyMeta(id);
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(File.ReadAllText(pem));
            keys.Add(new SigningKey(id, new ECDsaSecurityKey(ecdsa) { KeyId = id }, meta.CreatedAt, meta.SupersededAt));
        }
        // Superseded keys first (oldest first), the current (never superseded) key last.
        _signingKeys = keys
            .OrderBy(k => k.SupersededAt is null)
            .ThenBy(k => k.SupersededAt ?? k.CreatedAt)
            .ThenBy(k => k.CreatedAt)
            .ThenBy(k => k.KeyId, StringComparer.Ordinal)
            .ToList();
        if (keys.Count == 0 || _time.GetUtcNow() - keys[^1].CreatedAt > SigningKeyLifetime)
        {
            RotateSigningKey();
        }
    }

    private SigningKey CreateSigningKey(DateTimeOffset now)
    {
        var id = NewKeyId();
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteSecret(Path.Combine(_directory, $"jwt-{id}.pem"), ecdsa.ExportPkcs8PrivateKeyPem());
        WriteSigningKeyMeta(id, now, null);
        return new SigningKey(id, new ECDsaSecurityKey(ecdsa) { KeyId = id }, now, null);
    }

    private sealed record SigningKeyMeta(DateTimeOffset CreatedAt, DateTimeOffset? SupersededAt);

    private SigningKeyMeta ReadSigningKeyMeta(string id)
    {
        var path = Path.Combine(_directory, $"jwt-{id}.json");
        return File.Exists(path)
            ? JsonSerializer.Deserialize<SigningKeyMeta>(File.ReadAllText(path)) ?? new SigningKeyMeta(File.GetCreationTimeUtc(path), null)
            : new SigningKeyMeta(_time.GetUtcNow(), null);
    }

    private void WriteSigningKeyMeta(string id, DateTimeOffset createdAt, DateTimeOffset? supersededAt) =>
        WriteSecret(Path.Combine(_directory, $"jwt-{id}.json"), JsonSerializer.Serialize(new SigningKeyMeta(createdAt, supersededAt)));

    private string NewKeyId() => _time.GetUtcNow().ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture)
        + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static void WriteSecret(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        TryRestrict(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    private static void TryRestrict(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created master key {KeyId}")]
    private static partial void LogCreatedMaster(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token signing key {KeyId} is now current")]
    private static partial void LogRotated(ILogger logger, string keyId);
}
