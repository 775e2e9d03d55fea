using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A real HTTP server on 127.0.0.1 answering JSON by path, recording each request's Authorization header.</summary>
public sealed class LocalJsonServer(Func<string, string> respond) : LoopbackHttpServer
{
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        Authorizations.Enqueue(context.Request.Headers["Authorization"]);
        var bytes = Encoding.UTF8.GetBytes(respond(context.Request.Url!.AbsolutePath));
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }
}
