namespace Astralytiq.Data.Engine;

/// <summary>
/// The plaintext Parquet file(s) of one dataset version, in order. A version is usually one file; appended
/// rows add a part instead of rewriting the whole dataset, so a version may be several (ADR 0016). Every
/// reader goes through <see cref="Scan"/>, or <see cref="Ordered"/> when it needs the rows' positions.
/// </summary>
internal sealed record ParquetSource(IReadOnlyList<string> Paths, IReadOnlyList<long> Rows)
{
    public static ParquetSource Single(string path) => new([path], [-1]);

    /// <summary>A table function reading every part, in order.</summary>
    public string Scan => Paths.Count == 1
        ? $"read_parquet({DuckDb.Literal(Paths[0])})"
        : $"read_parquet([{string.Join(", ", Paths.Select(DuckDb.Literal))}])";

    /// <summary>
    /// A SELECT of every column plus <paramref name="ordinal"/>: the row's 0-based position in the version,
    /// from the files' own row numbers (no sort), offset by the rows of the parts before it.
    /// </summary>
    public string Ordered(string ordinal, IReadOnlyCollection<string> columnNames)
    {
        var o = DuckDb.Identifier(ordinal);
        if (columnNames.Contains("file_row_number") || (Paths.Count > 1 && columnNames.Contains("filename")))
        {
            // A column already has the name DuckDB would use: number the rows as they are scanned instead.
            return $"SELECT *, row_number() OVER () - 1 AS {o} FROM {Scan}";
        }
        if (Paths.Count == 1)
        {
            return $"SELECT * RENAME (file_row_number AS {o}) FROM read_parquet({DuckDb.Literal(Paths[0])}, file_row_number = true)";
        }
        var offsets = new List<string>();
        long offset = 0;
        for (var i = 0; i < Paths.Count; i++)
        {
            offsets.Add($"WHEN {DuckDb.Literal(Paths[i])} THEN {offset.ToString(CultureInfo.InvariantCulture)}");
            offset += Rows[i];
        }
        return $"SELECT * EXCLUDE (file_row_number, filename), file_row_number + CASE filename {string.Join(" ", offsets)} END AS {o} " +
               $"FROM read_parquet([{string.Join(", ", Paths.Select(DuckDb.Literal))}], file_row_number = true, filename = true)";
    }
}
