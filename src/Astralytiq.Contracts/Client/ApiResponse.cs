using System.Net.Http.Headers;

namespace Astralytiq.Contracts.Client;

/// <summary>What one API call returned: the value on success, the error envelope otherwise.</summary>
public sealed class ApiResponse<T>
{
    public required HttpStatusCode Status { get; init; }

    public T? Value { get; init; }

    public ErrorEnvelope? Error { get; init; }

    public required HttpResponseHeaders Headers { get; init; }

    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>This response when it succeeded (any 2xx, with or without a body), or an exception describing the error envelope.</summary>
    public ApiResponse<T> EnsureSuccess() => IsSuccess ? this : throw new ApiException((int)Status, Error);

    /// <summary>The value, or an exception describing the error envelope.</summary>
    public T EnsureValue() => IsSuccess && Value is not null
        ? Value
        : throw new ApiException((int)Status, Error);
}

/// <summary>A call that did not succeed: its status, code, message and each field's problem, as the error envelope gave them.</summary>
public sealed class ApiException(int status, ErrorEnvelope? error)
    : Exception($"API call failed with {status}: {error?.Error.Code} {error?.Error.Message}"
        + string.Concat((error?.Error.Details ?? []).Take(5).Select(d => $"; {d.Field}: {d.Message}")))
{
    public int Status { get; } = status;

    public ErrorEnvelope? Error { get; } = error;
}
