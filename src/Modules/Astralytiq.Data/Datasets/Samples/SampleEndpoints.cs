namespace Astralytiq.Data.Datasets.Samples;

/// <summary>Sample datasets shipped with the platform, added to an organisation in one call (its first page offers them).</summary>
internal static class SampleEndpoints
{
    public static void Map(RouteGroupBuilder data)
    {
        var samples = data.MapGroup("/samples");
        samples.MapGet("/", List);
        samples.MapPost("/{name}", Add);
    }

    [RequiresPermission(Permission.DatasetsRead), EndpointName("ListSampleDatasets")]
    [EndpointSummary("The sample datasets that can be added: name, title, what they hold, rows and columns")]
    private static Ok<IReadOnlyList<SampleDatasetDto>> List() => TypedResults.Ok(SampleHandler.Catalogue);

    [RequiresPermission(Permission.DatasetsWrite), AuditedExplicitly, Errors(404, 409, 413), EndpointName("AddSampleDataset")]
    [EndpointSummary("Add a sample dataset to the organisation (201 with the dataset), read like an upload and counted against the plan; 409 when a dataset of its name exists")]
    private static async Task<Results<Created<DatasetResponse>, ApiError>> Add(string name, SampleHandler handler, CancellationToken ct)
    {
        var added = await handler.AddAsync(name, ct);
        return added.IsSuccess ? TypedResults.Created($"{ApiRoutes.V1}/data/datasets/{added.Value.Id}", added.Value) : new ApiError(added.Error!);
    }
}
