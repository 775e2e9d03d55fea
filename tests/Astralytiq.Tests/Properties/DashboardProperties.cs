using System.Globalization;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Properties;

/// <summary>One step against a live dashboard: rows appended to its dataset (maybe none), then its widget read, maybe for one region.</summary>
public sealed record CacheCase(IReadOnlyList<(string Region, int Amount)> Appended, string? Region, bool ReadTwice);

public static class DashboardArbitraries
{
    public static Arbitrary<CacheCase> Cases() => CasesOf(Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 4))));

    /// <summary>Steps that always append (P24: a step that changes nothing would check nothing).</summary>
    public static Arbitrary<CacheCase> Changes() => CasesOf(Gen.Choose(1, 4));

    private static Arbitrary<CacheCase> CasesOf(Gen<int> count) =>
        (from n in count
         from rows in (from r in Gen.Elements("north", "south", "east") from a in Gen.Choose(-50, 200) select (r, a)).ListOf(n)
         from region in Gen.Elements<string?>(null, "north", "south", "east")
         from twice in ArbMap.Default.GeneratorFor<bool>()
         select new CacheCase(rows.ToList(), region, twice)).ToArbitrary();
}

/// <summary>P24's cases: every step appends at least one row.</summary>
public static class LiveArbitraries
{
    public static Arbitrary<CacheCase> Cases() => DashboardArbitraries.Changes();
}

public abstract class DashboardProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private AstralytiqClient? _client;
    private Guid _dataset;
    private Guid _dashboard;
    private readonly List<(string Region, int Amount)> _rows = [("north", 1), ("south", 2)];

    private async Task<AstralytiqClient> SetUpAsync()
    {
        if (_client is not null)
        {
            return _client;
        }
        _client = (await Platform.NewTenantAsync()).Admin;
        var csv = "region,amount\n" + string.Concat(_rows.Select(r => $"{r.Region},{r.Amount}\n"));
        _dataset = (await _client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "p38.csv", name: "p38 " + Guid.NewGuid().ToString("N")[..8])).EnsureValue().Id;
        var widget = new WidgetDto("sums", "table", new GridPositionDto(0, 0, 12, 4), Source: new WidgetSourceDto(_dataset,
            new QuerySpecDto([new QueryDimensionDto("region")], [new QueryMeasureDto("sum", "amount", "total"), new QueryMeasureDto("count", null, "rows")], Sort: [new QuerySortDto("region")])));
        _dashboard = (await _client.Dashboards.CreateAsync(new CreateDashboardRequest("p38", new DashboardDefinitionDto([widget], [new DashboardFilterDto("region", "region", "values")])))).EnsureValue().Id;
        return _client;
    }

    /// <summary>
    /// P38: whatever was written before, a widget's data is exactly what the dataset's rows now give — a cached answer
    /// is only ever served for the dataset version it was computed from.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(DashboardArbitraries)])]
    public async Task P38_widget_data_always_matches_the_current_rows_cached_or_not(CacheCase c)
    {
        var client = await SetUpAsync();
        if (c.Appended.Count > 0)
        {
            var json = JsonSerializer.Serialize(c.Appended.Select(r => new Dictionary<string, object> { ["region"] = r.Region, ["amount"] = r.Amount }));
            (await client.Datasets.AppendRowsAsync(_dataset, json)).EnsureValue();
            _rows.AddRange(c.Appended);
        }
        var expected = _rows.Where(r => c.Region is null || r.Region == c.Region).GroupBy(r => r.Region).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}|{g.Sum(r => r.Amount)}|{g.Count()}").ToList();
        for (var read = 0; read < (c.ReadTwice ? 2 : 1); read++)
        {
            var data = (await client.Dashboards.GetWidgetDataAsync(_dashboard, "sums", c.Region is null ? null : [$"region:{c.Region}"])).EnsureValue();
            var actual = Enumerable.Range(0, data.RowCount).Select(r => string.Join("|", data.Values.Select(col => col[r] is JsonElement e
                ? (e.ValueKind == JsonValueKind.Number ? e.GetDouble().ToString(CultureInfo.InvariantCulture) : e.GetString())
                : Convert.ToString(col[r], CultureInfo.InvariantCulture)))).ToList();
            Assert.Equal(expected, actual);
            if (read == 1)
            {
                Assert.True(data.Cached);
            }
        }
    }
}

public abstract class LiveDashboardProperties<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private AstralytiqClient? _client;
    private Dashboards.LiveClient? _live;
    private Dashboards.LiveClient? _outsider;
    private Guid _dataset;
    private Guid _dashboard;
    private int _version = 1;
    private readonly List<(string Region, int Amount)> _rows = [("north", 1)];

    private async Task<AstralytiqClient> SetUpAsync()
    {
        if (_client is not null)
        {
            return _client;
        }
        var tenant = await Platform.NewTenantAsync();
        _client = tenant.Admin;
        _dataset = (await _client.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("region,amount\nnorth,1\n")), "p24.csv", name: "p24 " + Guid.NewGuid().ToString("N")[..8])).EnsureValue().Id;
        var widget = new WidgetDto("sums", "bar", new GridPositionDto(0, 0, 12, 4), Source: new WidgetSourceDto(_dataset,
            new QuerySpecDto([new QueryDimensionDto("region")], [new QueryMeasureDto("sum", "amount", "total")], Sort: [new QuerySortDto("region")])));
        _dashboard = (await _client.Dashboards.CreateAsync(new CreateDashboardRequest("p24", new DashboardDefinitionDto([widget])))).EnsureValue().Id;
        (await _client.Dashboards.ShareAsync(_dashboard, new ShareDashboardRequest("view", Role: "viewer"))).EnsureValue();
        var (viewer, _) = await Platform.AddUserAsync(tenant, Contracts.Identity.Role.Viewer);
        _live = await Dashboards.LiveClient.ConnectAsync(Platform, viewer.AccessToken);
        await _live.SubscribeAsync(_dashboard);
        // A subscriber of another tenant's dashboard over the same kind of data: must never hear of these changes.
        var other = await Platform.NewTenantAsync();
        var otherData = (await other.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("region,amount\nnorth,1\n")), "p24.csv", name: "p24 other")).EnsureValue().Id;
        var otherBoard = (await other.Admin.Dashboards.CreateAsync(new CreateDashboardRequest("p24", new DashboardDefinitionDto([widget with { Source = widget.Source! with { DatasetId = otherData } }])))).EnsureValue().Id;
        _outsider = await Dashboards.LiveClient.ConnectAsync(Platform, other.Admin.AccessToken);
        await _outsider.SubscribeAsync(otherBoard);
        return _client;
    }

    /// <summary>
    /// P24: every change to a dataset reaches the subscribers of a dashboard showing it, without a reload, with the
    /// data of the new version (exactly what the rows now give); subscribers elsewhere receive nothing.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(LiveArbitraries)])]
    public async Task P24_a_change_reaches_every_subscriber_of_a_dashboard_showing_it_with_the_new_data(CacheCase c)
    {
        var client = await SetUpAsync();
        Assert.NotEmpty(c.Appended);
        var json = JsonSerializer.Serialize(c.Appended.Select(r => new Dictionary<string, object> { ["region"] = r.Region, ["amount"] = r.Amount }));
        (await client.Datasets.AppendRowsAsync(_dataset, json)).EnsureValue();
        _rows.AddRange(c.Appended);
        _version++;
        var update = await _live!.WaitForAsync(u => u.DatasetVersion == _version);
        var expected = _rows.GroupBy(r => r.Region).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}|{g.Sum(r => r.Amount)}").ToList();
        var actual = Enumerable.Range(0, update.Data.RowCount).Select(r => string.Join("|", update.Data.Values.Select(col => col[r] is JsonElement e
            ? (e.ValueKind == JsonValueKind.Number ? e.GetDouble().ToString(CultureInfo.InvariantCulture) : e.GetString())
            : Convert.ToString(col[r], CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(_dashboard, update.DashboardId);
        Assert.Empty(_outsider!.Updates);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_live is not null)
        {
            await _live.DisposeAsync();
        }
        if (_outsider is not null)
        {
            await _outsider.DisposeAsync();
        }
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class LiveDashboardProperties_Sqlite(SqlitePlatform platform) : LiveDashboardProperties<SqlitePlatform>(platform);

public sealed class LiveDashboardProperties_Postgres(PostgresPlatform platform) : LiveDashboardProperties<PostgresPlatform>(platform);

public sealed class DashboardProperties_Sqlite(SqlitePlatform platform) : DashboardProperties<SqlitePlatform>(platform);

public sealed class DashboardProperties_Postgres(PostgresPlatform platform) : DashboardProperties<PostgresPlatform>(platform);
