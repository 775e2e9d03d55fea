using System.Buffers.Binary;

namespace Astralytiq.Platform.Storage;

/// <summary>
/// Streams a file through AES-256-GCM with the tenant's data key, in 1 MiB records, so files of any size
/// are encrypted and decrypted with constant memory. Layout: <c>"AQE1"</c>, a random 12-byte file nonce,
/// then records of <c>[final flag][length][ciphertext][16-byte tag]</c>. Each record's nonce is the file
/// nonce with its index mixed in, and its associated data binds the purpose (for example the dataset
/// version id), the index and the final flag: records cannot be reordered, dropped, moved to another
/// file or truncated without decryption failing.
/// </summary>
public sealed class TenantFileCipher(ITenantKeyStore keys)
{
    public const int RecordSize = 1 << 20;
    private const int TagSize = 16;
    private static readonly byte[] Magic = "AQE1"u8.ToArray();

    public async Task EncryptAsync(Guid tenantId, Stream plaintext, Stream destination, string purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(destination);
        using var aes = new AesGcm(await keys.GetDataKeyAsync(tenantId, cancellationToken).ConfigureAwait(false), TagSize);
        var fileNonce = RandomNumberGenerator.GetBytes(12);
        await destination.WriteAsync(Magic, cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(fileNonce, cancellationToken).ConfigureAwait(false);

        var current = new byte[RecordSize];
        var next = new byte[RecordSize];
        var cipher = new byte[RecordSize];
        var tag = new byte[TagSize];
        var header = new byte[5];
        var currentLength = await FillAsync(plaintext, current, cancellationToken).ConfigureAwait(false);
        for (long index = 0; ; index++)
        {
            // Read ahead: a record is final when nothing follows it (an empty file is one empty final record).
            var nextLength = currentLength == RecordSize ? await FillAsync(plaintext, next, cancellationToken).ConfigureAwait(false) : 0;
            var final = nextLength == 0;
            aes.Encrypt(Nonce(fileNonce, index), current.AsSpan(0, currentLength), cipher.AsSpan(0, currentLength), tag, Aad(purpose, index, final));
            header[0] = final ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(1), currentLength);
            await destination.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(cipher.AsMemory(0, currentLength), cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(tag, cancellationToken).ConfigureAwait(false);
            if (final)
            {
                return;
            }
            (current, next) = (next, current);
            currentLength = nextLength;
        }
    }

    public async Task DecryptAsync(Guid tenantId, Stream encrypted, Stream destination, string purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        ArgumentNullException.ThrowIfNull(destination);
        using var aes = new AesGcm(await keys.GetDataKeyAsync(tenantId, cancellationToken).ConfigureAwait(false), TagSize);
        var start = new byte[16];
        if (await FillAsync(encrypted, start, cancellationToken).ConfigureAwait(false) != 16 || !start.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new CryptographicException("Not an encrypted tenant file");
        }
        var fileNonce = start[4..];
        var header = new byte[5];
        var cipher = new byte[RecordSize];
        var plain = new byte[RecordSize];
        var tag = new byte[TagSize];
        for (long index = 0; ; index++)
        {
            if (await FillAsync(encrypted, header, cancellationToken).ConfigureAwait(false) != header.Length)
            {
                throw new CryptographicException("The encrypted file is truncated");
            }
            var final = header[0] == 1;
            var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
            if (length is < 0 or > RecordSize || header[0] > 1)
            {
                throw new CryptographicException("The encrypted file is corrupt");
            }
            if (await FillAsync(encrypted, cipher.AsMemory(0, length), cancellationToken).ConfigureAwait(false) != length
                || await FillAsync(encrypted, tag, cancellationToken).ConfigureAwait(false) != TagSize)
            {
                throw new CryptographicException("The encrypted file is truncated");
            }
            aes.Decrypt(Nonce(fileNonce, index), cipher.AsSpan(0, length), tag, plain.AsSpan(0, length), Aad(purpose, index, final));
            await destination.WriteAsync(plain.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            if (final)
            {
                if (await encrypted.ReadAsync(header.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
                {
                    throw new CryptographicException("Unexpected data after the final record");
                }
                return;
            }
        }
    }

    private static byte[] Nonce(byte[] fileNonce, long index)
    {
        var nonce = (byte[])fileNonce.Clone();
        var mixed = BinaryPrimitives.ReadInt64LittleEndian(nonce.AsSpan(4)) ^ index;
        BinaryPrimitives.WriteInt64LittleEndian(nonce.AsSpan(4), mixed);
        return nonce;
    }

    private static byte[] Aad(string purpose, long index, bool final)
    {
        var purposeBytes = Encoding.UTF8.GetBytes(purpose);
        var aad = new byte[purposeBytes.Length + 9];
        purposeBytes.CopyTo(aad, 0);
        BinaryPrimitives.WriteInt64LittleEndian(aad.AsSpan(purposeBytes.Length), index);
        aad[^1] = final ? (byte)1 : (byte)0;
        return aad;
    }

    private static async Task<int> FillAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
