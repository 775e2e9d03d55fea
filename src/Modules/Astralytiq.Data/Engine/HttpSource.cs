using System.Net;
using System.Net.Sockets;

namespace Astralytiq.Data.Engine;

/// <summary>
/// Fetches JSON records page by page into an NDJSON file, guarding against server-side request forgery:
/// only http(s); the host is resolved once and every address must be public (no loopback, private,
/// link-local, carrier-grade NAT, multicast or unspecified ranges) unless the host or address is on the
/// operator's allow-list; the connection goes to that vetted address (no DNS rebinding in between);
/// redirects are not followed; each page is size- and time-limited.
/// </summary>
internal static class HttpSource
{
    public const int MaxPageBytes = 32 * 1024 * 1024;
    public const int MaxPagesLimit = 100;

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal);
        }
        var b = address.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 0 || b[0] == 127
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            || b[0] >= 224);
    }

    /// <summary>The addresses a URL may be fetched from, or why it may not be.</summary>
    public static async Task<Result<IPAddress[]>> VetAsync(Uri url, IReadOnlyCollection<string> allowList, CancellationToken ct)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            return ValidationError.For("url", "only http and https URLs can be imported");
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, ct).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return ValidationError.For("url", $"the host '{url.Host}' could not be resolved");
        }
        if (addresses.Length == 0)
        {
            return ValidationError.For("url", $"the host '{url.Host}' could not be resolved");
        }
        var allowed = allowList.Contains(url.IdnHost, StringComparer.OrdinalIgnoreCase)
            || addresses.All(a => allowList.Contains(a.ToString(), StringComparer.OrdinalIgnoreCase));
        if (!allowed && addresses.Any(a => !IsPublic(a)))
        {
            return ValidationError.For("url", $"'{url.Host}' is a private, loopback or link-local address; ask the operator to allow-list it if it must be reached");
        }
        return addresses;
    }

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
            using var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                // Connect to the address that was vetted, not to whatever the name resolves to a moment later.
                ConnectCallback = async (context, token) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(vetted.Value, context.DnsEndPoint.Port, token).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
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
