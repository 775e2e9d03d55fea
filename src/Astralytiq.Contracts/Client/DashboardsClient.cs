namespace Astralytiq.Contracts.Client;

/// <summary>Dashboards, their versions, shares, links, widget data and embedding settings.</summary>
public sealed class DashboardsClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<DashboardResponse>> CreateAsync(CreateDashboardRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DashboardResponse>(HttpMethod.Post, "api/v1/dashboards", request, ct);

    public Task<ApiResponse<DashboardResponse>> CreateFromTemplateAsync(DashboardFromTemplateRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DashboardResponse>(HttpMethod.Post, "api/v1/dashboards/from-template", request, ct);

    public Task<ApiResponse<DashboardListResponse>> ListAsync(string? search = null, string? folder = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<DashboardListResponse>(HttpMethod.Get, $"api/v1/dashboards?offset={offset}&limit={limit}"
            + (search is null ? string.Empty : "&search=" + Uri.EscapeDataString(search)) + (folder is null ? string.Empty : "&folder=" + Uri.EscapeDataString(folder)), null, ct);

    public Task<ApiResponse<DashboardResponse>> GetAsync(Guid id, int? version = null, CancellationToken ct = default) =>
        Api.SendAsync<DashboardResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}" + (version is null ? string.Empty : $"?version={version}"), null, ct);

    public Task<ApiResponse<DashboardResponse>> UpdateAsync(Guid id, UpdateDashboardRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DashboardResponse>(HttpMethod.Put, $"api/v1/dashboards/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/dashboards/{id}", null, ct);

    public Task<ApiResponse<IReadOnlyList<DashboardVersionDto>>> ListVersionsAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<DashboardVersionDto>>(HttpMethod.Get, $"api/v1/dashboards/{id}/versions", null, ct);

    public Task<ApiResponse<DashboardResponse>> RestoreVersionAsync(Guid id, int version, CancellationToken ct = default) =>
        Api.SendAsync<DashboardResponse>(HttpMethod.Post, $"api/v1/dashboards/{id}/versions/{version}/restore", null, ct);

    public Task<ApiResponse<IReadOnlyList<DashboardShareDto>>> ListSharesAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<DashboardShareDto>>(HttpMethod.Get, $"api/v1/dashboards/{id}/shares", null, ct);

    public Task<ApiResponse<DashboardShareDto>> ShareAsync(Guid id, ShareDashboardRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DashboardShareDto>(HttpMethod.Post, $"api/v1/dashboards/{id}/shares", request, ct);

    public Task<ApiResponse<object>> UnshareAsync(Guid id, Guid shareId, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/dashboards/{id}/shares/{shareId}", null, ct);

    public Task<ApiResponse<DashboardLinkCreatedResponse>> CreateLinkAsync(Guid id, CreateDashboardLinkRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DashboardLinkCreatedResponse>(HttpMethod.Post, $"api/v1/dashboards/{id}/links", request, ct);

    public Task<ApiResponse<IReadOnlyList<DashboardLinkDto>>> ListLinksAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<DashboardLinkDto>>(HttpMethod.Get, $"api/v1/dashboards/{id}/links", null, ct);

    public Task<ApiResponse<object>> RevokeLinkAsync(Guid id, Guid linkId, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/dashboards/{id}/links/{linkId}", null, ct);

    /// <summary>Filters are <c>filterId:value</c>, or <c>filterId:from..to</c> for a date range.</summary>
    public Task<ApiResponse<WidgetDataResponse>> GetWidgetDataAsync(Guid id, string widgetId, IEnumerable<string>? filters = null, int? offset = null, int? limit = null, CancellationToken ct = default) =>
        Api.SendAsync<WidgetDataResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}/widgets/{Uri.EscapeDataString(widgetId)}/data"
            + AstralytiqClient.Query(("filter", filters), ("offset", offset is null ? null : [offset.Value.ToString(CultureInfo.InvariantCulture)]), ("limit", limit is null ? null : [limit.Value.ToString(CultureInfo.InvariantCulture)])), null, ct);

    /// <summary>Every widget's data in one answer (filters as for one widget); tables give their first <paramref name="tableLimit"/> rows.</summary>
    public Task<ApiResponse<DashboardDataResponse>> GetAllWidgetDataAsync(Guid id, IEnumerable<string>? filters = null, int? tableLimit = null, CancellationToken ct = default) =>
        Api.SendAsync<DashboardDataResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}/data"
            + AstralytiqClient.Query(("filter", filters), ("table_limit", tableLimit is null ? null : [tableLimit.Value.ToString(CultureInfo.InvariantCulture)])), null, ct);

    /// <summary>Drill down: the rows behind a widget, or behind one point of it (<c>output:value</c> per dimension).</summary>
    public Task<ApiResponse<WidgetDataResponse>> GetWidgetRowsAsync(Guid id, string widgetId, IEnumerable<string>? filters = null, IEnumerable<string>? point = null, int? offset = null, int? limit = null, CancellationToken ct = default) =>
        Api.SendAsync<WidgetDataResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}/widgets/{Uri.EscapeDataString(widgetId)}/rows"
            + AstralytiqClient.Query(("filter", filters), ("point", point), ("offset", offset is null ? null : [offset.Value.ToString(CultureInfo.InvariantCulture)]), ("limit", limit is null ? null : [limit.Value.ToString(CultureInfo.InvariantCulture)])), null, ct);

    public Task<ApiResponse<EmbeddingSecretResponse>> RotateEmbeddingSecretAsync(CancellationToken ct = default) =>
        Api.SendAsync<EmbeddingSecretResponse>(HttpMethod.Post, "api/v1/dashboards/embedding/secret", null, ct);

    public Task<ApiResponse<DashboardEmbeddingDto>> ConfigureEmbeddingAsync(Guid id, DashboardEmbeddingRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DashboardEmbeddingDto>(HttpMethod.Put, $"api/v1/dashboards/{id}/embedding", request, ct);
}
