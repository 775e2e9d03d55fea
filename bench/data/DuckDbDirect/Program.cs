using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Astralytiq.Platform.Security;
using Astralytiq.Platform.Storage;
using DuckDB.NET.Data;

// Usage: DuckDbDirect <csv> <work dir>
// Prints: duckdb_csv_to_parquet_s, parquet_bytes, encrypt_s, decrypt_s, groupby_direct_ms, rowlevel_transform_s, grouped_transform_s
var csv = args[0];
var work = args[1];
var parquet = Path.Combine(work, "direct.parquet");
await using var duck = new DuckDBConnection("DataSource=:memory:");
await duck.OpenAsync();
async Task ExecAsync(string sql)
{
    using var c = duck.CreateCommand();
    c.CommandText = sql;
    await c.ExecuteNonQueryAsync();
}
await ExecAsync("SET threads = 2; SET memory_limit = '512MB'");
var sw = Stopwatch.StartNew();
await ExecAsync($"COPY (SELECT * FROM read_csv('{csv}', auto_detect = true, header = true, delim = ',', sample_size = 20480)) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)");
var ingest = sw.Elapsed.TotalSeconds;

var cipher = new TenantFileCipher(new Keys());
var sealedPath = parquet + ".enc";
sw.Restart();
await using (var input = File.OpenRead(parquet))
await using (var output = File.Create(sealedPath))
{
    await cipher.EncryptAsync(Guid.Empty, input, output, "bench", CancellationToken.None);
}
var encrypt = sw.Elapsed.TotalSeconds;
sw.Restart();
await using (var input = File.OpenRead(sealedPath))
await using (var output = File.Create(parquet + ".dec"))
{
    await cipher.DecryptAsync(Guid.Empty, input, output, "bench", CancellationToken.None);
}
var decrypt = sw.Elapsed.TotalSeconds;

var times = new List<double>();
for (var i = 0; i < 5; i++)
{
    sw.Restart();
    using var c = duck.CreateCommand();
    c.CommandText = $"SELECT category, sum(amount), avg(score), count(*) FROM read_parquet('{parquet}') GROUP BY category ORDER BY category";
    using var r = await c.ExecuteReaderAsync();
    while (await r.ReadAsync())
    {
    }
    times.Add(sw.Elapsed.TotalMilliseconds);
}
times.Sort();

// The transforms the server is timed on, as plain DuckDB SQL writing Parquet.
sw.Restart();
await ExecAsync($"COPY (SELECT *, amount * 0.8 AS net FROM read_parquet('{parquet}') WHERE quantity > 10) TO '{Path.Combine(work, "rows.parquet")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)");
var rowLevel = sw.Elapsed.TotalSeconds;
sw.Restart();
await ExecAsync($"COPY (SELECT category, sum(amount), avg(score), count(*) FROM read_parquet('{parquet}') WHERE quantity > 10 GROUP BY category ORDER BY category) TO '{Path.Combine(work, "grouped.parquet")}' (FORMAT parquet, COMPRESSION zstd)");
var grouped = sw.Elapsed.TotalSeconds;
Console.WriteLine(string.Join(' ',
    ingest.ToString("F2", CultureInfo.InvariantCulture), new FileInfo(parquet).Length,
    encrypt.ToString("F2", CultureInfo.InvariantCulture), decrypt.ToString("F2", CultureInfo.InvariantCulture),
    times[2].ToString("F0", CultureInfo.InvariantCulture), rowLevel.ToString("F2", CultureInfo.InvariantCulture), grouped.ToString("F2", CultureInfo.InvariantCulture)));

internal sealed class Keys : ITenantKeyStore
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public Task<byte[]> GetDataKeyAsync(Guid tenantId, CancellationToken cancellationToken) => Task.FromResult(_key);
}
