namespace Astralytiq.Data.Contracts;

/// <summary>
/// Lets other modules say they use a dataset (a model trained on version 3, a dashboard reading the
/// latest), so they appear downstream in its lineage and deleting the dataset asks before breaking them.
/// </summary>
public interface IDatasetLineage
{
    /// <summary>Records (or updates) a use; NotFound when the dataset is not the current tenant's.</summary>
    Task<Result<Unit>> RegisterUseAsync(Guid datasetId, int? version, string consumerKind, Guid consumerId, string consumerName, CancellationToken cancellationToken);

    Task RemoveUseAsync(string consumerKind, Guid consumerId, CancellationToken cancellationToken);
}
