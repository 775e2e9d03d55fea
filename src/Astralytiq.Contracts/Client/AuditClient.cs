namespace Astralytiq.Contracts.Client;

/// <summary>The audit log and its verification.</summary>
public sealed class AuditClient(AstralytiqClient client) : AreaClient(client)
{
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
        return Api.SendAsync<Page<AuditLogResponse>>(HttpMethod.Get, query.ToString(), null, ct);
    }

    public Task<ApiResponse<AuditVerifyResponse>> VerifyAsync(CancellationToken ct = default) =>
        Api.SendAsync<AuditVerifyResponse>(HttpMethod.Get, "api/v1/audit/verify", null, ct);
}
