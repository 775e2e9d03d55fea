namespace Astralytiq.Data.Datasets.Quality;

/// <summary>Profile and validation of a version.</summary>
internal static class QualityEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/{id:guid}/profile", Profile);
        datasets.MapPost("/{id:guid}/validate", Validate);
    }

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("ProfileDataset")]
    [EndpointSummary("Column statistics (count, nulls, distinct, min, max, mean, std, quantiles, histogram, top values), duplicate rows and numeric correlations")]
    private static async Task<Results<Ok<DatasetProfileResponse>, ApiError>> Profile(Guid id, int? version, QualityHandler handler, CancellationToken ct) =>
        (await handler.ProfileAsync(id, version, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsRead), AuditedExplicitly, Errors(400, 404), EndpointName("ValidateDataset")]
    [EndpointSummary("Check a version against an optional declared schema (types, required, unique, ranges, pattern, allowed values) and for quality problems; returns valid, score and issues with sample row numbers")]
    private static async Task<Results<Ok<ValidationReportResponse>, ApiError>> Validate(Guid id, ValidateDatasetRequest? request, QualityHandler handler, CancellationToken ct) =>
        (await handler.ValidateAsync(id, request ?? new ValidateDatasetRequest(), ct)).ToOk(); // no body: the current version, no declared rules
}
