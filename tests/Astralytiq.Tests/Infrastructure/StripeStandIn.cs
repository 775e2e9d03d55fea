using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A request the <see cref="StripeStandIn"/> accepted: its path and form fields (Stripe's bracket names, as sent).</summary>
public sealed record StripeCall(string Path, IReadOnlyDictionary<string, string> Form, string IdempotencyKey, string Answer);

/// <summary>
/// A real HTTP server on 127.0.0.1 speaking the part of Stripe's API the platform uses — customers, invoices, invoice items,
/// finalizing, Checkout sessions and customer-portal sessions — and checking what Stripe checks of the requests Stripe.net
/// sends: the secret key as a bearer token, form bodies, an <c>Idempotency-Key</c> on every POST (a repeated key gets the
/// first answer again, as Stripe does), a <c>Stripe-Version</c> header, and a customer that exists. <see cref="Problems"/>
/// lists every request Stripe would have refused. <see cref="Sign"/> signs webhook payloads with Stripe's documented scheme.
/// </summary>
public sealed class StripeStandIn : LoopbackHttpServer
{
    public const string SecretKey = "sk_test_standin_0123456789abcdefghijklmnop";
    public const string WebhookSecret = "whsec_standin_0123456789abcdefghijklmnopqrstuv";

    private readonly ConcurrentDictionary<string, string> _byKey = new();
    private readonly ConcurrentDictionary<string, bool> _customers = new();
    private int _next;

    public ConcurrentQueue<StripeCall> Calls { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    public IReadOnlyList<StripeCall> To(string path) => [.. Calls.Where(c => c.Path == path)];

    /// <summary>The Stripe-Signature header for <paramref name="payload"/> at <paramref name="at"/>: <c>t=…,v1=HMAC-SHA256(secret, "t.payload")</c>.</summary>
    public static string Sign(string payload, DateTimeOffset at, string secret = WebhookSecret)
    {
        var t = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + payload));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var form = Form(await BodyAsync(context));
        var path = context.Request.Url!.AbsolutePath;
        var key = context.Request.Headers["Idempotency-Key"] ?? string.Empty;
        int status = 200;
        string answer;
        if (context.Request.Headers["Authorization"] != "Bearer " + SecretKey)
        {
            (status, answer) = (401, Error("invalid_request_error", "Invalid API Key provided"));
        }
        else if (context.Request.HttpMethod != "POST")
        {
            (status, answer) = (405, Error("invalid_request_error", "Only POST is stood in for"));
        }
        else if (string.IsNullOrEmpty(context.Request.Headers["Stripe-Version"]))
        {
            Problems.Enqueue($"{path}: no Stripe-Version header");
            (status, answer) = (400, Error("invalid_request_error", "Stripe-Version missing"));
        }
        else if (key.Length == 0 && path is "/v1/customers" or "/v1/invoices" or "/v1/invoiceitems")
        {
            Problems.Enqueue($"{path}: created without an Idempotency-Key, so a retry would make a second one");
            (status, answer) = (400, Error("invalid_request_error", "Idempotency-Key expected"));
        }
        else if (key.Length > 0 && _byKey.TryGetValue(key, out var earlier))
        {
            answer = earlier; // Stripe's idempotency: the same key gets the first answer again
        }
        else
        {
            (status, answer) = Create(path, form);
            if (status == 200 && key.Length > 0)
            {
                _byKey[key] = answer;
            }
        }
        if (status == 200)
        {
            Calls.Enqueue(new StripeCall(path, form, key, answer));
        }
        var bytes = Encoding.UTF8.GetBytes(answer);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = "req_standin_" + Interlocked.Increment(ref _next);
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private (int Status, string Answer) Create(string path, Dictionary<string, string> form)
    {
        var n = Interlocked.Increment(ref _next);
        string? NeedCustomer()
        {
            var customer = form.GetValueOrDefault("customer");
            if (customer is null || !_customers.ContainsKey(customer))
            {
                Problems.Enqueue($"{path}: no such customer {customer}");
                return Error("invalid_request_error", $"No such customer: '{customer}'");
            }
            return null;
        }
        var metadata = form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)).ToDictionary(f => f.Key[9..^1], f => f.Value);
        switch (path)
        {
            case "/v1/customers":
                var id = "cus_" + n;
                _customers[id] = true;
                return (200, Json(new { id, @object = "customer", email = form.GetValueOrDefault("email"), name = form.GetValueOrDefault("name"), metadata, livemode = false }));
            case "/v1/invoices":
                return NeedCustomer() is { } noCustomer ? (400, noCustomer)
                    : (200, Json(new { id = "in_" + n, @object = "invoice", customer = form["customer"], status = "draft", currency = form.GetValueOrDefault("currency"), metadata, livemode = false }));
            case "/v1/invoiceitems":
                if (!form.ContainsKey("amount") || !form.ContainsKey("invoice"))
                {
                    Problems.Enqueue("/v1/invoiceitems: without an amount or an invoice");
                }
                return NeedCustomer() is { } noItemCustomer ? (400, noItemCustomer)
                    : (200, Json(new { id = "ii_" + n, @object = "invoiceitem", customer = form["customer"], invoice = form.GetValueOrDefault("invoice"), amount = long.Parse(form.GetValueOrDefault("amount") ?? "0", System.Globalization.CultureInfo.InvariantCulture), currency = form.GetValueOrDefault("currency"), description = form.GetValueOrDefault("description"), metadata, livemode = false }));
            case var finalize when finalize.StartsWith("/v1/invoices/", StringComparison.Ordinal) && finalize.EndsWith("/finalize", StringComparison.Ordinal):
                return (200, Json(new { id = finalize.Split('/')[3], @object = "invoice", status = "open", livemode = false }));
            case "/v1/checkout/sessions":
                if (form.GetValueOrDefault("mode") != "setup" || form.GetValueOrDefault("success_url") is null)
                {
                    Problems.Enqueue("/v1/checkout/sessions: a set-up session needs mode=setup and a success_url");
                }
                return NeedCustomer() is { } noSessionCustomer ? (400, noSessionCustomer)
                    : (200, Json(new { id = "cs_test_" + n, @object = "checkout.session", mode = "setup", customer = form["customer"], url = $"https://checkout.stripe.com/c/pay/cs_test_{n}", metadata, livemode = false }));
            case "/v1/billing_portal/sessions":
                return NeedCustomer() is { } noPortalCustomer ? (400, noPortalCustomer)
                    : (200, Json(new { id = "bps_" + n, @object = "billing_portal.session", customer = form["customer"], url = $"https://billing.stripe.com/p/session/test_{n}", return_url = form.GetValueOrDefault("return_url"), livemode = false }));
            default:
                Problems.Enqueue($"{path}: not an endpoint the platform should call");
                return (404, Error("invalid_request_error", "Unrecognized request URL"));
        }
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static string Error(string type, string message) => Json(new { error = new { type, message } });
}
