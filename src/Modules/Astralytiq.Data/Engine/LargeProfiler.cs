using System.Collections;

namespace Astralytiq.Data.Engine;

/// <summary>
/// The profile of a version above <see cref="Profiler.ExactRowLimit"/> rows, in five passes instead of one
/// query per column, estimating only the quantiles:
/// <list type="bullet">
/// <item>counts, nulls, distinct, min, max, mean, standard deviation: exact, one pass;</item>
/// <item>duplicate rows: none when a column without nulls is unique, else counted by a 64-bit hash of
/// each row;</item>
/// <item>quantiles: exact over a systematic sample of about <see cref="QuantileSample"/> rows (every k-th
/// row: the same every time);</item>
/// <item>histograms (exact counts) and correlations: one pass;</item>
/// <item>top values: exact, as for small versions; a unique column's are its first values (each once)
/// without grouping.</item>
/// </list>
/// </summary>
internal static class LargeProfiler
{
    public const long QuantileSample = 100_000;

    public static async Task<(List<ColumnProfileDto> Columns, long Duplicates, List<CorrelationDto> Correlations)> ProfileAsync(
        DuckDBConnection duck, ParquetSource source, IReadOnlyList<ColumnDto> schema, long rows, CancellationToken ct)
    {
        // Pass 1: the per-column aggregates, all exact (distinct counts too: DuckDB's HyperLogLog was 10 % off
        // on a 10M-value column, 25 % on a 1,000-value one; the exact counts cost about a second at 10M rows).
        var parts = new List<string>();
        foreach (var column in schema)
        {
            var c = DuckDb.Identifier(column.Name);
            parts.AddRange([$"count({c})", $"count(DISTINCT {c})", $"min({c})", $"max({c})"]);
            if (Numeric(column))
            {
                parts.AddRange([$"avg({c}::DOUBLE)", $"stddev_samp({c}::DOUBLE)"]);
            }
        }
        var first = await AggregatesAsync(duck, parts, "t", ct).ConfigureAwait(false);
        var stats = new List<(ColumnDto Column, long Count, long Distinct, object? Min, object? Max, double? Mean, double? Std)>();
        var at = 0;
        foreach (var column in schema)
        {
            var count = Long(first[at++]);
            var distinct = Long(first[at++]);
            var (min, max) = (first[at++], first[at++]);
            double? mean = null, std = null;
            if (Numeric(column))
            {
                (mean, std) = (AsDouble(first[at++]), AsDouble(first[at++]));
            }
            stats.Add((column, count, distinct, min, max, mean, std));
        }

        // Pass 2: duplicate rows. A column without nulls whose values are all different rules them out.
        long duplicates = 0;
        if (!stats.Any(s => s.Count == rows && s.Distinct == rows))
        {
            var all = string.Join(", ", schema.Select(c => DuckDb.Identifier(c.Name)));
            duplicates = rows - await DuckDb.ScalarLongAsync(duck, $"SELECT count(DISTINCT hash({all})) FROM t", ct).ConfigureAwait(false);
        }

        // Pass 3: quantiles over every k-th row.
        var numeric = stats.Where(s => Numeric(s.Column)).ToList();
        var quantiles = new Dictionary<string, Dictionary<string, double?>>();
        if (numeric.Count > 0)
        {
            var stride = Math.Max(1, rows / QuantileSample);
            var levels = string.Join(", ", Profiler.QuantileLevels.Select(q => q.P.ToString(CultureInfo.InvariantCulture)));
            var sampled = $"SELECT * FROM ({source.Ordered("__position", schema.Select(c => c.Name).ToList())}) WHERE __position % {stride} = 0";
            var row = await AggregatesAsync(duck, numeric.Select(s => $"quantile_cont({DuckDb.Identifier(s.Column.Name)}::DOUBLE, [{levels}])").ToList(), $"({sampled})", ct).ConfigureAwait(false);
            for (var k = 0; k < numeric.Count; k++)
            {
                var values = row[k] is IEnumerable list and not string ? list.Cast<object?>().ToList() : [];
                quantiles[numeric[k].Column.Name] = Profiler.QuantileLevels.Select((q, i) => (q.Name, Value: i < values.Count ? AsDouble(values[i]) : null)).ToDictionary(x => x.Name, x => x.Value);
            }
        }

        // Pass 4: histograms (exact counts per bin) and correlations, together.
        var binned = numeric.Where(s => AsDouble(s.Min) is not null && AsDouble(s.Max) is not null).ToList();
        var pairs = new List<(string A, string B)>();
        var correlated = numeric.Take(Profiler.MaxCorrelatedColumns).ToList();
        for (var i = 0; i < correlated.Count; i++)
        {
            for (var j = i + 1; j < correlated.Count; j++)
            {
                pairs.Add((correlated[i].Column.Name, correlated[j].Column.Name));
            }
        }
        // One batched set of passes for both: every histogram and every correlation.
        var shapes = binned.Select(s => HistogramShape.Of(s.Column, AsDouble(s.Min)!.Value, AsDouble(s.Max)!.Value)).ToList();
        var aggregates = await AggregatesAsync(duck, [.. shapes.Select(h => h.Aggregate), .. pairs.Select(p => $"corr({DuckDb.Identifier(p.A)}::DOUBLE, {DuckDb.Identifier(p.B)}::DOUBLE)")], "t", ct).ConfigureAwait(false);
        var histograms = shapes.Select((h, k) => (h.Name, Bins: h.Read(aggregates[k]))).ToDictionary(h => h.Name, h => h.Bins);
        var correlations = new List<CorrelationDto>();
        for (var k = 0; k < pairs.Count; k++)
        {
            var r = AsDouble(aggregates[shapes.Count + k]);
            correlations.Add(new CorrelationDto(pairs[k].A, pairs[k].B, r is { } v ? Math.Round(v, 12) : null));
        }

        // Pass 5: top values of the other columns, with exact counts.
        var tops = new Dictionary<string, List<TopValueDto>>();
        foreach (var s in stats.Where(s => !Numeric(s.Column)))
        {
            tops[s.Column.Name] = await TopAsync(duck, s.Column, s.Count, s.Distinct, ct).ConfigureAwait(false);
        }

        var profiles = stats.Select(s =>
        {
            var type = s.Column.Type == "string" && s.Count > 0 && s.Distinct <= 50 && s.Distinct * 2 <= s.Count ? "categorical" : s.Column.Type;
            return new ColumnProfileDto(s.Column.Name, type, s.Count, rows - s.Count, rows == 0 ? 0 : (double)(rows - s.Count) / rows, s.Distinct,
                DuckDb.ToJsonValue(s.Min), DuckDb.ToJsonValue(s.Max), s.Mean, s.Std, quantiles.GetValueOrDefault(s.Column.Name), histograms.GetValueOrDefault(s.Column.Name),
                tops.GetValueOrDefault(s.Column.Name));
        }).ToList();
        return (profiles, Math.Max(0, duplicates), correlations);
    }

    private static async Task<List<TopValueDto>> TopAsync(DuckDBConnection duck, ColumnDto column, long count, long distinct, CancellationToken ct)
    {
        var c = DuckDb.Identifier(column.Name);
        var n = Profiler.TopValues;
        string sql;
        if (distinct == count)
        {
            // Every value once: the first ones in order, each counted once.
            sql = $"SELECT {c}, 1 FROM t WHERE {c} IS NOT NULL ORDER BY {c} LIMIT {n}";
        }
        else
        {
            sql = $"SELECT {c}, count(*) AS n FROM t WHERE {c} IS NOT NULL GROUP BY {c} ORDER BY n DESC, {c} LIMIT {n}";
        }
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var traced = DataTelemetry.Query("profile", command.CommandText);
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var top = new List<TopValueDto>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            top.Add(new TopValueDto(DuckDb.ReadJsonValue(reader, 0), Long(reader.GetValue(1))));
        }
        return top;
    }

    private static IEnumerable<(object Key, object? Value)> MapEntries(object? map)
    {
        if (map is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return (entry.Key, entry.Value);
            }
        }
    }

    /// <summary>
    /// One row of aggregates over <paramref name="from"/>, computed <see cref="AggregatesPerPass"/> at a time:
    /// each exact distinct count, quantile and histogram holds state, and wide tables ran past the engine's
    /// memory limit when every column was aggregated at once.
    /// </summary>
    internal static async Task<object?[]> AggregatesAsync(DuckDBConnection duck, IReadOnlyList<string> aggregates, string from, CancellationToken ct)
    {
        var values = new List<object?>(aggregates.Count);
        foreach (var batch in aggregates.Chunk(AggregatesPerPass))
        {
            using var command = duck.CreateCommand();
            command.CommandText = "SELECT " + string.Join(", ", batch) + " FROM " + from;
            using var traced2 = DataTelemetry.Query("profile", command.CommandText);
            using var interrupt = DuckDb.InterruptOn(command, ct);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values.Add(DuckDb.ReadValue(reader, i));
            }
        }
        return [.. values];
    }

    internal const int AggregatesPerPass = 256;

    /// <summary>Equal-width histograms of many numeric columns in batched passes, by column name.</summary>
    internal static async Task<Dictionary<string, List<HistogramBinDto>>> HistogramsAsync(
        DuckDBConnection duck, IReadOnlyList<(ColumnDto Column, double Low, double High)> columns, string from, CancellationToken ct)
    {
        var shapes = columns.Select(c => HistogramShape.Of(c.Column, c.Low, c.High)).ToList();
        var row = shapes.Count == 0 ? [] : await AggregatesAsync(duck, shapes.Select(h => h.Aggregate).ToList(), from, ct).ConfigureAwait(false);
        return shapes.Select((h, k) => (h.Name, Bins: h.Read(row[k]))).ToDictionary(h => h.Name, h => h.Bins, StringComparer.Ordinal);
    }

    /// <summary>
    /// One column's histogram: <see cref="Profiler.HistogramBins"/> equal-width bins between its min and max (one when
    /// they are equal), counted exactly by DuckDB's <c>histogram</c> aggregate over bin numbers, nulls left out.
    /// </summary>
    internal sealed record HistogramShape(string Name, double Low, double High, double Width, int Bins, string Aggregate)
    {
        public static HistogramShape Of(ColumnDto column, double low, double high)
        {
            var bins = high > low ? Profiler.HistogramBins : 1;
            var width = high > low ? (high - low) / Profiler.HistogramBins : 1;
            var c = DuckDb.Identifier(column.Name);
            var bin = $"least(greatest(floor(({c}::DOUBLE - {low.ToString("R", CultureInfo.InvariantCulture)}) / {width.ToString("R", CultureInfo.InvariantCulture)}), 0), {bins - 1})::BIGINT";
            // greatest() skips nulls (it would put them in the first bin): they are filtered out.
            return new HistogramShape(column.Name, low, high, width, bins, $"histogram({bin}) FILTER (WHERE {c} IS NOT NULL)");
        }

        public List<HistogramBinDto> Read(object? map)
        {
            var counts = new long[Bins];
            foreach (var (key, value) in MapEntries(map))
            {
                counts[Convert.ToInt32(key, CultureInfo.InvariantCulture)] = Long(value);
            }
            return counts.Select((n, i) => new HistogramBinDto(Low + (i * Width), i == Bins - 1 ? High : Low + ((i + 1) * Width), n)).ToList();
        }
    }

    private static bool Numeric(ColumnDto column) => column.Type is "integer" or "decimal";

    private static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static double? AsDouble(object? value) => value is null ? null
        : (value is System.Numerics.BigInteger wide ? (double)wide : Convert.ToDouble(value, CultureInfo.InvariantCulture)) is var d && double.IsFinite(d) ? d : null;
}
