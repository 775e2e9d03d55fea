using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>Scheduled reports, their runs and files.</summary>
public sealed class ReportsClient
{
    private readonly AstralytiqClient _client;

    internal ReportsClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<ReportDto>> CreateAsync(ReportRequest request, CancellationToken ct = default) =>
        _client.SendAsync<ReportDto>(HttpMethod.Post, "api/v1/reports", request, ct);

    public Task<ApiResponse<IReadOnlyList<ReportDto>>> ListAsync(Guid? dashboardId = null, CancellationToken ct = default) =>
        _client.SendAsync<IReadOnlyList<ReportDto>>(HttpMethod.Get, "api/v1/reports" + (dashboardId is null ? string.Empty : $"?dashboard_id={dashboardId}"), null, ct);

    public Task<ApiResponse<ReportDto>> GetAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<ReportDto>(HttpMethod.Get, $"api/v1/reports/{id}", null, ct);

    public Task<ApiResponse<ReportDto>> UpdateAsync(Guid id, ReportRequest request, CancellationToken ct = default) =>
        _client.SendAsync<ReportDto>(HttpMethod.Put, $"api/v1/reports/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<object>(HttpMethod.Delete, $"api/v1/reports/{id}", null, ct);

    /// <summary>Send now (202): follow the run's job with <see cref="WaitForJobAsync"/>.</summary>
    public Task<ApiResponse<ReportRunDto>> SendAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<ReportRunDto>(HttpMethod.Post, $"api/v1/reports/{id}/send", null, ct);

    public Task<ApiResponse<IReadOnlyList<ReportRunDto>>> ListRunsAsync(Guid id, int limit = 50, CancellationToken ct = default) =>
        _client.SendAsync<IReadOnlyList<ReportRunDto>>(HttpMethod.Get, $"api/v1/reports/{id}/runs?limit={limit}", null, ct);

    /// <summary>A file a run made, by the path in <see cref="ReportFileDto.Path"/>.</summary>
    public Task<ApiResponse<byte[]>> DownloadFileAsync(ReportFileDto file, CancellationToken ct = default) =>
        _client.SendAsync<byte[]>(HttpMethod.Get, file.Path.TrimStart('/'), null, ct);
}
