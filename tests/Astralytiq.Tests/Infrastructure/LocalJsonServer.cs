using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A real HTTP server on 127.0.0.1 answering JSON by path, recording each request's Authorization header.</summary>
public sealed class LocalJsonServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly Func<string, string> _respond;

    public LocalJsonServer(Func<string, string> respond)
    {
        _respond = respond;
        var probe = System.Net.Sockets.TcpListener.Create(0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return; // stopped
            }
            Authorizations.Enqueue(context.Request.Headers["Authorization"]);
            var bytes = Encoding.UTF8.GetBytes(_respond(context.Request.Url!.AbsolutePath));
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving;
        _listener.Close();
    }
}
