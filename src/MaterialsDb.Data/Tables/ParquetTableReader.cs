using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace MaterialsDb.Data.Tables;

/// <summary>Reads a whole Parquet file into a <see cref="ColumnTable"/> (text, float/double, integer and boolean columns) with its key-value metadata.</summary>
public static class ParquetTableReader
{
    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InputDataException">Not a Parquet file, or a column of a type we don't read; the message names the file.</exception>
    public static async Task<(ColumnTable Table, IReadOnlyDictionary<string, string> Metadata)> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            await using var stream = File.OpenRead(path);
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var fields = reader.Schema.Fields;
            var groups = new Column[reader.RowGroupCount][];

            // Row groups are decoded in parallel, each through a reader of its own (a reader and its stream are not
            // shared between threads); a result of 10^6 rows has 16 of them.
            await Parallel.ForAsync(0, groups.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, async (g, ct) =>
            {
                await using var own = File.OpenRead(path);
                await using var groupReader = await ParquetReader.CreateAsync(own, cancellationToken: ct).ConfigureAwait(false);
                groups[g] = await ReadGroupAsync(path, groupReader, g, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var parts = fields.Select((_, f) => groups.Select(g => g[f]).ToList()).ToArray();
            return (new ColumnTable(fields.Select((field, f) => Column.Concat(field.Name, parts[f]))), reader.CustomMetadata?.ToDictionary() ?? []);
        }
        // A damaged or hostile file can make the decoder fail in many ways (bad offsets, lengths, codecs); each means
        // the same to the caller. Only a missing file, cancellation and our own errors are reported as themselves.
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or InputDataException))
        {
            throw new InputDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads <paramref name="path"/> one row group at a time (a result of 10^6 rows has 16 of 65,536 rows), so a
    /// caller that streams the rows out holds one group, not the file.
    /// </summary>
    /// <returns>The key-value metadata, the file's row count, and its row groups in order.</returns>
    /// <exception cref="InputDataException">Not a Parquet file, or a column of a type we don't read; the message names the file.</exception>
    public static async Task<(IReadOnlyDictionary<string, string> Metadata, long Rows, IAsyncEnumerable<ColumnTable> Groups)> ReadGroupsAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            await using var stream = File.OpenRead(path);
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var rows = Enumerable.Range(0, reader.RowGroupCount).Sum(g => reader.RowGroups[g].RowCount);
            return (reader.CustomMetadata?.ToDictionary() ?? [], rows, Groups(path, reader.RowGroupCount, cancellationToken));
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or InputDataException))
        {
            throw new InputDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
    }

    private static async IAsyncEnumerable<ColumnTable> Groups(string path, int count, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var g = 0; g < count; g++)
        {
            Column[] columns;
            try
            {
                columns = await ReadGroupAsync(path, reader, g, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or InputDataException))
            {
                throw new InputDataException($"{path}: not a readable Parquet file: {e.Message}", e);
            }

            yield return new ColumnTable(columns);
        }
    }

    // One row group's columns, through a reader that no other thread uses.
    private static async Task<Column[]> ReadGroupAsync(string path, ParquetReader reader, int g, CancellationToken cancellationToken)
    {
        var fields = reader.Schema.Fields;
        using var group = reader.OpenRowGroupReader(g);
        var rows = checked((int)group.RowCount);
        var columns = new Column[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            columns[f] = fields[f] switch
            {
                DataField data => await ReadAsync(path, group, data, rows, cancellationToken).ConfigureAwait(false),
                _ => await ReadPairsAsync(path, group, fields[f], rows, cancellationToken).ConfigureAwait(false),
            };
        }

        return columns;
    }

    private static async Task<Column> ReadAsync(string path, ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[rows];
            await group.ReadAsync(field, values!, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StringColumn(field.Name, values);
        }

        if (type == typeof(double) && !field.IsNullable)
        {
            var values = new double[rows];
            await group.ReadAsync<double>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new DoubleColumn(field.Name, values);
        }

        if (type == typeof(double))
        {
            // A missing value (null) reads as NaN, the table's marker for missing.
            var values = new double?[rows];
            await group.ReadAsync<double>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new DoubleColumn(field.Name, [.. values.Select(v => v ?? double.NaN)]);
        }

        if (type == typeof(float) && field.IsNullable)
        {
            var values = new float?[rows];
            await group.ReadAsync<float>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new DoubleColumn(field.Name, [.. values.Select(v => v is { } f ? (double)f : double.NaN)]);
        }

        if (type == typeof(float) && !field.IsNullable)
        {
            var values = new float[rows];
            await group.ReadAsync<float>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new DoubleColumn(field.Name, [.. values.Select(v => (double)v)]);
        }

        if (type == typeof(long) && !field.IsNullable)
        {
            var values = new long[rows];
            await group.ReadAsync<long>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new LongColumn(field.Name, values);
        }

        if (type == typeof(bool) && !field.IsNullable)
        {
            var values = new bool[rows];
            await group.ReadAsync<bool>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BoolColumn(field.Name, values);
        }

        throw new InputDataException($"{path}: column '{field.Name}' is {(field.IsNullable ? "nullable " : string.Empty)}{type.Name}; text, double, float, int64 and boolean columns are read.");
    }

    // A MAP<text, number> or a LIST<STRUCT<text, number>>, as TableWriter writes them; anything else nested is refused.
    private static async Task<Column> ReadPairsAsync(string path, ParquetRowGroupReader group, Field field, int rows, CancellationToken cancellationToken)
    {
        var (layout, keyField, valueField) = field switch
        {
            MapField { Key: DataField k, Value: DataField v } => (PairsLayout.Map, k, v),
            ListField { Item: StructField { Fields: [DataField k, DataField v] } } => (PairsLayout.StructList, k, v),
            _ => throw new InputDataException($"{path}: column '{field.Name}' has a nested type this reader does not read."),
        };
        if (keyField.ClrType != typeof(string) && keyField.ClrType != typeof(ReadOnlyMemory<char>) || (Nullable.GetUnderlyingType(valueField.ClrType) ?? valueField.ClrType) != typeof(double))
        {
            throw new InputDataException($"{path}: column '{field.Name}' is not a list of (text, number) pairs.");
        }

        using var keyData = await group.ReadRawColumnDataBaseAsync(keyField, cancellationToken).ConfigureAwait(false);
        using var valueData = await group.ReadRawColumnDataBaseAsync(valueField, cancellationToken).ConfigureAwait(false);
        if (keyData is not RawColumnData<ReadOnlyMemory<char>> keyText || valueData is not RawColumnData<double> numbers)
        {
            throw new InputDataException($"{path}: column '{field.Name}' is not a list of (text, number) pairs.");
        }

        var levels = keyData.RepetitionLevels;
        var keyDefinitions = keyData.DefinitionLevels;
        var valueDefinitions = valueData.DefinitionLevels;
        if (levels.Length != keyDefinitions.Length || valueDefinitions.Length != keyDefinitions.Length)
        {
            throw new InputDataException($"{path}: column '{field.Name}' has leaves of different lengths.");
        }

        var cells = new KeyValuePair<string, double>[]?[rows];

        // Keys repeat (element symbols, decomposition phases): one string per distinct key, not one per entry.
        var distinct = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var row = -1;
        int nextKey = 0, nextValue = 0;
        var current = new List<KeyValuePair<string, double>>();
        for (var i = 0; i < levels.Length; i++)
        {
            if (levels[i] == 0)
            {
                Flush();
                if (++row >= rows)
                {
                    throw new InputDataException($"{path}: column '{field.Name}' has more lists than rows.");
                }
            }

            // Only fully defined entries carry a value in the leaf's value buffer.
            var key = keyDefinitions[i] == keyField.MaxDefinitionLevel ? Intern(distinct, keyText.Values[nextKey++].Span) : null;
            var value = valueDefinitions[i] == valueField.MaxDefinitionLevel ? numbers.Values[nextValue++] : double.NaN;
            if (key is not null)
            {
                current.Add(new KeyValuePair<string, double>(key, value));
            }
        }

        Flush();
        return new PairsColumn(field.Name, cells, layout, keyField.Name, valueField.Name);

        void Flush()
        {
            if (row >= 0)
            {
                cells[row] = current.Count == 0 ? null : [.. current];
                current.Clear();
            }
        }
    }

    private static string Intern(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> distinct, ReadOnlySpan<char> text)
    {
        if (!distinct.TryGetValue(text, out var value))
        {
            value = text.ToString();
            distinct[text] = value;
        }

        return value;
    }
}
