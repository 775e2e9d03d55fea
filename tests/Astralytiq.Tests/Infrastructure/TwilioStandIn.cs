using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A text message the <see cref="TwilioStandIn"/> accepted.</summary>
public sealed record TwilioMessage(string Sid, string To, string? From, string? MessagingServiceSid, string Body);

/// <summary>
/// A real HTTP server on 127.0.0.1 speaking the part of Twilio's REST API the platform uses: <c>POST
/// /2010-04-01/Accounts/{AccountSid}/Messages.json</c>. It checks what Twilio checks (HTTP Basic credentials of the account,
/// the account in the path, a form body with To, From or MessagingServiceSid, and Body) and answers as Twilio does: 201 with
/// the message resource, 401 with error 20003 for wrong credentials, 400 with 21211 for a number it cannot reach (Twilio's
/// test number +15005550001) and 21602 for a missing body. <see cref="Problems"/> lists every request that broke the format.
/// </summary>
public sealed class TwilioStandIn : LoopbackHttpServer
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "stand-in-auth-token-0123456789";
    public const string From = "+15005550006";
    public const string UnreachableNumber = "+15005550001";

    public ConcurrentQueue<TwilioMessage> Messages { get; } = new();

    /// <summary>Requests that Twilio would have refused for their form (not for the number), and why.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Every answer given, in order: the number asked for and the status.</summary>
    public ConcurrentQueue<(string? To, int Status)> Answers { get; } = new();

    public IReadOnlyList<TwilioMessage> To(string number) => [.. Messages.Where(m => m.To == number)];

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var raw = await BodyAsync(context);
        var form = Form(raw);
        var to = form.GetValueOrDefault("To");
        var expectedPath = $"/2010-04-01/Accounts/{AccountSid}/Messages.json";
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        int status;
        object answer;
        if (context.Request.Headers["Authorization"] != $"Basic {credentials}")
        {
            (status, answer) = (401, Error(20003, "Authenticate", 401));
        }
        else if (context.Request.HttpMethod != "POST" || context.Request.Url!.AbsolutePath != expectedPath)
        {
            Problems.Enqueue($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath}: expected POST {expectedPath}");
            (status, answer) = (404, Error(20404, "The requested resource was not found", 404));
        }
        else if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true
            || string.IsNullOrEmpty(to) || (!form.ContainsKey("From") && !form.ContainsKey("MessagingServiceSid")))
        {
            Problems.Enqueue($"form {context.Request.ContentType}: {raw}");
            (status, answer) = (400, Error(21604, "A 'To' phone number and a 'From' number or messaging service are required.", 400));
        }
        else if (string.IsNullOrWhiteSpace(form.GetValueOrDefault("Body")))
        {
            Problems.Enqueue($"no body: {raw}");
            (status, answer) = (400, Error(21602, "Message body is required.", 400));
        }
        else if (to == UnreachableNumber)
        {
            (status, answer) = (400, Error(21211, $"The 'To' number {to} is not a valid phone number.", 400));
        }
        else
        {
            var sid = "SM" + Guid.NewGuid().ToString("N");
            var message = new TwilioMessage(sid, to, form.GetValueOrDefault("From"), form.GetValueOrDefault("MessagingServiceSid"), form["Body"]);
            Messages.Enqueue(message);
            status = 201;
            answer = new Dictionary<string, object?>
            {
                ["sid"] = sid, ["account_sid"] = AccountSid, ["to"] = to, ["from"] = message.From, ["body"] = message.Body,
                ["status"] = "queued", ["direction"] = "outbound-api", ["api_version"] = "2010-04-01", ["num_segments"] = "1",
                // Twilio's answer carries the time it took the message; the stand-in's clock is the machine's, as Twilio's would be.
                ["date_created"] = TimeProvider.System.GetUtcNow().ToString("r", System.Globalization.CultureInfo.InvariantCulture),
                ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json",
            };
        }
        Answers.Enqueue((to, status));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(answer);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private static Dictionary<string, object?> Error(int code, string message, int status) => new()
    {
        ["code"] = code, ["message"] = message, ["more_info"] = $"https://www.twilio.com/docs/errors/{code}", ["status"] = status,
    };
}
