namespace Astralytiq.Contracts.Client;

/// <summary>Scheduled reports, their runs and files.</summary>
public sealed class ReportsClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<ReportDto>> CreateAsync(ReportRequest request, CancellationToken ct = default) =>
        Api.SendAsync<ReportDto>(HttpMethod.Post, "api/v1/reports", request, ct);

    public Task<ApiResponse<IReadOnlyList<ReportDto>>> ListAsync(Guid? dashboardId = null, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<ReportDto>>(HttpMethod.Get, "api/v1/reports" + (dashboardId is null ? string.Empty : $"?dashboard_id={dashboardId}"), null, ct);

    public Task<ApiResponse<ReportDto>> GetAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<ReportDto>(HttpMethod.Get, $"api/v1/reports/{id}", null, ct);

    public Task<ApiResponse<ReportDto>> UpdateAsync(Guid id, ReportRequest request, CancellationToken ct = default) =>
        Api.SendAsync<ReportDto>(HttpMethod.Put, $"api/v1/reports/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/reports/{id}", null, ct);

    /// <summary>Send now (202): follow the run's job with <see cref="WaitForJobAsync"/>.</summary>
    public Task<ApiResponse<ReportRunDto>> SendAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<ReportRunDto>(HttpMethod.Post, $"api/v1/reports/{id}/send", null, ct);

    public Task<ApiResponse<IReadOnlyList<ReportRunDto>>> ListRunsAsync(Guid id, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<ReportRunDto>>(HttpMethod.Get, $"api/v1/reports/{id}/runs?limit={limit}", null, ct);

    /// <summary>A file a run made, by the path in <see cref="ReportFileDto.Path"/>.</summary>
    public Task<ApiResponse<byte[]>> DownloadFileAsync(ReportFileDto file, CancellationToken ct = default) =>
        Api.SendAsync<byte[]>(HttpMethod.Get, file.Path.TrimStart('/'), null, ct);
}
