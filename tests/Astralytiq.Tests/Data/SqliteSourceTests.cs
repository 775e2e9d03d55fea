using System.Net;
using Astralytiq.Contracts.Client;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Astralytiq.Tests.Data;

/// <summary>SQLite databases uploaded as files: a table or one read-only SELECT, typed by declared affinity.</summary>
public sealed class SqliteSourceTests(SqlitePlatform platform) : PlatformTest<SqlitePlatform>(platform)
{
    private static byte[] Database(params string[] statements)
    {
        var path = Path.Combine(Path.GetTempPath(), $"src-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                foreach (var sql in statements)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    command.ExecuteNonQuery();
                }
            }
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly byte[] Shop = Database(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL, placed DATE, paid BOOLEAN, at DATETIME)",
        "INSERT INTO orders VALUES (1, 'Ada', 12.5, '2024-01-31', 1, '2024-01-31 10:15:00'), (2, 'Zoë', NULL, '2024-02-01', 0, NULL), (3, NULL, -3, NULL, NULL, '2023-12-01 00:00:01')",
        "CREATE TABLE customers (name TEXT, tier TEXT)",
        "INSERT INTO customers VALUES ('Ada', 'gold'), ('Zoë', 'silver')");

    private static Task<ApiResponse<Contracts.Data.DatasetResponse>> UploadAsync(AstralytiqClient client, byte[] file, string? table = null, string? query = null, string fileName = "shop.sqlite") =>
        client.Datasets.UploadAsync(new MemoryStream(file), fileName, name: "shop " + Guid.NewGuid().ToString("N")[..8], table: table, query: query);

    [Fact]
    public async Task A_table_or_a_select_becomes_a_typed_dataset()
    {
        var client = (await Platform.NewTenantAsync()).Admin;

        var orders = (await UploadAsync(client, Shop, table: "orders")).EnsureValue();
        Assert.Equal(["integer", "string", "decimal", "date", "boolean", "timestamp"], orders.Schema.Select(c => c.Type));
        Assert.Equal((3L, "sqlite"), (orders.RowCount, orders.Source.Format));
        var rows = (await client.Datasets.PreviewAsync(orders.Id)).EnsureValue().Rows.Select(r => string.Join("|", r.Select(v => v?.ToString() ?? "∅"))).ToList();
        Assert.Equal(["1|Ada|12.5|2024-01-31|True|2024-01-31T10:15:00", "2|Zoë|∅|2024-02-01|False|∅", "3|∅|-3|∅|∅|2023-12-01T00:00:01"], rows);

        var joined = (await UploadAsync(client, Shop, query: "SELECT o.id, c.tier FROM orders o JOIN customers c ON c.name = o.customer ORDER BY o.id")).EnsureValue();
        Assert.Equal(["1|gold", "2|silver"], (await client.Datasets.PreviewAsync(joined.Id)).EnsureValue().Rows.Select(r => string.Join("|", r.Select(v => v?.ToString()))));

        // Only the uploaded file is open: no other database is attached.
        var attached = (await UploadAsync(client, Shop, query: "SELECT name FROM pragma_database_list")).EnsureValue();
        Assert.Equal(["main"], (await client.Datasets.PreviewAsync(attached.Id)).EnsureValue().Rows.Select(r => r[0]?.ToString()));

        // One table: no need to name it.
        var single = (await UploadAsync(client, Database("CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (7)"))).EnsureValue();
        Assert.Equal(1L, single.RowCount);
    }

    [Theory]
    [InlineData(null, null, "table", "several tables; name one with table (customers, orders)")]
    [InlineData("nope", null, "table", "has no table 'nope'")]
    [InlineData(null, "DELETE FROM orders", "query", "must be a SELECT")]
    [InlineData(null, "ATTACH DATABASE '/tmp/other.db' AS other", "query", "must be a SELECT")]
    [InlineData(null, "SELECT 1; DROP TABLE orders", "query", "one SELECT statement")]
    [InlineData(null, "SELECT nonsense FROM orders", "query", "SQLite: ")]
    [InlineData(null, "SELECT * FROM orders WHERE 0", "query", "no rows")]
    public async Task Bad_requests_are_refused_and_nothing_is_stored(string? table, string? query, string field, string message)
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var response = await UploadAsync(client, Shop, table, query);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        var detail = Assert.Single(response.Error!.Error.Details!);
        Assert.Equal(field, detail.Field);
        Assert.Contains(message, detail.Message, StringComparison.Ordinal);
        Assert.Empty((await client.Datasets.ListAsync()).EnsureValue().Items);
    }

    [Fact]
    public async Task Values_that_break_their_declared_type_and_files_that_are_not_sqlite_are_refused()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var bad = await UploadAsync(client, Database("CREATE TABLE t (n INTEGER)", "INSERT INTO t VALUES (1), ('two')"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Contains("row 2, column n: 'two' is not a bigint", bad.Error!.Error.Details![0].Message, StringComparison.Ordinal);

        var fake = await UploadAsync(client, "id,name\n1,x\n"u8.ToArray(), fileName: "fake.db");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fake.Status);
        Assert.Contains("is not a SQLite database", fake.Error!.Error.Details![0].Message, StringComparison.Ordinal);
    }
}
