namespace Astralytiq.Contracts.Errors;

/// <summary>Every error the API returns: <c>{"error": {...}}</c>.</summary>
public sealed record ErrorEnvelope(ErrorBody Error);

public sealed record ErrorBody(
    string Code,
    string Message,
    IReadOnlyList<ErrorDetail>? Details,
    string RequestId,
    DateTimeOffset Timestamp);

public sealed record ErrorDetail(string Field, string Message);

/// <summary>The error codes the API uses, one per failure kind.</summary>
public static class ErrorCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string Validation = "VALIDATION_ERROR";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string NotFound = "NOT_FOUND";
    public const string Conflict = "CONFLICT";
    public const string Gone = "GONE";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string RateLimited = "RATE_LIMITED";
    public const string AccountLocked = "ACCOUNT_LOCKED";
    public const string MfaRequired = "MFA_REQUIRED";
    public const string IdempotencyMismatch = "IDEMPOTENCY_KEY_REUSED";
    /// <summary>The organisation turned the feature off (Organisation settings); an Admin can turn it on.</summary>
    public const string FeatureDisabled = "FEATURE_DISABLED";
    public const string FeatureNotInPlan = "FEATURE_NOT_IN_PLAN";
    /// <summary>A downgrade the organisation's present use does not fit; the details list each limit it exceeds.</summary>
    public const string PlanLimitsExceeded = "PLAN_LIMITS_EXCEEDED";
    public const string Internal = "INTERNAL_ERROR";
    public const string Unavailable = "SERVICE_UNAVAILABLE";
    /// <summary>One module's store or engine is down: its routes answer 503 with Retry-After; the other modules keep working.</summary>
    public const string ModuleUnavailable = "MODULE_UNAVAILABLE";
}
