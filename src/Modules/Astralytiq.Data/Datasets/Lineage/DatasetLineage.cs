namespace Astralytiq.Data.Datasets.Lineage;

/// <summary>
/// Lineage of a dataset: each version comes from its source (an upload, a database query, an API) or,
/// for appended rows, from the version before it; registered consumers hang below the version they use.
/// </summary>
internal sealed class DatasetLineage(DataDbContext db, ITenantContext tenant, TimeProvider time) : IDatasetLineage
{
    public async Task<Result<Unit>> RegisterUseAsync(Guid datasetId, int? version, string consumerKind, Guid consumerId, string consumerName, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(consumerKind) || consumerKind.Length > 40)
        {
            errors.Add("consumer_kind", "consumer_kind must be 1 to 40 characters");
        }
        if (string.IsNullOrWhiteSpace(consumerName) || consumerName.Length > 200)
        {
            errors.Add("consumer_name", "consumer_name must be 1 to 200 characters");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        if (!await db.Datasets.AnyAsync(d => d.Id == datasetId && d.DeletedAt == null, cancellationToken).ConfigureAwait(false))
        {
            return new NotFoundError("Dataset");
        }
        if (version is { } v && !await db.Versions.AnyAsync(x => x.DatasetId == datasetId && x.Version == v, cancellationToken).ConfigureAwait(false))
        {
            return new NotFoundError("Dataset version");
        }
        var use = await db.Uses.SingleOrDefaultAsync(u => u.DatasetId == datasetId && u.ConsumerKind == consumerKind && u.ConsumerId == consumerId, cancellationToken).ConfigureAwait(false);
        if (use is null)
        {
            use = new DatasetUse
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()), TenantId = tenant.TenantId!.Value, DatasetId = datasetId,
                ConsumerKind = consumerKind, ConsumerId = consumerId, CreatedAt = time.GetUtcNow(),
            };
            db.Uses.Add(use);
        }
        use.Version = version;
        use.ConsumerName = consumerName;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }

    public async Task RemoveUseAsync(string consumerKind, Guid consumerId, CancellationToken cancellationToken) =>
        await db.Uses.Where(u => u.ConsumerKind == consumerKind && u.ConsumerId == consumerId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);

    public async Task<Result<LineageResponse>> GraphAsync(Guid datasetId, CancellationToken ct)
    {
        var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == datasetId && d.DeletedAt == null, ct).ConfigureAwait(false);
        if (dataset is null)
        {
            return new NotFoundError("Dataset");
        }
        var versions = await db.Versions.AsNoTracking().Where(v => v.DatasetId == datasetId).OrderBy(v => v.Version).ToListAsync(ct).ConfigureAwait(false);
        var uses = await db.Uses.AsNoTracking().Where(u => u.DatasetId == datasetId).OrderBy(u => u.ConsumerKind).ThenBy(u => u.ConsumerName).ToListAsync(ct).ConfigureAwait(false);
        var nodes = new List<LineageNodeDto>();
        var edges = new List<LineageEdgeDto>();
        // Transform inputs (upstream) and versions of other datasets made from this one (downstream).
        var upstream = await db.Parents.AsNoTracking().Where(p => p.DatasetId == datasetId).ToListAsync(ct).ConfigureAwait(false);
        var downstream = await db.Parents.AsNoTracking().Where(p => p.ParentDatasetId == datasetId && p.DatasetId != datasetId).ToListAsync(ct).ConfigureAwait(false);
        var otherIds = upstream.Select(p => p.ParentDatasetId).Concat(downstream.Select(p => p.DatasetId)).Where(id => id != datasetId).Distinct().ToList();
        var names = await db.Datasets.AsNoTracking().Where(d => otherIds.Contains(d.Id))
            .Select(d => new { d.Id, d.Name, d.DeletedAt }).ToDictionaryAsync(d => d.Id, ct).ConfigureAwait(false);
        var childVersionIds = downstream.Select(p => p.VersionId).ToList();
        var childVersions = (await db.Versions.AsNoTracking().Where(v => childVersionIds.Contains(v.Id)).ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(v => v.Id, v => (v.Version, v.Source.Kind));
        var otherNodes = new HashSet<string>();
        string Other(Guid id, int version)
        {
            var node = $"dataset:{id}:v{version}";
            if (otherNodes.Add(node))
            {
                var known = names.GetValueOrDefault(id);
                nodes.Add(new LineageNodeDto(node, "dataset", $"{known?.Name ?? "unknown dataset"} v{version}" + (known?.DeletedAt is null ? string.Empty : " (deleted)"),
                    new Dictionary<string, string?> { ["dataset_id"] = id.ToString(), ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            }
            return node;
        }
        foreach (var v in versions)
        {
            var node = $"version:{v.Version}";
            nodes.Add(new LineageNodeDto(node, "version", $"{dataset.Name} v{v.Version}", new Dictionary<string, string?>
            {
                ["version_id"] = v.Id.ToString(), ["rows"] = v.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["content_sha256"] = v.ContentSha256, ["created_by"] = v.CreatedBy?.ToString(), ["created_at"] = v.CreatedAt.ToString("O"),
                ["steps"] = v.StepsJson is null ? null : string.Join(" → ", (JsonSerializer.Deserialize<List<TransformStepDto>>(v.StepsJson, ApiJson.Options) ?? []).Select(s => s.Op)),
            }));
            var source = v.Source;
            if (source.Kind == "append" && v.Version > 1)
            {
                edges.Add(new LineageEdgeDto($"version:{v.Version - 1}", node, "append"));
            }
            // A version made from other versions (a transform, a pipeline over a dataset) comes from them, not from a source.
            var madeFrom = upstream.Where(p => p.VersionId == v.Id).ToList();
            if (madeFrom.Count > 0)
            {
                foreach (var parent in madeFrom)
                {
                    var from = parent.ParentDatasetId == datasetId ? $"version:{parent.ParentVersion}" : Other(parent.ParentDatasetId, parent.ParentVersion);
                    edges.Add(new LineageEdgeDto(from, node, source.Kind));
                }
                continue;
            }
            var sourceNode = $"source:{v.Version}";
            nodes.Add(new LineageNodeDto(sourceNode, "source", source.Kind switch
            {
                "upload" => source.FileName ?? "upload",
                "append" => "appended rows",
                _ => source.Location ?? source.Kind,
            }, new Dictionary<string, string?>
            {
                ["kind"] = source.Kind, ["format"] = source.Format, ["file_name"] = source.FileName, ["size_bytes"] = source.SizeBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["sha256"] = source.Sha256, ["location"] = source.Location, ["query"] = source.Query,
            }));
            edges.Add(new LineageEdgeDto(sourceNode, node, source.Kind));
        }
        foreach (var child in downstream.Where(p => childVersions.ContainsKey(p.VersionId)))
        {
            edges.Add(new LineageEdgeDto($"version:{child.ParentVersion}", Other(child.DatasetId, childVersions[child.VersionId].Version), childVersions[child.VersionId].Kind));
        }
        foreach (var use in uses)
        {
            var node = $"{use.ConsumerKind}:{use.ConsumerId}";
            nodes.Add(new LineageNodeDto(node, "consumer", use.ConsumerName, new Dictionary<string, string?>
            {
                ["consumer_kind"] = use.ConsumerKind, ["consumer_id"] = use.ConsumerId.ToString(), ["version"] = use.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "latest",
            }));
            edges.Add(new LineageEdgeDto($"version:{use.Version ?? dataset.CurrentVersion}", node, "used_by"));
        }
        return new LineageResponse(dataset.Id, nodes, edges);
    }
}
