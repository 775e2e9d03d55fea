using System.Net;
using System.Net.Sockets;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Fetches JSON records page by page into an NDJSON file, guarded against server-side request forgery by
/// <see cref="OutboundHttp"/> (public addresses or the operator's allow-list only, the vetted address connected to,
/// no redirects); each page is size- and time-limited.
/// </summary>
internal static class HttpSource
{
    public const int MaxPageBytes = 32 * 1024 * 1024;
    public const int MaxPagesLimit = 100;

    /// <summary>The addresses a URL may be fetched from, or why it may not be (<see cref="OutboundHttp.VetAsync"/>).</summary>
    public static Task<Result<IPAddress[]>> VetAsync(Uri url, IReadOnlyCollection<string> allowList, CancellationToken ct) =>
        OutboundHttp.VetAsync(url, allowList, ct);

    /// <summary>Follows the pages and writes every record as one NDJSON line; returns the number of records.</summary>
    public static async Task<Result<long>> FetchAsync(
        Uri first, IReadOnlyDictionary<string, string> headers, string? recordsPath, string? nextLinkPath, int maxPages,
        IReadOnlyCollection<string> allowList, TimeSpan timeout, string ndjsonPath, CancellationToken ct)
    {
        long records = 0;
        await using var output = new StreamWriter(ndjsonPath);
        var url = first;
        for (var page = 0; page < maxPages && url is not null; page++)
        {
            var vetted = await VetAsync(url, allowList, ct).ConfigureAwait(false);
            if (!vetted.IsSuccess)
            {
                return vetted.Error!;
            }
            using var handler = OutboundHttp.Handler(vetted.Value, TimeSpan.FromSeconds(10));
            using var http = new HttpClient(handler) { Timeout = timeout, MaxResponseContentBufferSize = MaxPageBytes };
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            JsonDocument document;
            try
            {
                using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    return ValidationError.For("url", $"page {page + 1} answered HTTP {(int)response.StatusCode}" + ((int)response.StatusCode is >= 300 and < 400 ? " (redirects are not followed)" : string.Empty));
                }
                var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = InputLimits.MaxJsonDepth });
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return ValidationError.For("url", $"page {page + 1} could not be read: " + ex switch
                {
                    TaskCanceledException => "it took too long",
                    JsonException json when json.Message.Contains("depth", StringComparison.Ordinal) =>
                        $"its JSON is nested more than {InputLimits.MaxJsonDepth} levels deep",
                    JsonException json => $"it is not valid JSON (line {(json.LineNumber ?? 0) + 1})",
                    _ => ex.Message,
                });
            }
            using (document)
            {
                var array = Navigate(document.RootElement, recordsPath);
                if (array is not { ValueKind: JsonValueKind.Array } items)
                {
                    return ValidationError.For("records_path", $"page {page + 1} has no array of records at '{recordsPath ?? "(the body)"}'");
                }
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        return ValidationError.For("records_path", $"page {page + 1} has a record that is not a JSON object");
                    }
                    await output.WriteLineAsync(item.GetRawText()).ConfigureAwait(false);
                    records++;
                }
                url = Navigate(document.RootElement, nextLinkPath) is { ValueKind: JsonValueKind.String } next && next.GetString() is { Length: > 0 } link
                    ? new Uri(url, link)
                    : null;
            }
        }
        return records;
    }

    private static JsonElement? Navigate(JsonElement root, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return root;
        }
        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }
        return current;
    }
}
