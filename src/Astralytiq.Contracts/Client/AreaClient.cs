namespace Astralytiq.Contracts.Client;

/// <summary>One area of the API (datasets, models, …): sends through the client that keeps the session.</summary>
public abstract class AreaClient(AstralytiqClient client)
{
    /// <summary>The client that sends, refreshes tokens and keeps the session.</summary>
    protected AstralytiqClient Api { get; } = client;
}
