namespace Astralytiq.Platform.Security;

/// <summary>AES-256-GCM sealing: <c>nonce(12) | tag(16) | ciphertext</c>, with associated data binding the context.</summary>
public static class AesGcmSeal
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), associatedData);
        return output;
    }

    /// <exception cref="CryptographicException">The data was altered, or the key or associated data differ.</exception>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        if (sealedData.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Sealed data is too short");
        }
        var plaintext = new byte[sealedData.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedData[..NonceSize], sealedData[(NonceSize + TagSize)..], sealedData.Slice(NonceSize, TagSize), plaintext, associatedData);
        return plaintext;
    }
}

/// <summary>Wraps tenants' data keys with the key ring's master key.</summary>
public sealed class KeyWrapper(KeyRing keyRing)
{
    /// <summary>A fresh random 256-bit data key, wrapped: <c>(masterKeyId, wrapped)</c>.</summary>
    public (string MasterKeyId, byte[] Wrapped) NewWrappedDataKey(Guid tenantId)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var masterId = keyRing.CurrentMasterKeyId;
            return (masterId, AesGcmSeal.Seal(keyRing.GetMasterKey(masterId), dataKey, Context(tenantId)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public byte[] Unwrap(Guid tenantId, string masterKeyId, byte[] wrapped) =>
        AesGcmSeal.Open(keyRing.GetMasterKey(masterKeyId), wrapped, Context(tenantId));

    private static byte[] Context(Guid tenantId) => Encoding.UTF8.GetBytes("astralytiq:tenant-data-key:" + tenantId.ToString("N"));
}

/// <summary>The unwrapped data key of a tenant. Implemented by the Tenancy module.</summary>
public interface ITenantKeyStore
{
    Task<byte[]> GetDataKeyAsync(Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>Encrypts tenant data (files, stored secrets) with the tenant's own key.</summary>
public sealed class TenantEncryptor(ITenantKeyStore keys)
{
    public async Task<byte[]> EncryptAsync(Guid tenantId, byte[] plaintext, string purpose, CancellationToken cancellationToken)
    {
        var key = await keys.GetDataKeyAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return AesGcmSeal.Seal(key, plaintext, Encoding.UTF8.GetBytes(purpose));
    }

    public async Task<byte[]> DecryptAsync(Guid tenantId, byte[] sealedData, string purpose, CancellationToken cancellationToken)
    {
        var key = await keys.GetDataKeyAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return AesGcmSeal.Open(key, sealedData, Encoding.UTF8.GetBytes(purpose));
    }

    public async Task<string> ProtectStringAsync(Guid tenantId, string secret, string purpose, CancellationToken cancellationToken) =>
        Convert.ToBase64String(await EncryptAsync(tenantId, Encoding.UTF8.GetBytes(secret), purpose, cancellationToken).ConfigureAwait(false));

    public async Task<string> UnprotectStringAsync(Guid tenantId, string protectedSecret, string purpose, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await DecryptAsync(tenantId, Convert.FromBase64String(protectedSecret), purpose, cancellationToken).ConfigureAwait(false));
}

/// <summary>
/// Seals small platform secrets (outbox payloads with links, MFA seeds) with the current master key,
/// bound to a context (the row they belong to) so a sealed value copied elsewhere does not open.
/// The text form is <c>{master key id}:{base64}</c>, so values sealed before a key rotation still open.
/// </summary>
public sealed class SecretProtector(KeyRing keyRing)
{
    public string Protect(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> context)
    {
        var id = keyRing.CurrentMasterKeyId;
        return id + ":" + Convert.ToBase64String(AesGcmSeal.Seal(keyRing.GetMasterKey(id), plaintext, context));
    }

    public byte[] Unprotect(string protectedValue, ReadOnlySpan<byte> context)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        var split = protectedValue.IndexOf(':', StringComparison.Ordinal);
        if (split <= 0)
        {
            throw new System.Security.Cryptography.CryptographicException("Not a protected value");
        }
        return AesGcmSeal.Open(keyRing.GetMasterKey(protectedValue[..split]), Convert.FromBase64String(protectedValue[(split + 1)..]), context);
    }

    /// <summary>
    /// A sealed value fit for a URL (base64url, no padding): what a link in an email carries so that it proves itself
    /// (an unsubscribe link) without anything stored per email.
    /// </summary>
    public string SealForLink(string text, ReadOnlySpan<byte> purpose) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Protect(System.Text.Encoding.UTF8.GetBytes(text), purpose))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The text of a <see cref="SealForLink"/> token; null for one that was cut, changed, made up or sealed for another purpose.</summary>
    public string? OpenFromLink(string? token, ReadOnlySpan<byte> purpose)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 1000)
        {
            return null;
        }
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            return System.Text.Encoding.UTF8.GetString(Unprotect(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64)), purpose));
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException or KeyNotFoundException)
        {
            return null;
        }
    }
}
