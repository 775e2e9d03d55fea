using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Astralytiq.Platform.Http;

/// <summary>
/// Kestrel answers requests it cannot parse (a request line over 8 KiB: 414; headers over 32 KiB: 431; a
/// malformed request line, a missing length, an unknown HTTP version) itself, before any middleware, with
/// an empty body, and offers no hook to change that. This connection middleware watches the first response
/// written on each HTTP/1.1 connection: when it is one of those bodiless refusals (status 400, 411, 413,
/// 414, 431 or 505 with <c>Content-Length: 0</c> and <c>Connection: close</c>) it is replaced by the same
/// status with the error envelope. Every other byte passes through untouched; after the first response
/// the wrapper only forwards (a refusal later on a kept-alive connection keeps Kestrel's empty body).
/// </summary>
public static class ServerErrorEnvelope
{
    public static IConnectionBuilder UseServerErrorEnvelope(this IConnectionBuilder builder, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(next => async connection =>
        {
            var original = connection.Transport;
            connection.Transport = new DuplexPipe(original.Input, new FirstResponseWriter(original.Output, time));
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = original;
            }
        });
    }

    /// <summary>The envelope response that replaces Kestrel's empty one, or null when the bytes are not such a refusal.</summary>
    internal static byte[]? Replacement(ReadOnlySpan<byte> written, TimeProvider time)
    {
        if (!written.StartsWith("HTTP/1.1 "u8) || written.Length < 16 || written.IndexOf("\r\n\r\n"u8) != written.Length - 4)
        {
            return null;
        }
        var head = Encoding.ASCII.GetString(written);
        if (!head.Contains("\r\nContent-Length: 0\r\n", StringComparison.OrdinalIgnoreCase)
            || !head.Contains("\r\nConnection: close\r\n", StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(head.AsSpan(9, 3), out var status))
        {
            return null;
        }
        var (code, message) = status switch
        {
            400 => (ErrorCodes.BadRequest, "The request is malformed"),
            411 => (ErrorCodes.BadRequest, "The request needs a Content-Length header or a chunked body"),
            413 => (ErrorCodes.PayloadTooLarge, "The request body is larger than allowed"),
            414 => (ErrorCodes.BadRequest, "The request URL is too long (at most 8 KiB)"),
            431 => (ErrorCodes.BadRequest, "The request headers are too large (at most 32 KiB in all)"),
            505 => (ErrorCodes.BadRequest, "Only HTTP/1.1 and HTTP/2 are supported"),
            _ => (null, null),
        };
        if (code is null)
        {
            return null;
        }
        var reason = head[13..head.IndexOf('\r', StringComparison.Ordinal)];
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new ErrorEnvelope(new ErrorBody(code, message!, null, RequestIdMiddleware.NewId(), time.GetUtcNow())), ApiJson.Options);
        var response = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n")
            .Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append("Connection: close\r\n")
            .Append("Date: ").Append(time.GetUtcNow().ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n\r\n")
            .ToString();
        return [.. Encoding.ASCII.GetBytes(response), .. body];
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Forwards to the transport; looks only at what the first Advance commits.</summary>
    private sealed class FirstResponseWriter(PipeWriter inner, TimeProvider time) : PipeWriter
    {
        private bool _watching = true;
        private Memory<byte> _lent;

        public override void Advance(int bytes)
        {
            if (_watching)
            {
                _watching = false;
                if (Replacement(_lent.Span[..Math.Min(bytes, _lent.Length)], time) is { } replacement)
                {
                    // Nothing of Kestrel's response is committed; the envelope goes in its place.
                    var target = inner.GetSpan(replacement.Length);
                    replacement.CopyTo(target);
                    inner.Advance(replacement.Length);
                    return;
                }
            }
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            var memory = inner.GetMemory(sizeHint);
            if (_watching)
            {
                _lent = memory;
            }
            return memory;
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
