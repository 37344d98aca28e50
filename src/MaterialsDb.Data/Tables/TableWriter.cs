using System.Globalization;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;

namespace MaterialsDb.Data.Tables;

/// <summary>Writes a <see cref="ColumnTable"/> as CSV or Parquet, chosen by the file extension.</summary>
/// <remarks>Files are written under a temporary name and renamed into place, so a failed write never leaves a partial file.</remarks>
public static class TableWriter
{
    /// <summary>Rows per Parquet row group: large enough to compress well, small enough to stream.</summary>
    public const int ParquetRowGroupSize = 65_536;

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> (<c>.csv</c> or <c>.parquet</c>).</summary>
    /// <param name="table">The rows.</param>
    /// <param name="path">Output file.</param>
    /// <param name="metadata">Key-value metadata stored in a Parquet file's footer (units, provenance); CSV has no place for it.</param>
    /// <param name="cancellationToken">Stops the write; nothing is left behind.</param>
    /// <exception cref="ArgumentException">The extension is neither.</exception>
    public static async Task WriteAsync(ColumnTable table, string path, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".csv" or ".parquet"))
        {
            throw new InvalidOptionException($"Output '{path}' must end in .csv or .parquet.");
        }

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = AtomicFile.TempPathFor(full);
        try
        {
            if (extension == ".csv")
            {
                WriteCsv(table, temp);
            }
            else
            {
                await WriteParquetAsync(table, temp, metadata, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            AtomicFile.TryDelete(temp);
        }
    }

    private static void WriteCsv(ColumnTable table, string path)
    {
        using var writer = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(path);
        var columns = table.Columns;
        if (table.RowCount == 0)
        {
            // Sep writes the header with the first row; an empty table still gets its header line.
            writer.Dispose();
            File.WriteAllText(path, string.Join(',', columns.Select(c => c.Name)) + "\n");
            return;
        }

        for (var r = 0; r < table.RowCount; r++)
        {
            using var row = writer.NewRow();
            foreach (var column in columns)
            {
                switch (column)
                {
                    case StringColumn s:
                        row[column.Name].Set(s.Values[r] ?? string.Empty);
                        break;
                    case DoubleColumn d:
                        // Round-trip form keeps full precision; NaN is written as NaN so that readers see a missing value.
                        row[column.Name].Set(d.Values[r].ToString("R", CultureInfo.InvariantCulture));
                        break;
                    case BoolColumn b:
                        row[column.Name].Set(b.Values[r] ? "true" : "false");
                        break;
                    case LongColumn l:
                        row[column.Name].Set(l.Values[r].ToString(CultureInfo.InvariantCulture));
                        break;
                }
            }
        }
    }

    private static async Task WriteParquetAsync(ColumnTable table, string path, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var fields = table.Columns.Select(c => c switch
        {
            StringColumn => (DataField)new DataField<string>(c.Name, true),
            BoolColumn => new DataField<bool>(c.Name, false),
            LongColumn => new DataField<long>(c.Name, false),
            _ => new DataField<double>(c.Name, false),
        }).ToArray();
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (metadata is not null)
        {
            writer.CustomMetadata = metadata.ToDictionary();
        }

        for (var start = 0; start < Math.Max(table.RowCount, 1); start += ParquetRowGroupSize)
        {
            var length = Math.Min(ParquetRowGroupSize, table.RowCount - start);
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < fields.Length; c++)
            {
                switch (table.Columns[c])
                {
                    case StringColumn s:
                        await group.WriteAsync(fields[c], new ArraySegment<string>(s.Values!, start, length)).ConfigureAwait(false);
                        break;
                    case DoubleColumn d:
                        await group.WriteAsync(fields[c], new ReadOnlyMemory<double>(d.Values, start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case BoolColumn b:
                        await group.WriteAsync(fields[c], new ReadOnlyMemory<bool>(b.Values, start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case LongColumn l:
                        await group.WriteAsync(fields[c], new ReadOnlyMemory<long>(l.Values, start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
    }
}
