namespace Astralytiq.Contracts.Client;

/// <summary>Saved pipelines and their runs.</summary>
public sealed class PipelinesClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<PipelineResponse>> CreateAsync(PipelineRequest request, CancellationToken ct = default) =>
        Api.SendAsync<PipelineResponse>(HttpMethod.Post, "api/v1/data/pipelines", request, ct);

    public Task<ApiResponse<PipelineResponse>> UpdateAsync(Guid id, PipelineRequest request, CancellationToken ct = default) =>
        Api.SendAsync<PipelineResponse>(HttpMethod.Put, $"api/v1/data/pipelines/{id}", request, ct);

    public Task<ApiResponse<Page<PipelineResponse>>> ListAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<PipelineResponse>>(HttpMethod.Get, $"api/v1/data/pipelines?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<PipelineResponse>> GetAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<PipelineResponse>(HttpMethod.Get, $"api/v1/data/pipelines/{id}", null, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/data/pipelines/{id}", null, ct);

    /// <summary>Queues a run now (202 with the run; its job id carries the progress).</summary>
    public Task<ApiResponse<PipelineRunDto>> RunAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<PipelineRunDto>(HttpMethod.Post, $"api/v1/data/pipelines/{id}/run", null, ct);

    public Task<ApiResponse<IReadOnlyList<PipelineRunDto>>> ListRunsAsync(Guid id, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<PipelineRunDto>>(HttpMethod.Get, $"api/v1/data/pipelines/{id}/runs?limit={limit}", null, ct);
}
