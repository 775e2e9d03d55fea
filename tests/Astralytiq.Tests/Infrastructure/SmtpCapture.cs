using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A real SMTP server on 127.0.0.1 that keeps every message it receives.</summary>
public sealed class SmtpCapture : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<MimeMessage> _received = [];
    private readonly Channel<MimeMessage> _arrivals = Channel.CreateUnbounded<MimeMessage>();
    private readonly Task _running;
    private readonly Dictionary<string, int> _refusals = new(StringComparer.OrdinalIgnoreCase);

    public SmtpCapture()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The next <paramref name="times"/> messages to <paramref name="to"/> are refused (421, as a busy server would).</summary>
    public void RefuseNext(string to, int times)
    {
        lock (_refusals)
        {
            _refusals[to] = times;
        }
    }

    private bool ShouldRefuse(IEnumerable<string> recipients)
    {
        lock (_refusals)
        {
            foreach (var to in recipients)
            {
                if (_refusals.TryGetValue(to, out var left) && left > 0)
                {
                    _refusals[to] = left - 1;
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Waits for a message to <paramref name="to"/> that matches, or fails after the timeout.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, Func<MimeMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            lock (_received)
            {
                var found = _received.FirstOrDefault(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase)) && (match?.Invoke(m) ?? true));
                if (found is not null)
                {
                    _received.Remove(found);
                    return found;
                }
            }
            try
            {
                await _arrivals.Reader.WaitToReadAsync(cts.Token);
                _arrivals.Reader.TryRead(out _);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No email to {to} arrived in time");
            }
        }
    }

    public IReadOnlyList<MimeMessage> ReceivedTo(string to)
    {
        lock (_received)
        {
            return _received.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase))).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // stopping is what we asked for
        }
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(SmtpCapture owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (owner.ShouldRefuse(transaction.To.Select(m => $"{m.User}@{m.Host}")))
            {
                return new SmtpResponse(SmtpReplyCode.ServiceUnavailable, "Try again later");
            }
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            lock (owner._received)
            {
                owner._received.Add(message);
            }
            owner._arrivals.Writer.TryWrite(message);
            return SmtpResponse.Ok;
        }
    }
}
