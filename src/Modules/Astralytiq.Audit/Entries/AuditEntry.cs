using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Astralytiq.Audit.Entries;

/// <summary>
/// One audit record. Each tenant has its own chain (the platform's events use <see cref="Guid.Empty"/>):
/// <see cref="Hash"/> = SHA-256 over the canonical fields and <see cref="PreviousHash"/>, so changing,
/// removing or reordering any entry breaks every later link.
/// </summary>
internal sealed class AuditEntry : ITenantOwned
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public long Sequence { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public Guid? ActorId { get; set; }

    public string? ActorEmail { get; set; }

    public string Action { get; set; } = string.Empty;

    public string? ResourceType { get; set; }

    public string? ResourceId { get; set; }

    public string Outcome { get; set; } = string.Empty;

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    public string? RequestId { get; set; }

    public string? DetailsJson { get; set; }

    public string PreviousHash { get; set; } = GenesisHash;

    public string Hash { get; set; } = string.Empty;

    /// <summary>A copy to chain (a failed attempt's sequence and hashes never leak into the next one).</summary>
    public AuditEntry Copy() => (AuditEntry)MemberwiseClone();

    public string ComputeHash()
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            Id.ToString("N"), TenantId.ToString("N"), Sequence,
            Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ActorId?.ToString("N"), ActorEmail, Action, ResourceType, ResourceId, Outcome, IpAddress, UserAgent,
            RequestId, DetailsJson, PreviousHash,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
