using Astralytiq.Contracts.Dashboards;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Dashboards.Boards.Sharing;

/// <summary>Sharing with people and roles, public links, signed embedding, and the anonymous views those open.</summary>
internal static class SharingEndpoints
{
    public static void Map(RouteGroupBuilder dashboards)
    {
        dashboards.MapGet("/{id:guid}/shares", Shares)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(403, 404)
            .WithName("ListDashboardShares")
            .WithSummary("Who a dashboard is shared with (its creator or an admin)");
        dashboards.MapPost("/{id:guid}/shares", Share)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404, 422)
            .WithName("ShareDashboard")
            .WithSummary("Share a dashboard with a user or a role, to view or to edit (its creator or an admin); sharing again changes the access");
        dashboards.MapDelete("/{id:guid}/shares/{shareId:guid}", Unshare)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404)
            .WithName("UnshareDashboard")
            .WithSummary("Take a share back: effective on the next request and on live connections at once");
        dashboards.MapPost("/{id:guid}/links", CreateLink)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404, 422)
            .WithName("CreateDashboardLink")
            .WithSummary("Make a public read-only link (optional expiry and password); the token is shown once");
        dashboards.MapGet("/{id:guid}/links", Links)
            .RequirePermission(Permission.DashboardsRead)
            .ProducesErrors(403, 404)
            .WithName("ListDashboardLinks")
            .WithSummary("A dashboard's public links (never their tokens)");
        dashboards.MapDelete("/{id:guid}/links/{linkId:guid}", RevokeLink)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404)
            .WithName("RevokeDashboardLink")
            .WithSummary("Revoke a public link: refused from the next request");
        dashboards.MapPost("/embedding/secret", RotateEmbeddingSecret)
            .RequirePermission(Permission.SettingsManage)
            .AuditedExplicitly()
            .ProducesErrors(403)
            .WithName("RotateEmbeddingSecret")
            .WithSummary("Make (or rotate) the organisation's embedding secret, shown once; tokens signed with the old one are refused from the next request");
        dashboards.MapPut("/{id:guid}/embedding", ConfigureEmbedding)
            .RequirePermission(Permission.DashboardsWrite)
            .AuditedExplicitly()
            .ProducesErrors(403, 404, 422)
            .WithName("ConfigureDashboardEmbedding")
            .WithSummary("Allow (or stop) embedding a dashboard through signed tokens, and choose the filters a token locks");
    }

    public static RouteGroupBuilder MapPublic(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/public/dashboards").WithTags("Dashboards").AllowAnonymous().ProducesErrors(429);
        group.MapGet("/{token}", ViewPublic)
            .ProducesErrors(401, 404)
            .WithName("ViewPublicDashboard")
            .WithSummary("A dashboard through a public link (password in X-Link-Password when it has one); 404 for unknown, expired or revoked links");
        group.MapGet("/{token}/widgets/{widgetId}/data", PublicWidgetData)
            .ProducesErrors(401, 404, 409, 422)
            .WithName("GetPublicWidgetData")
            .WithSummary("A widget's data through a public link, with dashboard filters (filter=id:value)");
        return group;
    }

    public static void MapEmbedded(IEndpointRouteBuilder routes)
    {
        var embed = routes.MapGroup("/embed/dashboards").WithTags("Dashboards").AllowAnonymous().ProducesErrors(429);
        embed.MapGet("/{token}", ViewEmbedded)
            .ProducesErrors(401, 404)
            .WithName("ViewEmbeddedDashboard")
            .WithSummary("A dashboard through a signed embedding token (401 when the token is invalid, expired or lacks a locked filter; 404 when embedding is off)");
        embed.MapGet("/{token}/widgets/{widgetId}/data", EmbeddedWidgetData)
            .ProducesErrors(401, 404, 409, 422)
            .WithName("GetEmbeddedWidgetData")
            .WithSummary("A widget's data through an embedding token: the token's locked filters always apply; other dashboard filters may be given");
    }

    private static async Task<Results<Ok<IReadOnlyList<DashboardShareDto>>, ApiError>> Shares(Guid id, ShareHandler handler, CancellationToken ct) =>
        (await handler.SharesAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<DashboardShareDto>, ApiError>> Share(Guid id, ShareDashboardRequest request, ShareHandler handler, CancellationToken ct) =>
        (await handler.ShareAsync(id, request, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> Unshare(Guid id, Guid shareId, ShareHandler handler, CancellationToken ct) =>
        (await handler.UnshareAsync(id, shareId, ct)).ToNoContent();

    private static async Task<Results<Created<DashboardLinkCreatedResponse>, ApiError>> CreateLink(Guid id, CreateDashboardLinkRequest request, PublicLinks links, CancellationToken ct) =>
        (await links.CreateAsync(id, request, ct)).ToCreated(l => $"{ApiRoutes.V1}/dashboards/{id}/links/{l.Id}");

    private static async Task<Results<Ok<IReadOnlyList<DashboardLinkDto>>, ApiError>> Links(Guid id, PublicLinks links, CancellationToken ct) =>
        (await links.ListAsync(id, ct)).ToOk();

    private static async Task<Results<NoContent, ApiError>> RevokeLink(Guid id, Guid linkId, PublicLinks links, CancellationToken ct) =>
        (await links.RevokeAsync(id, linkId, ct)).ToNoContent();

    private static async Task<Results<Ok<EmbeddingSecretResponse>, ApiError>> RotateEmbeddingSecret(Embedding embedding, CancellationToken ct) =>
        (await embedding.RotateSecretAsync(ct)).ToOk();

    private static async Task<Results<Ok<DashboardEmbeddingDto>, ApiError>> ConfigureEmbedding(Guid id, DashboardEmbeddingRequest request, Embedding embedding, CancellationToken ct) =>
        (await embedding.ConfigureAsync(id, request, ct)).ToOk();

    private static async Task<Results<Ok<PublicDashboardResponse>, ApiError>> ViewPublic(string token, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "X-Link-Password")] string? password, PublicLinks links, CancellationToken ct) =>
        (await links.ViewAsync(token, password, ct)).ToOk();

    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> PublicWidgetData(
        string token, string widgetId, string[]? filter, int? offset, int? limit, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "X-Link-Password")] string? password, PublicLinks links, CancellationToken ct) =>
        (await links.WidgetDataAsync(token, password, widgetId, filter ?? [], ct, offset, limit)).ToOk();

    private static async Task<Results<Ok<EmbeddedDashboardResponse>, ApiError>> ViewEmbedded(string token, Embedding embedding, CancellationToken ct) =>
        (await embedding.ViewAsync(token, ct)).ToOk();

    private static async Task<Results<Ok<WidgetDataResponse>, ApiError>> EmbeddedWidgetData(string token, string widgetId, string[]? filter, int? offset, int? limit, Embedding embedding, CancellationToken ct) =>
        (await embedding.WidgetDataAsync(token, widgetId, filter ?? [], offset, limit, ct)).ToOk();
}
