using Astralytiq.Platform.Events;

namespace Astralytiq.Data.Contracts;

/// <summary>A dataset has a new current version (rows appended, a transform applied, a new upload). Dashboards refresh on it.</summary>
/// <remarks><see cref="ChangedAt"/> is when the version was written, so consumers can measure how long the news took.</remarks>
public sealed record DatasetChanged(Guid TenantId, Guid DatasetId, int Version, string Change, long RowCount, DateTimeOffset? ChangedAt = null) : IIntegrationEvent;
