namespace Astralytiq.Data.Datasets.Imports;

/// <summary>New datasets imported from a database query or an HTTP API.</summary>
internal static class ImportEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapPost("/import/database", ImportDatabase);
        datasets.MapPost("/import/http", ImportHttp);
    }

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 409), EndpointName("ImportDatabase")]
    [EndpointSummary("Import the result of one read-only SELECT on a PostgreSQL server (read-only transaction, statement timeout, row limit; the password is not stored)")]
    private static async Task<Results<Created<DatasetResponse>, ApiError>> ImportDatabase(DatabaseImportRequest request, ImportHandler handler, CancellationToken ct) =>
        (await handler.ImportDatabaseAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/data/datasets/{d.Id}");

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 409), EndpointName("ImportHttp")]
    [EndpointSummary("Import JSON records from an HTTP API (records path, next-link paging; private and loopback addresses refused unless allow-listed; headers not stored)")]
    private static async Task<Results<Created<DatasetResponse>, ApiError>> ImportHttp(HttpImportRequest request, ImportHandler handler, CancellationToken ct) =>
        (await handler.ImportHttpAsync(request, ct)).ToCreated(d => $"{ApiRoutes.V1}/data/datasets/{d.Id}");
}
