namespace Astralytiq.Dashboards.Reports;

/// <summary>
/// Scheduled reports (ADR 0019): who may see a report is who may see its dashboard (404 otherwise); its creator and
/// admins change, delete and send it. Each run is a background job with retries; its files are kept encrypted.
/// </summary>
internal sealed class ReportHandlers(
    DashboardsDbContext db, ITenantContext tenant, IUserDirectory users, IJobScheduler jobs, IAuditLog audit, TimeProvider time,
    IBlobStorage blobs, TenantEncryptor encryptor, Boards.DashboardLineage lineage, Astralytiq.Platform.Quotas.IQuotas quotas)
{
    public const string JobKind = "dashboards.report";
    public const int MaxAttempts = 3;
    public const int MaxRecipients = 50;
    public static readonly string[] AllFormats = ["pdf", "csv", "xlsx"];

    private sealed record StoredRecipient(Guid? UserId, string? Email);

    private IQueryable<Report> Visible()
    {
        var dashboards = db.Dashboards.Where(d => d.DeletedAt == null).VisibleTo(db, tenant.UserId, tenant.Role).Select(d => d.Id);
        return db.Reports.Where(r => r.DeletedAt == null && dashboards.Contains(r.DashboardId));
    }

    private async Task<Result<Report>> FindAsync(Guid id, bool manage, bool track, CancellationToken ct)
    {
        var query = track ? Visible() : Visible().AsNoTracking();
        var report = await query.SingleOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false);
        if (report is null)
        {
            return new NotFoundError("Report");
        }
        if (manage && tenant.Role != Role.Admin && report.CreatedBy != tenant.UserId)
        {
            return new ForbiddenError("Only the report's creator or an admin may change or send it");
        }
        return report;
    }

    public async Task<Result<ReportDto>> CreateAsync(ReportRequest request, CancellationToken ct)
    {
        var checkedRequest = await CheckAsync(request, ct).ConfigureAwait(false);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        var now = time.GetUtcNow();
        var report = new Report { Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, CreatedBy = tenant.UserId, CreatedAt = now };
        Apply(report, request, checkedRequest.Value, now);
        var key = Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(DashboardsModule.ReportCount, report.Id);
        var counted = await quotas.ConsumeAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Reports, 1, key, ct).ConfigureAwait(false);
        if (!counted.IsSuccess)
        {
            return counted.Error!;
        }
        db.Reports.Add(report);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Reports, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await audit.RecordAsync(new AuditRecord("report.created", AuditOutcome.Success, "report", report.Id.ToString(),
            new Dictionary<string, string> { ["name"] = report.Name, ["dashboard"] = report.DashboardId.ToString(), ["cron"] = report.Cron }), ct).ConfigureAwait(false);
        await lineage.SyncReportOrLaterAsync(report, ct).ConfigureAwait(false);
        return await ToDtoAsync(report, ct).ConfigureAwait(false);
    }

    public async Task<Result<ReportDto>> UpdateAsync(Guid id, ReportRequest request, CancellationToken ct)
    {
        var found = await FindAsync(id, manage: true, track: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var checkedRequest = await CheckAsync(request, ct).ConfigureAwait(false);
        if (!checkedRequest.IsSuccess)
        {
            return checkedRequest.Error!;
        }
        var report = found.Value;
        Apply(report, request, checkedRequest.Value, time.GetUtcNow());
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("report.updated", AuditOutcome.Success, "report", report.Id.ToString(),
            new Dictionary<string, string> { ["name"] = report.Name, ["cron"] = report.Cron, ["enabled"] = report.Enabled ? "true" : "false" }), ct).ConfigureAwait(false);
        await lineage.SyncReportOrLaterAsync(report, ct).ConfigureAwait(false);
        return await ToDtoAsync(report, ct).ConfigureAwait(false);
    }

    private static void Apply(Report report, ReportRequest request, Checked c, DateTimeOffset now)
    {
        report.Name = request.Name.Trim();
        report.DashboardId = request.DashboardId;
        report.WidgetId = string.IsNullOrWhiteSpace(request.WidgetId) ? null : request.WidgetId;
        report.Cron = request.Cron.Trim();
        report.TimeZone = c.TimeZone;
        report.Formats = string.Join(',', c.Formats);
        report.RecipientsJson = JsonSerializer.Serialize(c.Recipients, ApiJson.Options);
        report.FiltersJson = JsonSerializer.Serialize(request.Filters ?? [], ApiJson.Options);
        report.Message = string.IsNullOrWhiteSpace(request.Message) ? null : request.Message.Trim();
        report.Enabled = request.Enabled;
        report.NextRunAt = request.Enabled ? CronSchedule.NextRun(report.Cron, report.TimeZone, now) : null;
        report.UpdatedAt = now;
    }

    public async Task<Result<IReadOnlyList<ReportDto>>> ListAsync(Guid? dashboardId, CancellationToken ct)
    {
        var query = Visible().AsNoTracking();
        if (dashboardId is { } d)
        {
            query = query.Where(r => r.DashboardId == d);
        }
        var reports = await query.OrderBy(r => r.Name).ThenBy(r => r.Id).Take(500).ToListAsync(ct).ConfigureAwait(false);
        var result = new List<ReportDto>();
        foreach (var report in reports)
        {
            result.Add(await ToDtoAsync(report, ct).ConfigureAwait(false));
        }
        return result;
    }

    public async Task<Result<ReportDto>> GetAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, manage: false, track: false, ct).ConfigureAwait(false);
        return found.IsSuccess ? await ToDtoAsync(found.Value, ct).ConfigureAwait(false) : found.Error!;
    }

    public async Task<Result<Unit>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, manage: true, track: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        found.Value.DeletedAt = time.GetUtcNow();
        found.Value.NextRunAt = null;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Reports, Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(DashboardsModule.ReportCount, id), ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("report.deleted", AuditOutcome.Success, "report", id.ToString(), new Dictionary<string, string> { ["name"] = found.Value.Name }), ct).ConfigureAwait(false);
        await lineage.SyncReportOrLaterAsync(found.Value, ct).ConfigureAwait(false);
        return Unit.Value;
    }

    /// <summary>"Send now": a run outside the schedule, with the data current when it runs.</summary>
    public async Task<Result<ReportRunDto>> SendNowAsync(Guid id, CancellationToken ct)
    {
        var found = await FindAsync(id, manage: true, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var run = await QueueRunAsync(db, jobs, found.Value, "manual", null, time.GetUtcNow(), ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("report.sent", AuditOutcome.Success, "report", id.ToString(), new Dictionary<string, string> { ["run"] = run.Id.ToString() }), ct).ConfigureAwait(false);
        return ToDto(run);
    }

    internal static async Task<ReportRun> QueueRunAsync(DashboardsDbContext db, IJobScheduler jobs, Report report, string trigger, DateTimeOffset? scheduledFor, DateTimeOffset now, CancellationToken ct)
    {
        var run = new ReportRun { Id = Guid.CreateVersion7(now), TenantId = report.TenantId, ReportId = report.Id, Trigger = trigger, ScheduledFor = scheduledFor, QueuedAt = now };
        db.ReportRuns.Add(run);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        run.JobId = await jobs.EnqueueAsync(JobKind, new ReportWork(report.Id, run.Id), MaxAttempts, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return run;
    }

    public async Task<Result<IReadOnlyList<ReportRunDto>>> RunsAsync(Guid id, int? limit, CancellationToken ct)
    {
        var l = limit ?? 50;
        if (l is < 1 or > 500)
        {
            return ValidationError.For("limit", "limit must be between 1 and 500");
        }
        var found = await FindAsync(id, manage: false, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var runs = await db.ReportRuns.AsNoTracking().Where(r => r.ReportId == id).OrderByDescending(r => r.Id).Take(l).ToListAsync(ct).ConfigureAwait(false);
        return runs.Select(ToDto).ToList();
    }

    public async Task<Result<ReportFile>> FileAsync(Guid id, Guid runId, string name, CancellationToken ct)
    {
        var found = await FindAsync(id, manage: false, track: false, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var run = await db.ReportRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.ReportId == id, ct).ConfigureAwait(false);
        var file = run is null ? null : StoredReportFiles.Files(run).FirstOrDefault(f => f.Name == name);
        if (run is null || file is null)
        {
            return new NotFoundError("Report file");
        }
        var content = await StoredReportFiles.ReadFileAsync(blobs, encryptor, run, file, ct).ConfigureAwait(false);
        return content is null ? new NotFoundError("Report file") : new ReportFile(file.Name, file.Format, ReportFiles.ContentType(file.Format), content);
    }

    public static ReportRunDto ToDto(ReportRun run) => new(
        run.Id, run.ReportId, run.Trigger, run.Status, run.Attempts, run.QueuedAt, run.StartedAt, run.FinishedAt, run.Error, run.JobId,
        StoredReportFiles.Files(run).Select(f => new ReportFileDto(f.Name, f.Format, f.Bytes, $"{ApiRoutes.V1}/reports/{run.ReportId}/runs/{run.Id}/files/{Uri.EscapeDataString(f.Name)}")).ToList(),
        JsonSerializer.Deserialize<List<string>>(run.DeliveredJson, ApiJson.Options) ?? [],
        JsonSerializer.Deserialize<Dictionary<string, int>>(run.VersionsJson, ApiJson.Options) ?? [],
        run.ScheduledFor);

    private async Task<ReportDto> ToDtoAsync(Report report, CancellationToken ct)
    {
        var unsubscribed = await db.ReportUnsubscribes.AsNoTracking().Where(u => u.ReportId == report.Id).Select(u => u.Email).ToListAsync(ct).ConfigureAwait(false);
        var recipients = new List<ReportRecipientView>();
        foreach (var r in Recipients(report))
        {
            var email = r.Email ?? (r.UserId is { } u ? (await users.FindAsync(u, ct).ConfigureAwait(false))?.Email : null) ?? "(removed user)";
            recipients.Add(new ReportRecipientView(r.UserId, email, unsubscribed.Contains(email.ToLowerInvariant())));
        }
        var last = await db.ReportRuns.AsNoTracking().Where(r => r.ReportId == report.Id).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return new ReportDto(report.Id, report.Name, report.DashboardId, report.WidgetId, report.Cron, report.TimeZone, report.Formats.Split(','), recipients,
            JsonSerializer.Deserialize<List<string>>(report.FiltersJson, ApiJson.Options) ?? [], report.Message, report.Enabled, report.NextRunAt,
            report.CreatedBy, report.CreatedAt, report.UpdatedAt, last is null ? null : ToDto(last));
    }

    internal static IReadOnlyList<ReportRecipientDto> Recipients(Report report) =>
        JsonSerializer.Deserialize<List<ReportRecipientDto>>(report.RecipientsJson, ApiJson.Options) ?? [];

    /// <summary>The next time a schedule fires after <paramref name="after"/>, in UTC; null when it never does.</summary>

    private sealed record Checked(string TimeZone, IReadOnlyList<string> Formats, IReadOnlyList<ReportRecipientDto> Recipients);

    private async Task<Result<Checked>> CheckAsync(ReportRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Name?.Trim() is not { Length: >= 1 and <= 200 })
        {
            errors.Add("name", "name must be 1 to 200 characters");
        }
        errors.MaxLength("message", request.Message, 2000);
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim();
        CronSchedule.Check(errors, "cron", "time_zone", request.Cron?.Trim(), zone, time.GetUtcNow());
        var formats = (request.Formats ?? []).Select(f => f?.Trim().ToLowerInvariant() ?? string.Empty).Distinct().ToList();
        if (formats.Count == 0)
        {
            errors.Add("formats", "choose at least one format: pdf, csv, xlsx");
        }
        foreach (var (f, i) in formats.Select((f, i) => (f, i)).Where(x => !AllFormats.Contains(x.f)))
        {
            errors.Add($"formats[{i}]", $"'{f}' is not a format (pdf, csv, xlsx)");
        }
        var recipients = request.Recipients ?? [];
        if (recipients.Count is 0 or > MaxRecipients)
        {
            errors.Add("recipients", $"a report goes to 1 to {MaxRecipients} recipients");
        }
        var cleaned = new List<ReportRecipientDto>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Math.Min(recipients.Count, MaxRecipients); i++)
        {
            var r = recipients[i];
            if ((r.UserId is null) == string.IsNullOrWhiteSpace(r.Email))
            {
                errors.Add($"recipients[{i}]", "give either user_id (a user of this organisation) or email");
                continue;
            }
            if (r.UserId is { } userId)
            {
                var user = await users.FindAsync(userId, ct).ConfigureAwait(false);
                if (user is null || !user.IsActive)
                {
                    errors.Add($"recipients[{i}].user_id", "no active user of this organisation has this id");
                }
                else if (seen.Add(user.Email))
                {
                    cleaned.Add(new ReportRecipientDto(userId));
                }
                continue;
            }
            var email = r.Email!.Trim();
            if (email.Length > 320 || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal))
            {
                errors.Add($"recipients[{i}].email", $"'{email}' is not an email address");
            }
            else if (seen.Add(email))
            {
                cleaned.Add(new ReportRecipientDto(Email: email));
            }
        }
        var dashboard = await db.Dashboards.AsNoTracking().Where(d => d.DeletedAt == null).VisibleTo(db, tenant.UserId, tenant.Role)
            .SingleOrDefaultAsync(d => d.Id == request.DashboardId, ct).ConfigureAwait(false);
        if (dashboard is null)
        {
            errors.Add("dashboard_id", "no dashboard you may see has this id");
        }
        else
        {
            var definition = JsonSerializer.Deserialize<DashboardDefinitionDto>(dashboard.DefinitionJson, ApiJson.Options)!;
            if (!string.IsNullOrWhiteSpace(request.WidgetId) && definition.Widgets.All(w => w.Id != request.WidgetId))
            {
                errors.Add("widget_id", $"the dashboard has no widget '{request.WidgetId}' ({string.Join(", ", definition.Widgets.Select(w => w.Id))})");
            }
            var filterIds = (definition.Filters ?? []).Select(f => f.Id).ToList();
            foreach (var (filter, i) in (request.Filters ?? []).Select((f, i) => (f, i)))
            {
                var colon = filter?.IndexOf(':', StringComparison.Ordinal) ?? -1;
                if (colon <= 0 || !filterIds.Contains(filter![..colon]))
                {
                    errors.Add($"filters[{i}]", $"'{filter}' is not filterId:value for one of the dashboard's filters ({string.Join(", ", filterIds)})");
                }
            }
        }
        return errors.IsEmpty ? new Checked(zone, formats, cleaned) : errors.ToError();
    }
}

/// <summary>The job's input: which report and which of its runs.</summary>
internal sealed record ReportWork(Guid ReportId, Guid RunId);
