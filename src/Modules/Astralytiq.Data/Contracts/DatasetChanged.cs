using Astralytiq.Platform.Events;

namespace Astralytiq.Data.Contracts;

/// <summary>A dataset has a new current version (rows appended, a transform applied, a new upload). Dashboards refresh on it.</summary>
public sealed record DatasetChanged(Guid TenantId, Guid DatasetId, int Version, string Change, long RowCount) : IIntegrationEvent;
