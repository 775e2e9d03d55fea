using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>
/// The typed client of the Astralytiq REST API (v1), used by the web client, the tests and users' own code.
/// It keeps the session's tokens: an expired access token is refreshed once, transparently.
/// </summary>
public sealed class AstralytiqClient(HttpClient http) : IDisposable
{
    private readonly SemaphoreSlim _refreshGate = new(1, 1);

    public HttpClient Http { get; } = http;

    public string? AccessToken { get; set; }

    public string? RefreshToken { get; set; }

    /// <summary>An API key to send instead of a bearer token.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Raised when tokens change (sign-in, refresh) or are cleared (null), so a host can persist them.</summary>
    public event Action<AuthResponse?>? SessionChanged;

    // Identity
    public async Task<ApiResponse<AuthResponse>> RegisterAsync(RegisterRequest request, CancellationToken ct = default) =>
        Remember(await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/users/register", request, ct, allowRefresh: false).ConfigureAwait(false));

    public async Task<ApiResponse<AuthResponse>> LoginAsync(LoginRequest request, CancellationToken ct = default) =>
        Remember(await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/users/login", request, ct, allowRefresh: false).ConfigureAwait(false));

    public async Task<ApiResponse<AuthResponse>> RefreshAsync(CancellationToken ct = default) =>
        Remember(await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/users/refresh", new RefreshRequest(RefreshToken), ct, allowRefresh: false).ConfigureAwait(false));

    public async Task<ApiResponse<object>> LogoutAsync(CancellationToken ct = default)
    {
        var response = await SendAsync<object>(HttpMethod.Post, "api/v1/users/logout", null, ct).ConfigureAwait(false);
        AccessToken = null;
        RefreshToken = null;
        SessionChanged?.Invoke(null);
        return response;
    }

    public Task<ApiResponse<UserResponse>> GetProfileAsync(CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Get, "api/v1/users/profile", null, ct);

    public Task<ApiResponse<UserResponse>> UpdateProfileAsync(UpdateProfileRequest request, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Put, "api/v1/users/profile", request, ct);

    public Task<ApiResponse<object>> ChangePasswordAsync(ChangePasswordRequest request, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Post, "api/v1/users/password", request, ct);

    public Task<ApiResponse<AcceptedResponse>> RequestPasswordResetAsync(PasswordResetRequest request, CancellationToken ct = default) =>
        SendAsync<AcceptedResponse>(HttpMethod.Post, "api/v1/users/password-reset", request, ct, allowRefresh: false);

    public Task<ApiResponse<object>> ConfirmPasswordResetAsync(PasswordResetConfirmRequest request, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Post, "api/v1/users/password-reset/confirm", request, ct, allowRefresh: false);

    public Task<ApiResponse<TotpSetupResponse>> SetupTotpAsync(TotpSetupRequest request, CancellationToken ct = default) =>
        SendAsync<TotpSetupResponse>(HttpMethod.Post, "api/v1/users/mfa/totp/setup", request, ct);

    public Task<ApiResponse<RecoveryCodesResponse>> ConfirmTotpAsync(TotpConfirmRequest request, CancellationToken ct = default) =>
        SendAsync<RecoveryCodesResponse>(HttpMethod.Post, "api/v1/users/mfa/totp/confirm", request, ct);

    public Task<ApiResponse<object>> DisableTotpAsync(TotpDisableRequest request, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Post, "api/v1/users/mfa/totp/disable", request, ct);

    public Task<ApiResponse<UserResponse>> ResetUserMfaAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/mfa/reset", null, ct);

    public Task<ApiResponse<Page<UserResponse>>> ListUsersAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<Page<UserResponse>>(HttpMethod.Get, $"api/v1/users/?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<UserResponse>> GetUserAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Get, $"api/v1/users/{id}", null, ct);

    public Task<ApiResponse<UserResponse>> ChangeRoleAsync(Guid id, Role role, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Put, $"api/v1/users/{id}/role", new ChangeRoleRequest(role), ct);

    public Task<ApiResponse<UserResponse>> DeactivateUserAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/deactivate", null, ct);

    public Task<ApiResponse<UserResponse>> ReactivateUserAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Post, $"api/v1/users/{id}/reactivate", null, ct);

    public Task<ApiResponse<InvitationResponse>> InviteAsync(InviteUserRequest request, CancellationToken ct = default) =>
        SendAsync<InvitationResponse>(HttpMethod.Post, "api/v1/users/invitations", request, ct);

    public Task<ApiResponse<IReadOnlyList<InvitationResponse>>> ListInvitationsAsync(CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<InvitationResponse>>(HttpMethod.Get, "api/v1/users/invitations", null, ct);

    public Task<ApiResponse<object>> RevokeInvitationAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/users/invitations/{id}", null, ct);

    public Task<ApiResponse<InvitationLookupResponse>> LookupInvitationAsync(string token, CancellationToken ct = default) =>
        SendAsync<InvitationLookupResponse>(HttpMethod.Get, $"api/v1/users/invitations/lookup?token={Uri.EscapeDataString(token)}", null, ct, allowRefresh: false);

    public Task<ApiResponse<CreatedApiKeyResponse>> CreateApiKeyAsync(CreateApiKeyRequest request, CancellationToken ct = default) =>
        SendAsync<CreatedApiKeyResponse>(HttpMethod.Post, "api/v1/users/api-keys", request, ct);

    public Task<ApiResponse<IReadOnlyList<ApiKeyResponse>>> ListApiKeysAsync(CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<ApiKeyResponse>>(HttpMethod.Get, "api/v1/users/api-keys", null, ct);

    public Task<ApiResponse<object>> RevokeApiKeyAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/users/api-keys/{id}", null, ct);

    // Tenancy
    public Task<ApiResponse<TenantResponse>> GetTenantAsync(CancellationToken ct = default) =>
        SendAsync<TenantResponse>(HttpMethod.Get, "api/v1/tenants/current", null, ct);

    public Task<ApiResponse<TenantResponse>> UpdateTenantAsync(UpdateTenantRequest request, CancellationToken ct = default) =>
        SendAsync<TenantResponse>(HttpMethod.Put, "api/v1/tenants/current", request, ct);

    // Operator (platform operator accounts only)
    public Task<ApiResponse<Page<OperatorTenantResponse>>> ListTenantsAsync(string? search = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<Page<OperatorTenantResponse>>(HttpMethod.Get,
            $"api/v1/operator/tenants?offset={offset}&limit={limit}" + (string.IsNullOrEmpty(search) ? string.Empty : "&search=" + Uri.EscapeDataString(search)), null, ct);

    public Task<ApiResponse<OperatorTenantResponse>> GetTenantAsOperatorAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<OperatorTenantResponse>(HttpMethod.Get, $"api/v1/operator/tenants/{id}", null, ct);

    public Task<ApiResponse<OperatorTenantResponse>> SuspendTenantAsync(Guid id, SuspendTenantRequest request, CancellationToken ct = default) =>
        SendAsync<OperatorTenantResponse>(HttpMethod.Post, $"api/v1/operator/tenants/{id}/suspend", request, ct);

    public Task<ApiResponse<OperatorTenantResponse>> ReactivateTenantAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<OperatorTenantResponse>(HttpMethod.Post, $"api/v1/operator/tenants/{id}/reactivate", null, ct);

    // Data
    /// <summary>
    /// Uploads a file as a new dataset. <paramref name="content"/> is streamed; it must be seekable if the
    /// call may need to be retried after a token refresh. Options left null are detected by the server.
    /// </summary>
    public async Task<ApiResponse<DatasetResponse>> UploadDatasetAsync(
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
        var sent = await SendAsync<JsonElement>(HttpMethod.Post, "api/v1/data/datasets", (Func<HttpContent>)Make, ct).ConfigureAwait(false);
        if (!sent.IsSuccess)
        {
            return new ApiResponse<DatasetResponse> { Status = sent.Status, Error = sent.Error, Headers = sent.Headers };
        }
        if (sent.Status != HttpStatusCode.Accepted)
        {
            return new ApiResponse<DatasetResponse> { Status = sent.Status, Value = sent.Value.Deserialize<DatasetResponse>(ApiJson.Options), Headers = sent.Headers };
        }
        // A large file: the server reads it in a job. Follow the job, then hand back the dataset it made.
        return await FollowJobAsync(sent.Value.Deserialize<JobAcceptedResponse>(ApiJson.Options)!, sent.Headers, "file", "The upload could not be read",
            job => GetDatasetAsync(JsonSerializer.Deserialize<DatasetResponse>(job.ResultJson!, ApiJson.Options)!.Id, ct), progress, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Follows a job for at most an hour, reporting progress: on success hands its result to <paramref name="done"/>;
    /// a failed job answers 422 with its error under <paramref name="field"/>; after the hour, STILL_RUNNING
    /// with the job to follow (the job goes on: only this call stopped waiting).
    /// </summary>
    private async Task<ApiResponse<T>> FollowJobAsync<T>(JobAcceptedResponse accepted, System.Net.Http.Headers.HttpResponseHeaders headers, string field, string failure,
        Func<JobResponse, Task<ApiResponse<T>>> done, IProgress<JobResponse>? progress, CancellationToken ct)
    {
        var job = await WaitForJobAsync(accepted.JobId, progress, TimeSpan.FromHours(1), ct).ConfigureAwait(false);
        if (!job.IsSuccess)
        {
            return new ApiResponse<T> { Status = job.Status, Error = job.Error, Headers = job.Headers };
        }
        switch (job.Value!.Status)
        {
            case JobStatus.Succeeded:
                return await done(job.Value).ConfigureAwait(false);
            case JobStatus.Failed or JobStatus.Cancelled or JobStatus.DeadLettered:
                return new ApiResponse<T>
                {
                    Status = HttpStatusCode.UnprocessableEntity,
                    Error = new ErrorEnvelope(new ErrorBody(ErrorCodes.Validation, job.Value.Error ?? failure,
                        [new ErrorDetail(field, job.Value.Error ?? failure)], job.Value.Id.ToString(), DateTimeOffset.UtcNow)),
                    Headers = job.Headers,
                };
            default:
                return new ApiResponse<T>
                {
                    Status = HttpStatusCode.RequestTimeout,
                    Error = new ErrorEnvelope(new ErrorBody("STILL_RUNNING", $"The job is still running; follow {accepted.StatusUrl}", null,
                        accepted.JobId.ToString(), DateTimeOffset.UtcNow)),
                    Headers = headers,
                };
        }
    }

    /// <summary>
    /// Follows a job until it has ended (succeeded, failed, cancelled, dead-lettered) or <paramref name="timeout"/>
    /// has passed (default an hour), reporting each state it sees; answers the last state seen. The job API
    /// has no push channel, so this asks every 250 ms.
    /// </summary>
    public async Task<ApiResponse<JobResponse>> WaitForJobAsync(Guid jobId, IProgress<JobResponse>? progress = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromHours(1));
        // Short jobs end within a poll or two; long ones are asked about less often (50 ms, growing to 1 s).
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var job = await GetJobAsync(jobId, ct).ConfigureAwait(false);
            if (!job.IsSuccess)
            {
                return job;
            }
            progress?.Report(job.Value!);
            if (job.Value!.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.DeadLettered || DateTimeOffset.UtcNow >= deadline)
            {
                return job;
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 1.5));
        }
    }

    public Task<ApiResponse<Page<DatasetResponse>>> ListDatasetsAsync(string? search = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<Page<DatasetResponse>>(HttpMethod.Get,
            $"api/v1/data/datasets?offset={offset}&limit={limit}" + (string.IsNullOrEmpty(search) ? string.Empty : "&search=" + Uri.EscapeDataString(search)), null, ct);

    public Task<ApiResponse<DatasetResponse>> GetDatasetAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<DatasetResponse>(HttpMethod.Get, $"api/v1/data/datasets/{id}", null, ct);

    public Task<ApiResponse<IReadOnlyList<DatasetVersionDto>>> ListDatasetVersionsAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<DatasetVersionDto>>(HttpMethod.Get, $"api/v1/data/datasets/{id}/versions", null, ct);

    public Task<ApiResponse<DatasetPreviewResponse>> PreviewDatasetAsync(
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
        return SendAsync<DatasetPreviewResponse>(HttpMethod.Get, query.ToString(), null, ct);
    }

    public Task<ApiResponse<DatasetProfileResponse>> ProfileDatasetAsync(Guid id, int? version = null, CancellationToken ct = default) =>
        SendAsync<DatasetProfileResponse>(HttpMethod.Get, $"api/v1/data/datasets/{id}/profile" + (version is null ? string.Empty : $"?version={version}"), null, ct);

    public Task<ApiResponse<ValidationReportResponse>> ValidateDatasetAsync(Guid id, ValidateDatasetRequest request, CancellationToken ct = default) =>
        SendAsync<ValidationReportResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/validate", request, ct);

    /// <summary>Appends rows given as NDJSON text (one JSON object per line) or a JSON array of objects.</summary>
    public Task<ApiResponse<AppendRowsResponse>> AppendDatasetRowsAsync(Guid id, string json, CancellationToken ct = default) =>
        SendAsync<AppendRowsResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/rows",
            (Func<HttpContent>)(() => new StringContent(json, Encoding.UTF8, "application/x-ndjson")), ct);

    public Task<ApiResponse<DatasetResponse>> ImportDatabaseAsync(DatabaseImportRequest request, CancellationToken ct = default) =>
        SendAsync<DatasetResponse>(HttpMethod.Post, "api/v1/data/datasets/import/database", request, ct);

    public Task<ApiResponse<DatasetResponse>> ImportHttpAsync(HttpImportRequest request, CancellationToken ct = default) =>
        SendAsync<DatasetResponse>(HttpMethod.Post, "api/v1/data/datasets/import/http", request, ct);

    public Task<ApiResponse<SqlQueryResponse>> RunSqlAsync(string sql, int? limit = null, CancellationToken ct = default) =>
        SendAsync<SqlQueryResponse>(HttpMethod.Post, "api/v1/data/sql", new SqlQueryRequest(sql, limit), ct);

    public Task<ApiResponse<QueryResultResponse>> QueryDatasetAsync(Guid id, QuerySpecDto spec, CancellationToken ct = default) =>
        SendAsync<QueryResultResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/query", spec, ct);

    public Task<ApiResponse<object>> DeleteDatasetAsync(Guid id, bool force = false, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/data/datasets/{id}" + (force ? "?force=true" : string.Empty), null, ct);

    /// <summary>The first rows the steps would give; nothing is stored.</summary>
    public Task<ApiResponse<TransformPreviewResponse>> PreviewTransformAsync(Guid id, IReadOnlyList<TransformStepDto> steps, int limit = 100, int? version = null, CancellationToken ct = default) =>
        SendAsync<TransformPreviewResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/transform", new TransformRequest(steps, version, Preview: true, PreviewLimit: limit), ct);

    /// <summary>Stores the result of the steps as a new version (or a new dataset); for large inputs follows the job it runs in.</summary>
    public async Task<ApiResponse<TransformApplyResponse>> ApplyTransformAsync(Guid id, TransformRequest request, IProgress<JobResponse>? progress = null, CancellationToken ct = default)
    {
        var sent = await SendAsync<TransformApplyResponse>(HttpMethod.Post, $"api/v1/data/datasets/{id}/transform", request with { Preview = false }, ct).ConfigureAwait(false);
        if (sent.Status != HttpStatusCode.Accepted || sent.Value?.JobId is not { } job)
        {
            return sent;
        }
        return await FollowJobAsync(new JobAcceptedResponse(job, ApiRoutes.Job(job)), sent.Headers, "steps", "The transform could not be applied",
            done => Task.FromResult(new ApiResponse<TransformApplyResponse>
            {
                Status = HttpStatusCode.Created,
                Value = JsonSerializer.Deserialize<TransformApplyResponse>(done.ResultJson!, ApiJson.Options),
                Headers = sent.Headers,
            }), progress, ct).ConfigureAwait(false);
    }

    public Task<ApiResponse<PipelineResponse>> CreatePipelineAsync(PipelineRequest request, CancellationToken ct = default) =>
        SendAsync<PipelineResponse>(HttpMethod.Post, "api/v1/data/pipelines", request, ct);

    public Task<ApiResponse<PipelineResponse>> UpdatePipelineAsync(Guid id, PipelineRequest request, CancellationToken ct = default) =>
        SendAsync<PipelineResponse>(HttpMethod.Put, $"api/v1/data/pipelines/{id}", request, ct);

    public Task<ApiResponse<Page<PipelineResponse>>> ListPipelinesAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<Page<PipelineResponse>>(HttpMethod.Get, $"api/v1/data/pipelines?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<PipelineResponse>> GetPipelineAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<PipelineResponse>(HttpMethod.Get, $"api/v1/data/pipelines/{id}", null, ct);

    public Task<ApiResponse<object>> DeletePipelineAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/data/pipelines/{id}", null, ct);

    /// <summary>Queues a run now (202 with the run; its job id carries the progress).</summary>
    public Task<ApiResponse<PipelineRunDto>> RunPipelineAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<PipelineRunDto>(HttpMethod.Post, $"api/v1/data/pipelines/{id}/run", null, ct);

    public Task<ApiResponse<IReadOnlyList<PipelineRunDto>>> ListPipelineRunsAsync(Guid id, int limit = 50, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<PipelineRunDto>>(HttpMethod.Get, $"api/v1/data/pipelines/{id}/runs?limit={limit}", null, ct);

    public Task<ApiResponse<LineageResponse>> GetDatasetLineageAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<LineageResponse>(HttpMethod.Get, $"api/v1/data/datasets/{id}/lineage", null, ct);

    // Usage
    public Task<ApiResponse<Astralytiq.Contracts.Usage.UsageResponse>> GetUsageAsync(CancellationToken ct = default) =>
        SendAsync<Astralytiq.Contracts.Usage.UsageResponse>(HttpMethod.Get, "api/v1/usage", null, ct);

    // Audit
    public Task<ApiResponse<Page<AuditLogResponse>>> GetAuditLogsAsync(
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
        return SendAsync<Page<AuditLogResponse>>(HttpMethod.Get, query.ToString(), null, ct);
    }

    public Task<ApiResponse<AuditVerifyResponse>> VerifyAuditAsync(CancellationToken ct = default) =>
        SendAsync<AuditVerifyResponse>(HttpMethod.Get, "api/v1/audit/verify", null, ct);

    // Models
    public Task<ApiResponse<TrainModelResponse>> TrainModelAsync(TrainModelRequest request, CancellationToken ct = default) =>
        SendAsync<TrainModelResponse>(HttpMethod.Post, "api/v1/ml/models/train", request, ct);

    public Task<ApiResponse<Page<ModelSummaryDto>>> ListModelsAsync(string? search = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<Page<ModelSummaryDto>>(HttpMethod.Get, $"api/v1/ml/models?offset={offset}&limit={limit}" + (search is null ? string.Empty : "&search=" + Uri.EscapeDataString(search)), null, ct);

    public Task<ApiResponse<ModelDetailDto>> GetModelAsync(string model, CancellationToken ct = default) =>
        SendAsync<ModelDetailDto>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}", null, ct);

    public Task<ApiResponse<IReadOnlyList<ModelVersionDto>>> GetModelVersionsAsync(string name, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<ModelVersionDto>>(HttpMethod.Get, "api/v1/ml/models/versions?name=" + Uri.EscapeDataString(name), null, ct);

    public Task<ApiResponse<ModelMetricsResponse>> GetModelMetricsAsync(string model, int? version = null, string? alias = null, CancellationToken ct = default) =>
        SendAsync<ModelMetricsResponse>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/metrics" + VersionQuery(version, alias, null), null, ct);

    public Task<ApiResponse<ExplainResponse>> ExplainModelAsync(string model, int? version = null, string? alias = null, CancellationToken ct = default) =>
        SendAsync<ExplainResponse>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/explain" + VersionQuery(version, alias, null), null, ct);

    public Task<ApiResponse<PredictResponse>> PredictAsync(string model, PredictRequest request, int? version = null, string? alias = null, bool explain = false, CancellationToken ct = default) =>
        SendAsync<PredictResponse>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/predict" + VersionQuery(version, alias, explain ? "explain=true" : null), request, ct);

    public Task<ApiResponse<ForecastResponse>> ForecastAsync(string model, int? horizon = null, string? series = null, int? version = null, string? alias = null, CancellationToken ct = default) =>
        SendAsync<ForecastResponse>(HttpMethod.Get, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/forecast" + VersionQuery(version, alias,
            string.Join("&", new[] { horizon is null ? null : $"horizon={horizon}", series is null ? null : "series=" + Uri.EscapeDataString(series) }.Where(x => x is not null))), null, ct);

    public Task<ApiResponse<ScoreDatasetResponse>> ScoreDatasetAsync(string model, ScoreDatasetRequest request, CancellationToken ct = default) =>
        SendAsync<ScoreDatasetResponse>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/score", request, ct);

    public Task<ApiResponse<ModelAliasDto>> SetModelAliasAsync(string model, string alias, int version, CancellationToken ct = default) =>
        SendAsync<ModelAliasDto>(HttpMethod.Put, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/aliases/{Uri.EscapeDataString(alias)}", new SetAliasRequest(version), ct);

    public Task<ApiResponse<object>> RemoveModelAliasAsync(string model, string alias, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/aliases/{Uri.EscapeDataString(alias)}", null, ct);

    public Task<ApiResponse<ModelVersionDto>> ArchiveModelVersionAsync(string model, int version, CancellationToken ct = default) =>
        SendAsync<ModelVersionDto>(HttpMethod.Post, $"api/v1/ml/models/{Uri.EscapeDataString(model)}/versions/{version}/archive", null, ct);

    private static string VersionQuery(int? version, string? alias, string? extra)
    {
        var parts = new[] { version is null ? null : $"version={version}", alias is null ? null : "alias=" + Uri.EscapeDataString(alias), string.IsNullOrEmpty(extra) ? null : extra }
            .Where(p => p is not null).ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }

    // Dashboards
    public Task<ApiResponse<DashboardResponse>> CreateDashboardAsync(CreateDashboardRequest request, CancellationToken ct = default) =>
        SendAsync<DashboardResponse>(HttpMethod.Post, "api/v1/dashboards", request, ct);

    public Task<ApiResponse<DashboardResponse>> CreateDashboardFromTemplateAsync(DashboardFromTemplateRequest request, CancellationToken ct = default) =>
        SendAsync<DashboardResponse>(HttpMethod.Post, "api/v1/dashboards/from-template", request, ct);

    public Task<ApiResponse<DashboardListResponse>> ListDashboardsAsync(string? search = null, string? folder = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<DashboardListResponse>(HttpMethod.Get, $"api/v1/dashboards?offset={offset}&limit={limit}"
            + (search is null ? string.Empty : "&search=" + Uri.EscapeDataString(search)) + (folder is null ? string.Empty : "&folder=" + Uri.EscapeDataString(folder)), null, ct);

    public Task<ApiResponse<DashboardResponse>> GetDashboardAsync(Guid id, int? version = null, CancellationToken ct = default) =>
        SendAsync<DashboardResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}" + (version is null ? string.Empty : $"?version={version}"), null, ct);

    public Task<ApiResponse<DashboardResponse>> UpdateDashboardAsync(Guid id, UpdateDashboardRequest request, CancellationToken ct = default) =>
        SendAsync<DashboardResponse>(HttpMethod.Put, $"api/v1/dashboards/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteDashboardAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/dashboards/{id}", null, ct);

    public Task<ApiResponse<IReadOnlyList<DashboardVersionDto>>> ListDashboardVersionsAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<DashboardVersionDto>>(HttpMethod.Get, $"api/v1/dashboards/{id}/versions", null, ct);

    public Task<ApiResponse<DashboardResponse>> RestoreDashboardVersionAsync(Guid id, int version, CancellationToken ct = default) =>
        SendAsync<DashboardResponse>(HttpMethod.Post, $"api/v1/dashboards/{id}/versions/{version}/restore", null, ct);

    public Task<ApiResponse<IReadOnlyList<DashboardShareDto>>> ListDashboardSharesAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<DashboardShareDto>>(HttpMethod.Get, $"api/v1/dashboards/{id}/shares", null, ct);

    public Task<ApiResponse<DashboardShareDto>> ShareDashboardAsync(Guid id, ShareDashboardRequest request, CancellationToken ct = default) =>
        SendAsync<DashboardShareDto>(HttpMethod.Post, $"api/v1/dashboards/{id}/shares", request, ct);

    public Task<ApiResponse<object>> UnshareDashboardAsync(Guid id, Guid shareId, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/dashboards/{id}/shares/{shareId}", null, ct);

    public Task<ApiResponse<DashboardLinkCreatedResponse>> CreateDashboardLinkAsync(Guid id, CreateDashboardLinkRequest request, CancellationToken ct = default) =>
        SendAsync<DashboardLinkCreatedResponse>(HttpMethod.Post, $"api/v1/dashboards/{id}/links", request, ct);

    public Task<ApiResponse<IReadOnlyList<DashboardLinkDto>>> ListDashboardLinksAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<DashboardLinkDto>>(HttpMethod.Get, $"api/v1/dashboards/{id}/links", null, ct);

    public Task<ApiResponse<object>> RevokeDashboardLinkAsync(Guid id, Guid linkId, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/dashboards/{id}/links/{linkId}", null, ct);

    /// <summary>A dashboard through a public link: no sign-in; the link's password, when it has one.</summary>
    public Task<ApiResponse<PublicDashboardResponse>> GetPublicDashboardAsync(string token, string? password = null, CancellationToken ct = default) =>
        SendAnonymousAsync<PublicDashboardResponse>($"api/v1/public/dashboards/{Uri.EscapeDataString(token)}", password, ct);

    public Task<ApiResponse<WidgetDataResponse>> GetPublicWidgetDataAsync(string token, string widgetId, IEnumerable<string>? filters = null, string? password = null, int? offset = null, int? limit = null, CancellationToken ct = default) =>
        SendAnonymousAsync<WidgetDataResponse>($"api/v1/public/dashboards/{Uri.EscapeDataString(token)}/widgets/{Uri.EscapeDataString(widgetId)}/data"
            + Query(("filter", filters), ("offset", offset is null ? null : [offset.Value.ToString(CultureInfo.InvariantCulture)]), ("limit", limit is null ? null : [limit.Value.ToString(CultureInfo.InvariantCulture)])), password, ct);

    private async Task<ApiResponse<T>> SendAnonymousAsync<T>(string path, string? linkPassword, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (linkPassword is not null)
        {
            request.Headers.Add("X-Link-Password", linkPassword);
        }
        using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
        var isJson = response.Content.Headers.ContentType?.MediaType == "application/json";
        return response.IsSuccessStatusCode
            ? new ApiResponse<T> { Status = response.StatusCode, Value = isJson ? await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct).ConfigureAwait(false) : default, Headers = response.Headers }
            : new ApiResponse<T> { Status = response.StatusCode, Error = isJson ? await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiJson.Options, ct).ConfigureAwait(false) : null, Headers = response.Headers };
    }

    /// <summary>Filters are <c>filterId:value</c>, or <c>filterId:from..to</c> for a date range.</summary>
    public Task<ApiResponse<WidgetDataResponse>> GetWidgetDataAsync(Guid id, string widgetId, IEnumerable<string>? filters = null, int? offset = null, int? limit = null, CancellationToken ct = default) =>
        SendAsync<WidgetDataResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}/widgets/{Uri.EscapeDataString(widgetId)}/data"
            + Query(("filter", filters), ("offset", offset is null ? null : [offset.Value.ToString(CultureInfo.InvariantCulture)]), ("limit", limit is null ? null : [limit.Value.ToString(CultureInfo.InvariantCulture)])), null, ct);

    /// <summary>Drill down: the rows behind a widget, or behind one point of it (<c>output:value</c> per dimension).</summary>
    public Task<ApiResponse<WidgetDataResponse>> GetWidgetRowsAsync(Guid id, string widgetId, IEnumerable<string>? filters = null, IEnumerable<string>? point = null, int? offset = null, int? limit = null, CancellationToken ct = default) =>
        SendAsync<WidgetDataResponse>(HttpMethod.Get, $"api/v1/dashboards/{id}/widgets/{Uri.EscapeDataString(widgetId)}/rows"
            + Query(("filter", filters), ("point", point), ("offset", offset is null ? null : [offset.Value.ToString(CultureInfo.InvariantCulture)]), ("limit", limit is null ? null : [limit.Value.ToString(CultureInfo.InvariantCulture)])), null, ct);

    private static string Query(params (string Name, IEnumerable<string>? Values)[] parameters)
    {
        var parts = parameters.SelectMany(p => (p.Values ?? []).Select(v => p.Name + "=" + Uri.EscapeDataString(v))).ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }

    // Embedding
    public Task<ApiResponse<EmbeddingSecretResponse>> RotateEmbeddingSecretAsync(CancellationToken ct = default) =>
        SendAsync<EmbeddingSecretResponse>(HttpMethod.Post, "api/v1/dashboards/embedding/secret", null, ct);

    public Task<ApiResponse<DashboardEmbeddingDto>> ConfigureDashboardEmbeddingAsync(Guid id, DashboardEmbeddingRequest request, CancellationToken ct = default) =>
        SendAsync<DashboardEmbeddingDto>(HttpMethod.Put, $"api/v1/dashboards/{id}/embedding", request, ct);

    public Task<ApiResponse<EmbeddedDashboardResponse>> GetEmbeddedDashboardAsync(string token, CancellationToken ct = default) =>
        SendAnonymousAsync<EmbeddedDashboardResponse>($"api/v1/embed/dashboards/{Uri.EscapeDataString(token)}", null, ct);

    public Task<ApiResponse<WidgetDataResponse>> GetEmbeddedWidgetDataAsync(string token, string widgetId, IEnumerable<string>? filters = null, CancellationToken ct = default) =>
        SendAnonymousAsync<WidgetDataResponse>($"api/v1/embed/dashboards/{Uri.EscapeDataString(token)}/widgets/{Uri.EscapeDataString(widgetId)}/data" + Query(("filter", filters)), null, ct);

    // Reports
    public Task<ApiResponse<ReportDto>> CreateReportAsync(ReportRequest request, CancellationToken ct = default) =>
        SendAsync<ReportDto>(HttpMethod.Post, "api/v1/reports", request, ct);

    public Task<ApiResponse<IReadOnlyList<ReportDto>>> ListReportsAsync(Guid? dashboardId = null, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<ReportDto>>(HttpMethod.Get, "api/v1/reports" + (dashboardId is null ? string.Empty : $"?dashboard_id={dashboardId}"), null, ct);

    public Task<ApiResponse<ReportDto>> GetReportAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<ReportDto>(HttpMethod.Get, $"api/v1/reports/{id}", null, ct);

    public Task<ApiResponse<ReportDto>> UpdateReportAsync(Guid id, ReportRequest request, CancellationToken ct = default) =>
        SendAsync<ReportDto>(HttpMethod.Put, $"api/v1/reports/{id}", request, ct);

    public Task<ApiResponse<object>> DeleteReportAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/reports/{id}", null, ct);

    /// <summary>Send now (202): follow the run's job with <see cref="WaitForJobAsync"/>.</summary>
    public Task<ApiResponse<ReportRunDto>> SendReportAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<ReportRunDto>(HttpMethod.Post, $"api/v1/reports/{id}/send", null, ct);

    public Task<ApiResponse<IReadOnlyList<ReportRunDto>>> ListReportRunsAsync(Guid id, int limit = 50, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<ReportRunDto>>(HttpMethod.Get, $"api/v1/reports/{id}/runs?limit={limit}", null, ct);

    /// <summary>A file a run made, by the path in <see cref="ReportFileDto.Path"/>.</summary>
    public Task<ApiResponse<byte[]>> DownloadReportFileAsync(ReportFileDto file, CancellationToken ct = default) =>
        SendAsync<byte[]>(HttpMethod.Get, file.Path.TrimStart('/'), null, ct);

    public async Task<ApiResponse<UnsubscribeResponse>> UnsubscribeFromReportAsync(string token, CancellationToken ct = default)
    {
        using var response = await Http.PostAsync($"api/v1/public/reports/unsubscribe?token={Uri.EscapeDataString(token)}", null, ct).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? new ApiResponse<UnsubscribeResponse> { Status = response.StatusCode, Value = await response.Content.ReadFromJsonAsync<UnsubscribeResponse>(ApiJson.Options, ct).ConfigureAwait(false), Headers = response.Headers }
            : new ApiResponse<UnsubscribeResponse> { Status = response.StatusCode, Error = response.Content.Headers.ContentType?.MediaType == "application/json" ? await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiJson.Options, ct).ConfigureAwait(false) : null, Headers = response.Headers };
    }

    // Notifications
    public Task<ApiResponse<NotificationListResponse>> ListNotificationsAsync(bool unreadOnly = false, int offset = 0, int limit = 20, CancellationToken ct = default) =>
        SendAsync<NotificationListResponse>(HttpMethod.Get, $"api/v1/notifications?offset={offset}&limit={limit}" + (unreadOnly ? "&unread=true" : string.Empty), null, ct);

    public Task<ApiResponse<object>> MarkNotificationReadAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Post, $"api/v1/notifications/{id}/read", null, ct);

    public Task<ApiResponse<object>> MarkAllNotificationsReadAsync(CancellationToken ct = default) =>
        SendAsync<object>(HttpMethod.Post, "api/v1/notifications/read-all", null, ct);

    // Jobs
    public Task<ApiResponse<Page<JobResponse>>> ListJobsAsync(string? status = null, int offset = 0, int limit = 50, CancellationToken ct = default) =>
        SendAsync<Page<JobResponse>>(HttpMethod.Get, $"api/v1/jobs?offset={offset}&limit={limit}" + (status is null ? string.Empty : "&status=" + Uri.EscapeDataString(status)), null, ct);

    public Task<ApiResponse<JobResponse>> GetJobAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<JobResponse>(HttpMethod.Get, $"api/v1/jobs/{id}", null, ct);

    public Task<ApiResponse<JobResponse>> CancelJobAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<JobResponse>(HttpMethod.Delete, $"api/v1/jobs/{id}", null, ct);

    public void Dispose() => _refreshGate.Dispose();

    /// <summary>Any call: the same envelope handling, auth and refresh as the named methods.</summary>
    public async Task<ApiResponse<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, bool allowRefresh = true)
    {
        var response = await SendOnceAsync<T>(method, path, body, ct).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.Unauthorized && allowRefresh && ApiKey is null && RefreshToken is not null
            && await TryRefreshAsync(AccessToken, ct).ConfigureAwait(false))
        {
            response = await SendOnceAsync<T>(method, path, body, ct).ConfigureAwait(false);
        }
        return response;
    }

    private async Task<bool> TryRefreshAsync(string? expiredToken, CancellationToken ct)
    {
        await _refreshGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (AccessToken != expiredToken)
            {
                return true; // another call refreshed meanwhile
            }
            var refreshed = await RefreshAsync(ct).ConfigureAwait(false);
            if (!refreshed.IsSuccess)
            {
                AccessToken = null;
                RefreshToken = null;
                SessionChanged?.Invoke(null);
            }
            return refreshed.IsSuccess;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task<ApiResponse<T>> SendOnceAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (ApiKey is not null)
        {
            request.Headers.Add("X-Api-Key", ApiKey);
        }
        else if (AccessToken is not null)
        {
            request.Headers.Authorization = new("Bearer", AccessToken);
        }
        if (body is Func<HttpContent> content)
        {
            request.Content = content(); // made anew per attempt: a retried request cannot reuse sent content
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        }
        using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
        var isJson = response.Content.Headers.ContentType?.MediaType == "application/json";
        if (response.IsSuccessStatusCode)
        {
            var value = typeof(T) == typeof(byte[])
                ? (T)(object)await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false)
                : isJson && response.StatusCode != HttpStatusCode.NoContent
                ? await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct).ConfigureAwait(false)
                : default;
            return new ApiResponse<T> { Status = response.StatusCode, Value = value, Headers = response.Headers };
        }
        var error = isJson ? await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiJson.Options, ct).ConfigureAwait(false) : null;
        return new ApiResponse<T> { Status = response.StatusCode, Error = error, Headers = response.Headers };
    }

    private ApiResponse<AuthResponse> Remember(ApiResponse<AuthResponse> response)
    {
        if (response is { IsSuccess: true, Value: { } auth })
        {
            AccessToken = auth.AccessToken;
            RefreshToken = auth.RefreshToken;
            SessionChanged?.Invoke(auth);
        }
        return response;
    }
}
