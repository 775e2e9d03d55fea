namespace Astralytiq.Contracts.Client;

/// <summary>Datasets: upload, import, browse, preview, profile, validate, append, query, SQL, transform, lineage.</summary>
public sealed class DatasetsClient(AstralytiqClient client) : AreaClient(client)
{
    /// <summary>
    /// Uploads a file as a new dataset. <paramref name="content"/> is streamed; it must be seekable if the
    /// call may need to be retried after a token refresh. Options left null are detected by the server.
    /// </summary>
    public async Task<ApiResponse<DatasetResponse>> UploadAsync(
        Stream content, string fileName, string? name = null, string? description = null, string? format = null,
        string? delimiter = null, bool? header = null, string? sheet = null, IProgress<JobResponse>? progress = null,
        IReadOnlyList<ColumnRuleDto>? schema = null, string? table = null, string? query = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var start = content.CanSeek ? content.Position : 0;
        HttpContent Make()
        {
            if (content.CanSeek)
            {
                content.Position = start;
            }
            var form = new MultipartFormDataContent();
            void Field(string key, string? value)
            {
                if (value is not null)
                {
                    form.Add(new StringContent(value), key);
                }
            }
            Field("name", name);
            Field("description", description);
            Field("format", format);
            Field("delimiter", delimiter);
            Field("header", header?.ToString().ToLowerInvariant());
            Field("sheet", sheet);
            Field("schema", schema is null ? null : JsonSerializer.Serialize(schema, ApiJson.Options));
            Field("table", table);
            Field("query", query);
            var file = new StreamContent(content);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "file", fileName);
            return form;
        }
        var sent = await Api.SendAsync<JsonElement>(HttpMethod.Post, "api/v1/data/datasets", (Func<HttpContent>)Make, ct).ConfigureAwait(false);
        if (!sent.IsSuccess)
        {
            return new ApiResponse<DatasetResponse> { Status = sent.Status, Error = sent.Error, Headers = sent.Headers };
        }
        if (sent.Status != HttpStatusCode.Accepted)
        {
            return new ApiResponse<DatasetResponse> { Status = sent.Status, Value = sent.Value.Deserialize<DatasetResponse>(ApiJson.Options), Headers = sent.Headers };
        }
        // A large file: the server reads it in a job. Follow the job, then hand back the dataset it made.
        return await Api.Jobs.FollowAsync(sent.Value.Deserialize<JobAcceptedResponse>(ApiJson.Options)!, sent.Headers, "file", "The upload could not be read",
            job => GetAsync(JsonSerializer.Deserialize<DatasetResponse>(job.ResultJson!, ApiJson.Options)!.Id, ct), progress, ct).ConfigureAwait(false);
    }

    /// <summary>The sample datasets that can be added.</summary>
    public Task<ApiResponse<IReadOnlyList<SampleDatasetDto>>> ListSamplesAsync(CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<SampleDatasetDto>>(HttpMethod.Get, "api/v1/data/samples", null, ct);

    /// <summary>Adds a sample dataset (by its name, e.g. <c>retail_orders</c>) to the organisation.</summary>
    public Task<ApiResponse<DatasetResponse>> AddSampleAsync(string name, CancellationToken ct = default) =>
        Api.SendAsync<DatasetResponse>(HttpMethod.Post, "api/v1/data/samples/" + Uri.EscapeDataString(name), null, ct);

    public Task<ApiResponse<Page<DatasetResponse>>> ListAsync(string? search = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<DatasetResponse>>(HttpMethod.Get,
            $"api/v1/data/datasets?offset={offset}&limit={limit}" + (string.IsNullOrEmpty(search) ? string.Empty : "&search=" + Uri.EscapeDataString(search)), null, ct);

    public Task<ApiResponse<DatasetResponse>> GetAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<DatasetResponse>(HttpMethod.Get, $"api/v1/data/datasets/{id}", null, ct);

    public Task<ApiResponse<IReadOnlyList<DatasetVersionDto>>> ListVersionsAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<DatasetVersionDto>>(HttpMethod.Get, $"api/v1/data/datasets/{id}/versions", null, ct);

    public Task<ApiResponse<DatasetPreviewResponse>> PreviewAsync(
        Guid id, int offset = 0, int limit = 100, int? version = null, string? sort = null, IEnumerable<string>? filters = null, CancellationToken ct = default)
    {
        var query = new StringBuilder($"api/v1/data/datasets/{id}/preview?offset={offset}&limit={limit}");
        if (version is not null)
        {
            query.Append(CultureInfo.InvariantCulture, $"&version={version}");
        }
        if (!string.IsNullOrEmpty(sort))
        {
            query.Append("&sort=").Append(Uri.EscapeDataString(sort));
        }
        foreach (var filter in filters ?? [])
        {
            query.Append("&filter=").Append(Uri.EscapeDataString(filter));
        }
        return Api.SendAsync<DatasetPreviewResponse>(HttpMethod.Get, query.ToString(), null, ct);
    }

    public Task<ApiResponse<DatasetProfileResponse>> ProfileAsync(Guid id, int? version = null, CancellationToken ct = default) =>
        Api.SendAsync<DatasetProfileResponse>(HttpMethod.Get, $"api/v1/data/datasets/{id}/profile" + (version is null ? string.Empty : $"?version={version}"), null, ct);

    /// <summary>The dataset's saved column rules.</summary>
    public Task<ApiResponse<DatasetRulesDto>> GetRulesAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<DatasetRulesDto>(HttpMethod.Get, $"api/v1/data/datasets/{id}/rules", null, ct);

    /// <summary>Replaces the dataset's saved column rules (validations without rules of their own check them).</summary>
    public Task<ApiResponse<DatasetRulesDto>> SaveRulesAsync(Guid id, DatasetRulesDto rules, CancellationToken ct = default) =>
        Api.SendAsync<DatasetRulesDto>(HttpMethod.Put, $"api/v1/data/datasets/{id}/rules", rules, ct);

    public Task<ApiResponse<ValidationReportResponse>> ValidateAsync(Guid id, ValidateDatasetRequest request, CancellationToken ct = default) =>
        Api.SendAsync<ValidationReportResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/validate", request, ct);

    /// <summary>Appends rows given as NDJSON text (one JSON object per line) or a JSON array of objects.</summary>
    public Task<ApiResponse<AppendRowsResponse>> AppendRowsAsync(Guid id, string json, CancellationToken ct = default) =>
        Api.SendAsync<AppendRowsResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/rows",
            (Func<HttpContent>)(() => new StringContent(json, Encoding.UTF8, "application/x-ndjson")), ct);

    public Task<ApiResponse<DatasetResponse>> ImportDatabaseAsync(DatabaseImportRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DatasetResponse>(HttpMethod.Post, "api/v1/data/datasets/import/database", request, ct);

    public Task<ApiResponse<DatasetResponse>> ImportHttpAsync(HttpImportRequest request, CancellationToken ct = default) =>
        Api.SendAsync<DatasetResponse>(HttpMethod.Post, "api/v1/data/datasets/import/http", request, ct);

    public Task<ApiResponse<SqlQueryResponse>> RunSqlAsync(string sql, int? limit = null, CancellationToken ct = default) =>
        Api.SendAsync<SqlQueryResponse>(HttpMethod.Post, "api/v1/data/sql", new SqlQueryRequest(sql, limit), ct);

    public Task<ApiResponse<QueryResultResponse>> QueryAsync(Guid id, QuerySpecDto spec, CancellationToken ct = default) =>
        Api.SendAsync<QueryResultResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/query", spec, ct);

    public Task<ApiResponse<object>> DeleteAsync(Guid id, bool force = false, CancellationToken ct = default) =>
        Api.SendAsync<object>(HttpMethod.Delete, $"api/v1/data/datasets/{id}" + (force ? "?force=true" : string.Empty), null, ct);

    /// <summary>The first rows the steps would give; nothing is stored.</summary>
    public Task<ApiResponse<TransformPreviewResponse>> PreviewTransformAsync(Guid id, IReadOnlyList<TransformStepDto> steps, int limit = 100, int? version = null, CancellationToken ct = default) =>
        Api.SendAsync<TransformPreviewResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/transform", new TransformRequest(steps, version, Preview: true, PreviewLimit: limit), ct);

    /// <summary>Stores the result of the steps as a new version (or a new dataset); for large inputs follows the job it runs in.</summary>
    public async Task<ApiResponse<TransformApplyResponse>> ApplyTransformAsync(Guid id, TransformRequest request, IProgress<JobResponse>? progress = null, CancellationToken ct = default)
    {
        var sent = await Api.SendAsync<TransformApplyResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/transform", request with { Preview = false }, ct).ConfigureAwait(false);
        if (sent.Status != HttpStatusCode.Accepted || sent.Value?.JobId is not { } job)
        {
            return sent;
        }
        return await Api.Jobs.FollowAsync(new JobAcceptedResponse(job, ApiRoutes.Job(job)), sent.Headers, "steps", "The transform could not be applied",
            done => Task.FromResult(new ApiResponse<TransformApplyResponse>
            {
                Status = HttpStatusCode.Created,
                Value = JsonSerializer.Deserialize<TransformApplyResponse>(done.ResultJson!, ApiJson.Options),
                Headers = sent.Headers,
            }), progress, ct).ConfigureAwait(false);
    }

    public Task<ApiResponse<LineageResponse>> GetLineageAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<LineageResponse>(HttpMethod.Get, $"api/v1/data/datasets/{id}/lineage", null, ct);
}
