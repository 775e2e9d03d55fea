namespace Astralytiq.Contracts.Client;

/// <summary>The organisation: its settings and its usage against the plan.</summary>
public sealed class TenantClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<TenantResponse>> GetAsync(CancellationToken ct = default) =>
        Api.SendAsync<TenantResponse>(HttpMethod.Get, "api/v1/tenants/current", null, ct);

    public Task<ApiResponse<TenantResponse>> UpdateAsync(UpdateTenantRequest request, CancellationToken ct = default) =>
        Api.SendAsync<TenantResponse>(HttpMethod.Put, "api/v1/tenants/current", request, ct);

    /// <summary>The organisation's plan and every plan it could be on, with limits, features and prices.</summary>
    public Task<ApiResponse<TenantPlansResponse>> GetPlansAsync(CancellationToken ct = default) =>
        Api.SendAsync<TenantPlansResponse>(HttpMethod.Get, "api/v1/plans", null, ct);

    public Task<ApiResponse<Astralytiq.Contracts.Usage.UsageResponse>> GetUsageAsync(CancellationToken ct = default) =>
        Api.SendAsync<Astralytiq.Contracts.Usage.UsageResponse>(HttpMethod.Get, "api/v1/usage", null, ct);

    /// <summary>This period's use, and the metered use between two days (both included) grouped by meter, day or user.</summary>
    public Task<ApiResponse<Astralytiq.Contracts.Usage.UsageResponse>> GetUsageAsync(DateOnly? from, DateOnly? to, string groupBy, string? meter = null, CancellationToken ct = default) =>
        Api.SendAsync<Astralytiq.Contracts.Usage.UsageResponse>(HttpMethod.Get, "api/v1/usage" + UsageQuery(from, to, groupBy, meter, null), null, ct);

    /// <summary>The same breakdown as a CSV file.</summary>
    public Task<ApiResponse<byte[]>> ExportUsageAsync(DateOnly? from, DateOnly? to, string groupBy, string? meter = null, CancellationToken ct = default) =>
        Api.SendAsync<byte[]>(HttpMethod.Get, "api/v1/usage" + UsageQuery(from, to, groupBy, meter, "csv"), null, ct);

    private static string UsageQuery(DateOnly? from, DateOnly? to, string groupBy, string? meter, string? format)
    {
        var parts = new List<string> { "group_by=" + Uri.EscapeDataString(groupBy) };
        if (from is { } f)
        {
            parts.Add("from=" + f.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (to is { } t)
        {
            parts.Add("to=" + t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (meter is not null)
        {
            parts.Add("meter=" + Uri.EscapeDataString(meter));
        }
        if (format is not null)
        {
            parts.Add("format=" + format);
        }
        return "?" + string.Join("&", parts);
    }
}
