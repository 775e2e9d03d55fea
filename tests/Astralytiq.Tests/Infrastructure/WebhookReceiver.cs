using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its headers and body, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered, DateTimeOffset At);

/// <summary>A real HTTP server on 127.0.0.1 that takes webhook POSTs, answers each with the status <see cref="Answer"/> picks, and keeps them.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public WebhookReceiver(Func<int, int>? answer = null)
    {
        Answer = answer ?? (_ => 200);
        var probe = System.Net.Sockets.TcpListener.Create(0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The status to answer the n-th request with (1-based).</summary>
    public Func<int, int> Answer { get; set; }

    public int Port { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    private async Task ServeAsync()
    {
        var n = 0;
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
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = Answer(Interlocked.Increment(ref n));
            Received.Enqueue(new ReceivedWebhook(context.Request.Url!.AbsolutePath,
                context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                body, status, DateTimeOffset.UtcNow));
            context.Response.StatusCode = status;
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
