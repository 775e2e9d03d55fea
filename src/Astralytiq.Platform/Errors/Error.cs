namespace Astralytiq.Platform.Errors;

/// <summary>An expected failure, carried as a value and mapped to the error envelope in one place.</summary>
public abstract record Error(string Code, string Message, IReadOnlyList<ErrorDetail>? Details = null)
{
    public abstract int StatusCode { get; }
}

public sealed record NotFoundError(string Resource)
    : Error(ErrorCodes.NotFound, $"{Resource} does not exist")
{
    public override int StatusCode => 404;
}

public sealed record ValidationError(IReadOnlyList<ErrorDetail> Fields)
    : Error(ErrorCodes.Validation, "The provided data is invalid", Fields)
{
    public override int StatusCode => 422;

    public static ValidationError For(string field, string message) => new([new ErrorDetail(field, message)]);
}

public sealed record ConflictError(string Message, IReadOnlyList<ErrorDetail>? Fields = null)
    : Error(ErrorCodes.Conflict, Message, Fields)
{
    public override int StatusCode => 409;
}

public sealed record UnauthorizedError(string Message = "Authentication is required")
    : Error(ErrorCodes.Unauthorized, Message)
{
    public override int StatusCode => 401;
}

public sealed record ForbiddenError(string Message = "You do not have permission to do this")
    : Error(ErrorCodes.Forbidden, Message)
{
    public override int StatusCode => 403;
}

public sealed record BadRequestError(string Message, IReadOnlyList<ErrorDetail>? Fields = null)
    : Error(ErrorCodes.BadRequest, Message, Fields)
{
    public override int StatusCode => 400;
}

public sealed record LockedError(DateTimeOffset Until)
    : Error(ErrorCodes.AccountLocked, "Too many failed sign-in attempts; try again later")
{
    public override int StatusCode => 429;
}

/// <summary>
/// The node is busy or a dependency it needs is down: 503 with <c>Retry-After</c>. Nothing was changed, and
/// the same request may succeed later.
/// </summary>
public sealed record UnavailableError(string MessageValue, int RetryAfterSeconds = 5, string CodeValue = ErrorCodes.Unavailable, IReadOnlyList<ErrorDetail>? Fields = null)
    : Error(CodeValue, MessageValue, Fields)
{
    public override int StatusCode => 503;

    /// <summary>One module cannot serve (its store or engine is down); the rest of the platform works. The detail names the module.</summary>
    public static UnavailableError ForModule(string module, string? why = null) =>
        new($"The {Health.PlatformHealth.DisplayName(module)} part of the platform is unavailable right now{(why is null ? string.Empty : ": " + why)}; nothing was changed. Everything else works; try again shortly.",
            5, ErrorCodes.ModuleUnavailable, [new ErrorDetail("module", module)]);
}

/// <summary>A custom code with an explicit status (plan restrictions, idempotency mismatches, ...).</summary>
public sealed record CodedError(int Status, string CodeValue, string MessageValue, IReadOnlyList<ErrorDetail>? Fields = null)
    : Error(CodeValue, MessageValue, Fields)
{
    public override int StatusCode => Status;
}

/// <summary>A value or an <see cref="Error"/>.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"Result holds an error: {Error!.Code}");

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(Error error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

#pragma warning disable CA2225 // operator overloads have named alternates: Ok and Fail
    public static implicit operator Result<T>(T value) => Ok(value);

    public static implicit operator Result<T>(Error error) => Fail(error);
#pragma warning restore CA2225
}

/// <summary>The unit value for results that carry nothing.</summary>
public readonly record struct Unit
{
    public static Unit Value => default;
}
