using System.Net;
using System.Text;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on a free port of 127.0.0.1 (the base of the tests' stand-ins for outside services): it answers each
/// request with <see cref="AnswerAsync"/>, one at a time, until it is disposed.
/// </summary>
public abstract class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    protected LoopbackHttpServer()
    {
        var probe = System.Net.Sockets.TcpListener.Create(0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Answers one request (and closes its response).</summary>
    protected abstract Task AnswerAsync(HttpListenerContext context);

    protected static async Task<string> BodyAsync(HttpListenerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>A form body's fields (the first of a repeated name), URL-decoded.</summary>
    protected static Dictionary<string, string> Form(string raw) =>
        raw.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .GroupBy(p => WebUtility.UrlDecode(p[0])).ToDictionary(g => g.Key, g => WebUtility.UrlDecode(g.First().ElementAtOrDefault(1) ?? string.Empty));

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
            await AnswerAsync(context);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (ObjectDisposedException)
        {
            // closing the listener ends the loop
        }
        GC.SuppressFinalize(this);
    }
}
