using System.Net;
using System.Net.Sockets;

namespace Astralytiq.Platform.Http;

/// <summary>
/// Calls from the server to addresses tenants give (HTTP imports, webhooks), guarded against server-side request
/// forgery: only http(s); the host is resolved once and every address must be public (no loopback, private,
/// link-local, carrier-grade NAT, multicast or unspecified ranges) unless the host or address is on the operator's
/// allow-list; the connection goes to that vetted address (no DNS rebinding in between); redirects are not followed.
/// </summary>
public static class OutboundHttp
{
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
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

    /// <summary>The addresses a URL may be reached at, or why it may not be (an error on <paramref name="field"/>).</summary>
    public static async Task<Result<IPAddress[]>> VetAsync(Uri url, IReadOnlyCollection<string> allowList, CancellationToken ct, string field = "url", string verb = "imported")
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(allowList);
        if (url.Scheme is not ("http" or "https"))
        {
            return ValidationError.For(field, $"only http and https URLs can be {verb}");
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, ct).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return ValidationError.For(field, $"the host '{url.Host}' could not be resolved");
        }
        if (addresses.Length == 0)
        {
            return ValidationError.For(field, $"the host '{url.Host}' could not be resolved");
        }
        var allowed = allowList.Contains(url.IdnHost, StringComparer.OrdinalIgnoreCase)
            || addresses.All(a => allowList.Contains(a.ToString(), StringComparer.OrdinalIgnoreCase));
        if (!allowed && addresses.Any(a => !IsPublic(a)))
        {
            return ValidationError.For(field, $"'{url.Host}' is a private, loopback or link-local address; ask the operator to allow-list it if it must be reached");
        }
        return addresses;
    }

    /// <summary>A handler that connects only to <paramref name="vetted"/> addresses and follows no redirects.</summary>
    public static SocketsHttpHandler Handler(IPAddress[] vetted, TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectTimeout = connectTimeout,
        // Connect to the address that was vetted, not to whatever the name resolves to a moment later.
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(vetted, context.DnsEndPoint.Port, token).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
