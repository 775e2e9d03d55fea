namespace Astralytiq.Data.Datasets.Quality;

/// <summary>Profile and validation of a version.</summary>
internal static class QualityEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/{id:guid}/profile", Profile);
        datasets.MapPost("/{id:guid}/validate", Validate);
        datasets.MapGet("/{id:guid}/rules", GetRules);
        datasets.MapPut("/{id:guid}/rules", SaveRules);
    }

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("GetDatasetRules")]
    [EndpointSummary("The dataset's saved column rules (empty when none were saved)")]
    private static async Task<Results<Ok<DatasetRulesDto>, ApiError>> GetRules(Guid id, QualityHandler handler, CancellationToken ct) =>
        (await handler.RulesAsync(id, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(400, 404), EndpointName("SaveDatasetRules")]
    [EndpointSummary("Replace the dataset's saved column rules (an empty list removes them); each names a column of the current version; validations without rules of their own check these")]
    private static async Task<Results<Ok<DatasetRulesDto>, ApiError>> SaveRules(Guid id, DatasetRulesDto? request, QualityHandler handler, CancellationToken ct) =>
        (await handler.SaveRulesAsync(id, request ?? new DatasetRulesDto([]), ct)).ToOk();

    [RequiresPermission(Permission.DatasetsRead), Errors(404), EndpointName("ProfileDataset")]
    [EndpointSummary("Column statistics (count, nulls, distinct, min, max, mean, std, quantiles, histogram, top values), duplicate rows and numeric correlations")]
    private static async Task<Results<Ok<DatasetProfileResponse>, ApiError>> Profile(Guid id, int? version, QualityHandler handler, CancellationToken ct) =>
        (await handler.ProfileAsync(id, version, ct)).ToOk();

    [RequiresPermission(Permission.DatasetsRead), AuditedExplicitly, Errors(400, 404), EndpointName("ValidateDataset")]
    [EndpointSummary("Check a version against an optional declared schema (without one, the dataset's saved rules) (types, required, unique, ranges, pattern, allowed values) and for quality problems; returns valid, score and issues with sample row numbers")]
    private static async Task<Results<Ok<ValidationReportResponse>, ApiError>> Validate(Guid id, ValidateDatasetRequest? request, QualityHandler handler, CancellationToken ct) =>
        (await handler.ValidateAsync(id, request ?? new ValidateDatasetRequest(), ct)).ToOk(); // no body: the current version and the saved rules
}
