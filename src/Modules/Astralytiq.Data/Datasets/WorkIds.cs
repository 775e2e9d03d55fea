namespace Astralytiq.Data.Datasets;

/// <summary>
/// The ids the dataset (when it makes one) and the version a job writes get, derived from the job's id:
/// every attempt of one job writes under the same ids, so a retry after a crash finds its finished work or
/// redoes it in place (the stored file is overwritten, the usage keyed by these ids counts once). Ingest,
/// transform, pipeline and scoring jobs write through them.
/// </summary>
internal sealed record WorkIds(Guid DatasetId, Guid VersionId)
{
    public static WorkIds ForJob(Guid jobId)
    {
        Span<byte> seed = stackalloc byte[20];
        jobId.TryWriteBytes(seed);
        "ver1"u8.CopyTo(seed[16..]);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(seed, hash);
        // A name-based id (RFC 9562 version 8): 122 bits of the hash with the version and variant set.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new WorkIds(jobId, new Guid(hash[..16], bigEndian: true));
    }
}
