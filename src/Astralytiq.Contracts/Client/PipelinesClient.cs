using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>Saved pipelines and their runs.</summary>
public sealed class PipelinesClient
{
    private readonly AstralytiqClient _client;

    internal PipelinesClient(AstralytiqClient client) => _client = client;

    public Task<ApiResponse<PipelineResponse>> CreateAsync(PipelineRequest request, CancellationToken ct = default) =>
        _client.SendAsync<PipelineResponse>(HttpMethod.Post, "api/v1/data/pipelines", request, ct);

    public Task<ApiResponse<PipelineResponse>> UpdateAsync(Guid id, PipelineRequest request, CancellationToken ct = default) =>
        _client.SendAsync<PipelineResponse>(HttpMethod.Put, $"api/v1/data/pipelines/{id}", request, ct);

    public Task<ApiResponse<Page<PipelineResponse>>> ListAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        _client.SendAsync<Page<PipelineResponse>>(HttpMethod.Get, $"api/v1/data/pipelines?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<PipelineResponse>> GetAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<PipelineResponse>(HttpMethod.Get, $"api/v1/data/pipelines/{id}", null, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<object>(HttpMethod.Delete, $"api/v1/data/pipelines/{id}", null, ct);

    /// <summary>Queues a run now (202 with the run; its job id carries the progress).</summary>
    public Task<ApiResponse<PipelineRunDto>> RunAsync(Guid id, CancellationToken ct = default) =>
        _client.SendAsync<PipelineRunDto>(HttpMethod.Post, $"api/v1/data/pipelines/{id}/run", null, ct);

    public Task<ApiResponse<IReadOnlyList<PipelineRunDto>>> ListRunsAsync(Guid id, int limit = 50, CancellationToken ct = default) =>
        _client.SendAsync<IReadOnlyList<PipelineRunDto>>(HttpMethod.Get, $"api/v1/data/pipelines/{id}/runs?limit={limit}", null, ct);
}
