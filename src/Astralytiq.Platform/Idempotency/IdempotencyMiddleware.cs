namespace Astralytiq.Platform.Idempotency;

/// <summary>A creating POST seen before under an <c>Idempotency-Key</c>: its request fingerprint and the response it got.</summary>
internal sealed class IdempotencyRecord
{
    public Guid Id { get; set; }

    /// <summary>Whose key it is: the user, or the client IP for anonymous calls.</summary>
    public string Scope { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public string RequestHash { get; set; } = string.Empty;

    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    public byte[]? Body { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// <c>Idempotency-Key</c> on POSTs: the same key with the same method, path and body replays the first
/// response (marked <c>Idempotent-Replayed: true</c>); the same key with another request is 422; a retry
/// while the first is still running is 409. Server errors are not stored, so they can be retried. Keys
/// live 24 hours and are scoped to the caller.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private const int MaxStoredBody = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context, ITenantContext tenant, TimeProvider time)
    {
        var key = context.Request.Headers[Header].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key) || !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (key.Length > 200)
        {
            await ErrorWriter.WriteAsync(context, 400, ErrorCodes.BadRequest, "Idempotency-Key must be at most 200 characters").ConfigureAwait(false);
            return;
        }
        context.Request.EnableBuffering();
        var hash = await FingerprintAsync(context.Request).ConfigureAwait(false);
        var scope = tenant.UserId is { } user ? "user:" + user.ToString("N") : "ip:" + context.Connection.RemoteIpAddress;
        // Resolved only for keyed POSTs, so other requests never build the platform DbContext.
        var db = context.RequestServices.GetRequiredService<PlatformDbContext>();
        var (record, earlier) = await ReserveAsync(db, tenant, scope, key, hash, time.GetUtcNow()).ConfigureAwait(false);
        if (record is null)
        {
            await ReplayOrRefuseAsync(context, earlier!, hash).ConfigureAwait(false);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original).ConfigureAwait(false);

        using var system = tenant.BeginSystemScope();
        if (context.Response.StatusCode >= 500 || buffer.Length > MaxStoredBody)
        {
            await db.IdempotencyRecords.Where(r => r.Id == record.Id).ExecuteDeleteAsync().ConfigureAwait(false);
            return;
        }
        record.StatusCode = context.Response.StatusCode;
        record.ContentType = context.Response.ContentType;
        record.Location = context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
        record.Body = buffer.ToArray();
        await db.SaveChangesAsync().ConfigureAwait(false);
    }

    /// <summary>Claims the key for this request, or returns the earlier record that holds it.</summary>
    private static async Task<(IdempotencyRecord? Claimed, IdempotencyRecord? Earlier)> ReserveAsync(
        PlatformDbContext db, ITenantContext tenant, string scope, string key, string hash, DateTimeOffset now)
    {
        using var system = tenant.BeginSystemScope();
        var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Scope == scope && r.Key == key).ConfigureAwait(false);
        if (existing is not null && now - existing.CreatedAt > Lifetime)
        {
            await db.IdempotencyRecords.Where(r => r.Id == existing.Id).ExecuteDeleteAsync().ConfigureAwait(false);
            existing = null;
        }
        if (existing is not null)
        {
            return (null, existing);
        }
        var record = new IdempotencyRecord { Id = Guid.CreateVersion7(now), Scope = scope, Key = key, RequestHash = hash, CreatedAt = now };
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync().ConfigureAwait(false);
            return (record, null);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return (null, await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Scope == scope && r.Key == key).ConfigureAwait(false));
        }
    }

    private static async Task ReplayOrRefuseAsync(HttpContext context, IdempotencyRecord record, string hash)
    {
        if (!string.Equals(record.RequestHash, hash, StringComparison.Ordinal))
        {
            await ErrorWriter.WriteAsync(context, 422, ErrorCodes.IdempotencyMismatch,
                "This Idempotency-Key was already used for a different request").ConfigureAwait(false);
            return;
        }
        if (record.StatusCode is not { } status)
        {
            await ErrorWriter.WriteAsync(context, 409, ErrorCodes.Conflict,
                "A request with this Idempotency-Key is still being processed; retry shortly").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.ContentType is not null)
        {
            context.Response.ContentType = record.ContentType;
        }
        if (record.Location is not null)
        {
            context.Response.Headers.Location = record.Location;
        }
        if (record.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(request.Method + " " + request.Path + request.QueryString + "\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
