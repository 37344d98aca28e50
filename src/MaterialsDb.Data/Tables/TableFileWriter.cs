using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;

namespace MaterialsDb.Data.Tables;

/// <summary>
/// Writes a table to CSV or Parquet (by the file's extension) a chunk of rows at a time, so a command never holds
/// the whole output. The file is written under a temporary name and moved into place by <see cref="CompleteAsync"/>;
/// disposed without it, nothing is left behind.
/// </summary>
/// <remarks>
/// Parquet row groups hold <see cref="TableWriter.ParquetRowGroupSize"/> rows of each appended chunk (a larger chunk is
/// split), so appending chunks of that size writes the same bytes as <see cref="TableWriter.WriteAsync"/> on the whole
/// table. One append at a time.
/// </remarks>
public sealed class TableFileWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private readonly IReadOnlyList<Column> _schema;
    private readonly IReadOnlyList<string> _names;
    private readonly Field[]? _fields;
    private readonly Stream? _stream;
    private readonly ParquetWriter? _parquet;
    private SepWriter? _csv;
    private bool _completed;

    private TableFileWriter(string path, string temp, IReadOnlyList<Column> schema, Field[]? fields, Stream? stream, ParquetWriter? parquet)
    {
        _path = path;
        _temp = temp;
        _schema = schema;
        _names = [.. schema.Select(c => c.Name)];
        _fields = fields;
        _stream = stream;
        _parquet = parquet;
    }

    /// <summary>Rows appended so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Starts a file with the columns of <paramref name="schema"/> (names, types and order; their values are not written).</summary>
    /// <param name="path">Output file, <c>.csv</c> or <c>.parquet</c>.</param>
    /// <param name="schema">Columns of the kind every appended chunk has.</param>
    /// <param name="metadata">Key-value metadata in a Parquet file's footer; CSV has no place for it.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="compression">How Parquet pages are compressed; a CSV file takes only the default.</param>
    /// <exception cref="InvalidOptionException">The extension is neither, or a compression is asked of a CSV file.</exception>
    public static async Task<TableFileWriter> CreateAsync(string path, IReadOnlyList<Column> schema, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default, ParquetCompression compression = ParquetCompression.Snappy)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(schema);
        CheckOutput(path, compression);
        var extension = Path.GetExtension(path).ToLowerInvariant();

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = AtomicFile.TempPathFor(full);
        if (extension == ".csv")
        {
            return new TableFileWriter(full, temp, schema, null, null, null);
        }

        var fields = schema.Select(TableWriter.FieldOf).ToArray();
        // Parquet.Net writes page by page; a large buffer turns those into few system calls.
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        try
        {
            var parquet = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, ParquetCompressions.Options(compression), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (metadata is not null)
            {
                parquet.CustomMetadata = metadata.ToDictionary();
            }

            return new TableFileWriter(full, temp, schema, fields, stream, parquet);
        }
        catch
        {
            await AtomicFile.AbandonAsync(stream).ConfigureAwait(false);
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>Checks that <paramref name="path"/> is a <c>.csv</c> or <c>.parquet</c> file, and that only Parquet is asked for a compression.</summary>
    /// <exception cref="InvalidOptionException">Either is not so.</exception>
    public static void CheckOutput(string path, ParquetCompression compression)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".csv" or ".parquet"))
        {
            throw new InvalidOptionException($"Output '{path}' must end in .csv or .parquet.");
        }

        if (extension == ".csv" && compression != ParquetCompression.Snappy)
        {
            throw new InvalidOptionException($"--compression {compression.ToString().ToLowerInvariant()} applies to Parquet output; '{path}' is CSV.");
        }
    }

    /// <summary>Appends the rows of <paramref name="rows"/>, whose columns are the schema's.</summary>
    /// <exception cref="ArgumentException">The columns differ from the schema's.</exception>
    public async Task AppendAsync(ColumnTable rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ObjectDisposedException.ThrowIf(_completed, this);
        if (!rows.Columns.Select(c => c.Name).SequenceEqual(_names))
        {
            throw new ArgumentException($"The chunk's columns ({string.Join(", ", rows.Columns.Select(c => c.Name))}) are not the file's ({string.Join(", ", _names)}).", nameof(rows));
        }

        if (rows.RowCount == 0)
        {
            return;
        }

        if (_parquet is null)
        {
            AppendCsv(rows);
        }
        else
        {
            for (var start = 0; start < rows.RowCount; start += TableWriter.ParquetRowGroupSize)
            {
                await WriteRowGroupAsync(rows, start, Math.Min(TableWriter.ParquetRowGroupSize, rows.RowCount - start), cancellationToken).ConfigureAwait(false);
            }
        }

        RowsWritten += rows.RowCount;
    }

    /// <summary>Finishes the file and moves it into place (a file with no rows still has its header or schema).</summary>
    public async Task CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_parquet is not null)
        {
            if (RowsWritten == 0)
            {
                // An empty table is one row group of empty columns.
                await WriteRowGroupAsync(new ColumnTable(_schema), 0, 0, CancellationToken.None).ConfigureAwait(false);
            }

            await _parquet.DisposeAsync().ConfigureAwait(false);
            await _stream!.DisposeAsync().ConfigureAwait(false);
        }
        else if (_csv is not null)
        {
            _csv.Dispose();
        }
        else
        {
            // Sep writes the header with the first row; an empty table still gets its header line.
            await File.WriteAllTextAsync(_temp, string.Join(',', _names.Select(TableWriter.Quote)) + "\n").ConfigureAwait(false);
        }

        _completed = true;
        File.Move(_temp, _path, overwrite: true);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        AtomicFile.Abandon(_csv);
        await AtomicFile.AbandonAsync(_parquet).ConfigureAwait(false);
        await AtomicFile.AbandonAsync(_stream).ConfigureAwait(false);
        AtomicFile.TryDelete(_temp);
    }

    private void AppendCsv(ColumnTable rows)
    {
        _csv ??= Sep.New(',').Writer(o => o with { Escape = true }).ToFile(_temp);
        var columns = rows.Columns;
        for (var r = 0; r < rows.RowCount; r++)
        {
            using var row = _csv.NewRow();
            foreach (var column in columns)
            {
                row[column.Name].Set(TableWriter.Cell(column, r) ?? string.Empty);
            }
        }
    }

    private async Task WriteRowGroupAsync(ColumnTable table, int start, int length, CancellationToken cancellationToken)
    {
        using var group = _parquet!.CreateRowGroup();
        for (var c = 0; c < _fields!.Length; c++)
        {
            switch (table.Columns[c])
            {
                case StringColumn s:
                    await group.WriteAsync((DataField)_fields[c], new ArraySegment<string>(s.Values!, start, length)).ConfigureAwait(false);
                    break;
                case DoubleColumn d:
                    await TableWriter.WriteDoublesAsync(group, (DataField)_fields[c], d, start, length, cancellationToken).ConfigureAwait(false);
                    break;
                case BoolColumn b:
                    await group.WriteAsync((DataField)_fields[c], new ReadOnlyMemory<bool>(b.Values, start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case LongColumn l:
                    await group.WriteAsync((DataField)_fields[c], new ReadOnlyMemory<long>(l.Values, start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case PairsColumn p:
                    await TableWriter.WritePairsAsync(group, _fields[c], p, start, length, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }
}
