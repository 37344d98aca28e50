using System.Buffers;
using System.Globalization;
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
    /// <param name="compression">How Parquet pages are compressed; a CSV file takes only the default.</param>
    /// <exception cref="InvalidOptionException">The extension is neither, or a compression is asked of a CSV file.</exception>
    public static async Task WriteAsync(ColumnTable table, string path, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default, ParquetCompression compression = ParquetCompression.Snappy)
    {
        ArgumentNullException.ThrowIfNull(table);
        await using var writer = await TableFileWriter.CreateAsync(path, table.Columns, metadata, cancellationToken, compression).ConfigureAwait(false);
        await writer.AppendAsync(table, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>A cell as CSV text: round-trip numbers, <c>true</c>/<c>false</c>, pairs as <c>key:value</c>; null when missing (an empty field).</summary>
    public static string? Cell(Column column, int row) => column switch
    {
        StringColumn s => s.Values[row],
        DoubleColumn d => double.IsNaN(d.Values[row]) && !d.NaNIsValue ? null : d.Values[row].ToString("R", CultureInfo.InvariantCulture),
        BoolColumn b => b.Values[row] ? "true" : "false",
        LongColumn l => l.Values[row].ToString(CultureInfo.InvariantCulture),
        PairsColumn p => p.Text(row),
        _ => throw new ArgumentException($"Column '{column.Name}' has an unknown type.", nameof(column)),
    };

    internal static string Quote(string name) => name.Contains(',') || name.Contains('"') ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : name;

    internal static Field FieldOf(Column column) => column switch
    {
        StringColumn => new DataField<string>(column.Name, true),
        BoolColumn => new DataField<bool>(column.Name, false),
        LongColumn => new DataField<long>(column.Name, false),
        DoubleColumn => new DataField<double?>(column.Name, true),
        PairsColumn { Layout: PairsLayout.Map } p => new MapField(p.Name, new DataField<string>(p.KeyName, false), new DataField<double>(p.ValueName, false)),
        PairsColumn p => new ListField(p.Name, new StructField("element", new DataField<string>(p.KeyName, true), new DataField<double?>(p.ValueName, true))),
        _ => throw new ArgumentException($"Column '{column.Name}' has an unknown type.", nameof(column)),
    };

    // A double column as Parquet.Net's parts of a nullable column: the values that are there and one definition level
    // per row (0 for a missing value, NaN unless NaN is a value) — the same bytes as a double? per cell, without them.
    // The parts are rented: a row group's arrays are large-object-heap sized, and a new pair per column and chunk was
    // garbage there, which only a full collection frees.
    internal static async Task WriteDoublesAsync(ParquetRowGroupWriter group, DataField field, DoubleColumn column, int start, int length, CancellationToken cancellationToken)
    {
        var values = ArrayPool<double>.Shared.Rent(length);
        var definitions = ArrayPool<int>.Shared.Rent(length);
        try
        {
            var present = 0;
            var source = column.Values.AsSpan(start, length);
            for (var i = 0; i < source.Length; i++)
            {
                var missing = double.IsNaN(source[i]) && !column.NaNIsValue;
                definitions[i] = missing ? 0 : 1;
                if (!missing)
                {
                    values[present++] = source[i];
                }
            }

            await group.WriteAllPartsAsync(field, new ReadOnlyMemory<double>(values, 0, present), new ReadOnlyMemory<int>(definitions, 0, length), null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(definitions);
        }
    }

    // Nested columns are written leaf by leaf with explicit levels, the same for both leaves: repetition 0 starts a
    // row's list and 1 continues it; definition full for a present pair, 0 for a missing cell (a null list or map). An
    // empty cell is written as missing.
    internal static async Task WritePairsAsync(ParquetRowGroupWriter group, Field field, PairsColumn column, int start, int length, CancellationToken cancellationToken)
    {
        var (keyField, valueField) = field switch
        {
            MapField m => ((DataField)m.Key, (DataField)m.Value),
            ListField { Item: StructField s } => ((DataField)s.Fields[0], (DataField)s.Fields[1]),
            _ => throw new InvalidOperationException(field.Name),
        };
        // Sized exactly and rented (see WriteDoublesAsync): one level of each kind per pair, or per missing cell.
        var slots = 0;
        for (var r = start; r < start + length; r++)
        {
            slots += column.Values[r] is { Length: > 0 } cell ? cell.Length : 1;
        }

        var keys = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(slots);
        var values = ArrayPool<double>.Shared.Rent(slots);
        var definitions = ArrayPool<int>.Shared.Rent(slots);
        var repetitions = ArrayPool<int>.Shared.Rent(slots);
        try
        {
            var present = 0;
            var levels = 0;
            for (var r = start; r < start + length; r++)
            {
                if (column.Values[r] is not { Length: > 0 } pairs)
                {
                    definitions[levels] = 0;
                    repetitions[levels++] = 0;
                    continue;
                }

                for (var i = 0; i < pairs.Length; i++)
                {
                    keys[present] = pairs[i].Key.AsMemory();
                    values[present++] = pairs[i].Value;
                    definitions[levels] = valueField.MaxDefinitionLevel;
                    repetitions[levels++] = i == 0 ? 0 : 1;
                }
            }

            var d = new ReadOnlyMemory<int>(definitions, 0, levels);
            var rep = new ReadOnlyMemory<int>(repetitions, 0, levels);
            await group.WriteAllPartsAsync(keyField, new ReadOnlyMemory<ReadOnlyMemory<char>>(keys, 0, present), d, rep, cancellationToken).ConfigureAwait(false);
            await group.WriteAllPartsAsync(valueField, new ReadOnlyMemory<double>(values, 0, present), d, rep, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The keys refer to the phases' formulas; cleared, the pool does not keep them alive.
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(keys, clearArray: true);
            ArrayPool<double>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(definitions);
            ArrayPool<int>.Shared.Return(repetitions);
        }
    }
}
