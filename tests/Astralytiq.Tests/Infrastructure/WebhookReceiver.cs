using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its headers and body, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered, DateTimeOffset At);

/// <summary>A real HTTP server on 127.0.0.1 that takes webhook POSTs, answers each with the status <see cref="Answer"/> picks, and keeps them.</summary>
public sealed class WebhookReceiver(Func<int, int>? answer = null) : LoopbackHttpServer
{
    private int _n;

    /// <summary>The status to answer the n-th request with (1-based).</summary>
    public Func<int, int> Answer { get; set; } = answer ?? (_ => 200);

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var body = await BodyAsync(context);
        var status = Answer(Interlocked.Increment(ref _n));
        Received.Enqueue(new ReceivedWebhook(context.Request.Url!.AbsolutePath,
            context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
            body, status, TimeProvider.System.GetUtcNow())); // when it arrived, by the machine's clock, as an outside receiver would see it
        context.Response.StatusCode = status;
        context.Response.Close();
    }
}
