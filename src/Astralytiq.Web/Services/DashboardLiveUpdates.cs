using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR.Client;

namespace Astralytiq.Web.Services;

/// <summary>
/// The live connection of one open dashboard: subscribes to its widgets' updates over SignalR, reconnects on its own and
/// says whether it is live. The page decides what an update means for what it shows.
/// </summary>
public sealed class DashboardLiveUpdates(AstralytiqClient api, NavigationManager navigation) : IAsyncDisposable
{
    private HubConnection? _hub;

    public bool IsLive { get; private set; }

    /// <summary>Connects and subscribes; null when live, else why not (the dashboard still works without it).</summary>
    public async Task<string?> ConnectAsync(Guid dashboardId, Func<WidgetUpdateDto, Task> onUpdate, Func<Task> onLiveChanged)
    {
        if (_hub is not null || api.AccessToken is null)
        {
            return null;
        }
        _hub = new HubConnectionBuilder()
            .WithUrl(navigation.ToAbsoluteUri("/hubs/dashboards"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(api.AccessToken))
            .WithAutomaticReconnect()
            .AddJsonProtocol(o => o.PayloadSerializerOptions = new JsonSerializerOptions(ApiJson.Options))
            .Build();
        _hub.On<WidgetUpdateDto>("widgetUpdated", onUpdate);
        _hub.Reconnected += async _ =>
        {
            await _hub.InvokeAsync("Subscribe", dashboardId);
            IsLive = true;
            await onLiveChanged();
        };
        _hub.Reconnecting += async _ =>
        {
            IsLive = false;
            await onLiveChanged();
        };
        try
        {
            await _hub.StartAsync();
            await _hub.InvokeAsync("Subscribe", dashboardId);
            IsLive = true;
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or Microsoft.AspNetCore.SignalR.HubException or InvalidOperationException
                                       or Microsoft.AspNetCore.Http.Connections.Client.TransportFailedException or OperationCanceledException
                                       // every transport failed (or was cancelled by leaving the page): one failure per transport
                                       or AggregateException)
        {
            IsLive = false;
            // The page was left while connecting (its disposal cancels the connection): nothing to say. Otherwise the reason
            // in words; a hub's own refusal (e.g. live updates switched off) is already one.
            return _disposed ? null
                : ex is Microsoft.AspNetCore.SignalR.HubException ? ex.Message
                : "the server could not be reached for live updates; the dashboard still shows its data and refreshes when you reload it";
        }
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_hub is not null)
        {
            try
            {
                await _hub.DisposeAsync();
            }
            catch (Exception ex) when (ex is Microsoft.AspNetCore.Http.Connections.Client.TransportFailedException or OperationCanceledException or AggregateException)
            {
                // Left while still connecting: disposing cancels the start, which reports the cancellation it caused.
                IsLive = false;
            }
        }
    }
}
