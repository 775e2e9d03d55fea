namespace Astralytiq.Data.Sql;

/// <summary>The SQL workspace: one read-only SELECT over the organisation's datasets by name.</summary>
internal static class SqlEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/sql", RunSql).RequireTenantFeature(TenantFeatures.SqlWorkspace);
    }

    [RequiresPermission(Permission.DatasetsRead), AuditedExplicitly, Errors(400), EndpointName("RunSql")]
    [EndpointSummary("Run one read-only SELECT over your datasets by name (sandboxed: no files, settings or other tenants; 30 s and row limits)")]
    private static async Task<Results<Ok<SqlQueryResponse>, ApiError>> RunSql(SqlQueryRequest request, SqlHandler handler, CancellationToken ct) =>
        (await handler.RunSqlAsync(request, ct)).ToOk();
}
