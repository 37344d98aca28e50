using Parquet;
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
            var fields = reader.Schema.GetDataFields();
            var parts = fields.Select(_ => new List<Column>()).ToArray();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                for (var f = 0; f < fields.Length; f++)
                {
                    parts[f].Add(await ReadAsync(path, group, fields[f], rows, cancellationToken).ConfigureAwait(false));
                }
            }

            return (new ColumnTable(fields.Select((field, f) => Concat(field.Name, parts[f]))), reader.CustomMetadata?.ToDictionary() ?? []);
        }
        // A damaged or hostile file can make the decoder fail in many ways (bad offsets, lengths, codecs); each means
        // the same to the caller. Only a missing file, cancellation and our own errors are reported as themselves.
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or InputDataException))
        {
            throw new InputDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
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

    private static Column Concat(string name, List<Column> parts) => parts switch
    {
        [] => new StringColumn(name, []),
        [var only] => only,
        [StringColumn, ..] => new StringColumn(name, [.. parts.SelectMany(p => ((StringColumn)p).Values)]),
        [DoubleColumn, ..] => new DoubleColumn(name, [.. parts.SelectMany(p => ((DoubleColumn)p).Values)]),
        [LongColumn, ..] => new LongColumn(name, [.. parts.SelectMany(p => ((LongColumn)p).Values)]),
        _ => new BoolColumn(name, [.. parts.SelectMany(p => ((BoolColumn)p).Values)]),
    };
}
