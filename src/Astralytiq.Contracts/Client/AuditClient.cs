using System.Globalization;
using System.Text;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>The audit log and its verification.</summary>
public sealed class AuditClient
{
    private readonly AstralytiqClient _client;

    internal AuditClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<Page<AuditLogResponse>>> ListAsync(
        string? action = null, Guid? actorId = null, string? outcome = null, int offset = 0, int limit = 50, CancellationToken ct = default)
    {
        var query = new StringBuilder($"api/v1/audit/logs?offset={offset}&limit={limit}");
        if (action is not null)
        {
            query.Append("&action=").Append(Uri.EscapeDataString(action));
        }
        if (actorId is not null)
        {
            query.Append(CultureInfo.InvariantCulture, $"&actorId={actorId}");
        }
        if (outcome is not null)
        {
            query.Append("&outcome=").Append(Uri.EscapeDataString(outcome));
        }
        return _client.SendAsync<Page<AuditLogResponse>>(HttpMethod.Get, query.ToString(), null, ct);
    }

    public Task<ApiResponse<AuditVerifyResponse>> VerifyAsync(CancellationToken ct = default) =>
        _client.SendAsync<AuditVerifyResponse>(HttpMethod.Get, "api/v1/audit/verify", null, ct);
}
