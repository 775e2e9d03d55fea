using System.Net;
using System.Net.Sockets;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on 127.0.0.1 in front of a real server (PostgreSQL): stopping it is that server going
/// away for whoever connects through it (new connections refused, open ones cut), and starting it again on
/// the same port is the server coming back.
/// </summary>
public sealed class TcpProxy(string targetHost, int targetPort) : IAsyncDisposable
{
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;

    public int Port { get; private set; }

    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop = new CancellationTokenSource();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>Refuses new connections and cuts the open ones.</summary>
    public void Stop()
    {
        _stop?.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                try
                {
                    if (client.Client is { Connected: true } socket)
                    {
                        // A reset, as when the server's host goes away, rather than an orderly close.
                        socket.LingerState = new LingerOption(true, 0);
                    }
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
                {
                    // its pump closed it a moment ago: it is gone either way
                }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(targetHost, targetPort, ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = PumpAsync(inbound, outbound, ct);
            _ = PumpAsync(outbound, inbound, ct);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken ct)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), ct);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // one side went away: the other is closed below
        }
        from.Dispose();
        to.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _stop?.Dispose();
        return ValueTask.CompletedTask;
    }
}
