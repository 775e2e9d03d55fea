using Astralytiq.Contracts.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Astralytiq.Data.Datasets.Quality;

/// <summary>Profile and validation of a version.</summary>
internal static class QualityEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/{id:guid}/profile", Profile)
            .RequirePermission(Permission.DatasetsRead)
            .ProducesErrors(404)
            .WithName("ProfileDataset")
            .WithSummary("Column statistics (count, nulls, distinct, min, max, mean, std, quantiles, histogram, top values), duplicate rows and numeric correlations");
        datasets.MapPost("/{id:guid}/validate", Validate)
            .RequirePermission(Permission.DatasetsRead)
            .AuditedExplicitly()
            .ProducesErrors(400, 404)
            .WithName("ValidateDataset")
            .WithSummary("Check a version against an optional declared schema (types, required, unique, ranges, pattern, allowed values) and for quality problems; returns valid, score and issues with sample row numbers");
    }

    private static async Task<Results<Ok<DatasetProfileResponse>, ApiError>> Profile(Guid id, int? version, QualityHandler handler, CancellationToken ct) =>
        (await handler.ProfileAsync(id, version, ct)).ToOk();

    private static async Task<Results<Ok<ValidationReportResponse>, ApiError>> Validate(Guid id, ValidateDatasetRequest request, QualityHandler handler, CancellationToken ct) =>
        (await handler.ValidateAsync(id, request, ct)).ToOk();
}
