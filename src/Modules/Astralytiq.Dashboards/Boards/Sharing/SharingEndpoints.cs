using Astralytiq.Platform.Health;
namespace Astralytiq.Dashboards.Boards.Sharing;

/// <summary>Sharing with people and roles, public links, signed embedding, and the anonymous views those open.</summary>
internal static class SharingEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapGet("/{id:guid}/shares", Shares);
        dashboards.MapPost("/{id:guid}/shares", Share);
        dashboards.MapDelete("/{id:guid}/shares/{shareId:guid}", Unshare);
        dashboards.MapPost("/{id:guid}/links", CreateLink).RequireTenantFeature(TenantFeatures.PublicSharing);
        dashboards.MapGet("/{id:guid}/links", Links);
        dashboards.MapDelete("/{id:guid}/links/{linkId:guid}", RevokeLink);
        dashboards.MapPost("/embedding/secret", RotateEmbeddingSecret).RequireTenantFeature(TenantFeatures.PublicSharing);
        dashboards.MapPut("/{id:guid}/embedding", ConfigureEmbedding).RequireTenantFeature(TenantFeatures.PublicSharing);
    }

    public static RouteGroupBuilder MapPublic(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/public/dashboards").WithTags("Dashboards").AllowAnonymous().ProducesErrors(429);
        group.MapGet("/{token}", ViewPublic);
        group.MapGet("/{token}/widgets/{widgetId}/data", PublicWidgetData);
        return group;
    }

    public static void MapEmbedded(IEndpointRouteBuilder routes)
    {
        var embed = routes.MapGroup("/embed/dashboards").WithTags("Dashboards").ForModule(DashboardsDbContext.Module).AllowAnonymous().ProducesErrors(429);
        embed.MapGet("/{token}", ViewEmbedded);
        embed.MapGet("/{token}/widgets/{widgetId}/data", EmbeddedWidgetData);
    }

    [RequiresPermission(Permission.DashboardsRead), Errors(403, 404), EndpointName("ListDashboardShares")]
    [EndpointSummary("Who a dashboard is shared with (its creator or an admin)")]
    private static async Task<Results<Ok<IReadOnlyList<DashboardShareDto>>, ApiError>> Shares(Guid id, ShareHandler handler, CancellationToken ct) =>
        (await handler.SharesAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(403, 404, 422), EndpointName("ShareDashboard")]
    [EndpointSummary("Share a dashboard with a user or a role, to view or to edit (its creator or an admin); sharing again changes the access")]
    private static async Task<Results<Ok<DashboardShareDto>, ApiError>> Share(Guid id, ShareDashboardRequest request, ShareHandler handler, CancellationToken ct) =>
        (await handler.ShareAsync(id, request, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(403, 404), EndpointName("UnshareDashboard")]
    [EndpointSummary("Take a share back: effective on the next request and on live connections at once")]
    private static async Task<Results<NoContent, ApiError>> Unshare(Guid id, Guid shareId, ShareHandler handler, CancellationToken ct) =>
        (await handler.UnshareAsync(id, shareId, ct)).ToNoContent();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(403, 404, 422), EndpointName("CreateDashboardLink")]
    [EndpointSummary("Make a public read-only link (optional expiry and password); the token is shown once")]
    private static async Task<Results<Created<DashboardLinkCreatedResponse>, ApiError>> CreateLink(Guid id, CreateDashboardLinkRequest? request, PublicLinks links, CancellationToken ct) =>
        (await links.CreateAsync(id, request ?? new CreateDashboardLinkRequest(), ct)).ToCreated(l => $"{ApiRoutes.V1}/dashboards/{id}/links/{l.Id}");

    [RequiresPermission(Permission.DashboardsRead), Errors(403, 404), EndpointName("ListDashboardLinks")]
    [EndpointSummary("A dashboard's public links (never their tokens)")]
    private static async Task<Results<Ok<IReadOnlyList<DashboardLinkDto>>, ApiError>> Links(Guid id, PublicLinks links, CancellationToken ct) =>
        (await links.ListAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(403, 404), EndpointName("RevokeDashboardLink")]
    [EndpointSummary("Revoke a public link: refused from the next request")]
    private static async Task<Results<NoContent, ApiError>> RevokeLink(Guid id, Guid linkId, PublicLinks links, CancellationToken ct) =>
        (await links.RevokeAsync(id, linkId, ct)).ToNoContent();

    [RequiresPermission(Permission.SettingsManage), AuditedExplicitly, Errors(403), EndpointName("RotateEmbeddingSecret")]
    [EndpointSummary("Make (or rotate) the organisation's embedding secret, shown once; tokens signed with the old one are refused from the next request")]
    private static async Task<Results<Ok<EmbeddingSecretResponse>, ApiError>> RotateEmbeddingSecret(Embedding embedding, CancellationToken ct) =>
        (await embedding.RotateSecretAsync(ct)).ToOk();

    [RequiresPermission(Permission.DashboardsWrite), AuditedExplicitly, Errors(403, 404, 422), EndpointName("ConfigureDashboardEmbedding")]
    [EndpointSummary("Allow (or stop) embedding a dashboard through signed tokens, and choose the filters a token locks")]
    private static async Task<Results<Ok<DashboardEmbeddingDto>, ApiError>> ConfigureEmbedding(Guid id, DashboardEmbeddingRequest request, Embedding embedding, CancellationToken ct) =>
        (await embedding.ConfigureAsync(id, request, ct)).ToOk();

    [Errors(401, 404), EndpointName("ViewPublicDashboard")]
    [EndpointSummary("A dashboard through a public link (password in X-Link-Password when it has one); 404 for unknown, expired or revoked links")]
    private static async Task<Results<Ok<PublicDashboardResponse>, ApiError>> ViewPublic(string token, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "X-Link-Password")] string? password, PublicLinks links, CancellationToken ct) =>
        (await links.ViewAsync(token, password, ct)).ToOk();

    [Errors(401, 404, 409, 422), EndpointName("GetPublicWidgetData")]
    [EndpointSummary("A widget's data through a public link, with dashboard filters (filter=id:value)")]
    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> PublicWidgetData(
        string token, string widgetId, string[]? filter, int? offset, int? limit, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "X-Link-Password")] string? password, PublicLinks links, CancellationToken ct) =>
        (await links.WidgetDataAsync(token, password, widgetId, filter ?? [], ct, offset, limit)).ToOk();

    [Errors(401, 404), EndpointName("ViewEmbeddedDashboard")]
    [EndpointSummary("A dashboard through a signed embedding token (401 when the token is invalid, expired or lacks a locked filter; 404 when embedding is off)")]
    private static async Task<Results<Ok<EmbeddedDashboardResponse>, ApiError>> ViewEmbedded(string token, Embedding embedding, CancellationToken ct) =>
        (await embedding.ViewAsync(token, ct)).ToOk();

    [Errors(401, 404, 409, 422), EndpointName("GetEmbeddedWidgetData")]
    [EndpointSummary("A widget's data through an embedding token: the token's locked filters always apply; other dashboard filters may be given")]
    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> EmbeddedWidgetData(string token, string widgetId, string[]? filter, int? offset, int? limit, Embedding embedding, CancellationToken ct) =>
        (await embedding.WidgetDataAsync(token, widgetId, filter ?? [], offset, limit, ct)).ToOk();
}
