using System.Globalization;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;

namespace MaterialsDb.Data.Tables;

/// <summary>
/// Streams a wide table (some text columns, then float32 columns, then more text columns) to CSV or Parquet in chunks,
/// so that millions of rows never need to be in memory at once. Each chunk becomes one Parquet row group.
/// The file is written under a temporary name and appears under its own name only on <see cref="CompleteAsync"/>.
/// A row whose "missing" marker column (e.g. <c>error</c>) holds text has no values: its float cells are null (Parquet)
/// or empty (CSV); NaN elsewhere is a computed value and is written as NaN.
/// </summary>
public sealed class ChunkedTableWriter : IAsyncDisposable
{
    // Rows transposed together (16 rows of 132 floats: 8 kB).
    private const int TransposeTile = 16;

    private readonly string _path;
    private readonly string _temp;
    private readonly string[] _leading;
    private readonly string[] _floats;
    private readonly string[] _trailing;
    private readonly bool _parquet;
    private readonly Stream? _stream;
    private readonly SepWriter? _csv;
    private ParquetWriter? _parquetWriter;
    private DataField[] _fields = [];
    private float[][] _columnBuffers = [];
    private int[] _definitions = [];
    private int _missingColumn = -1;
    private bool _completed;

    private ChunkedTableWriter(string path, string[] leading, string[] floats, string[] trailing)
    {
        // CreateAsync has checked the extension.
        var extension = Path.GetExtension(path).ToLowerInvariant();
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _temp = AtomicFile.TempPathFor(_path);
        _leading = leading;
        _floats = floats;
        _trailing = trailing;
        _parquet = extension == ".parquet";
        if (_parquet)
        {
            // Parquet.Net writes page by page; a large buffer turns those into few system calls.
            _stream = new FileStream(_temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        }
        else
        {
            _csv = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(_temp);
        }
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Opens a writer for <paramref name="path"/> (<c>.csv</c> or <c>.parquet</c>).</summary>
    /// <param name="path">Output file.</param>
    /// <param name="leadingTextColumns">Text columns before the numbers.</param>
    /// <param name="floatColumns">The float32 columns.</param>
    /// <param name="trailingTextColumns">Text columns after the numbers.</param>
    /// <param name="cancellationToken">Stops creating the file.</param>
    /// <param name="metadata">Parquet footer key-value metadata (preset, labels checksum, software version).</param>
    /// <param name="missingWhen">A trailing text column whose non-null cell marks a row without values (e.g. <c>error</c>).</param>
    /// <param name="compression">How Parquet pages are compressed; a CSV file takes only the default.</param>
    /// <exception cref="InvalidOptionException">The extension is neither, or a compression is asked of a CSV file.</exception>
    public static async Task<ChunkedTableWriter> CreateAsync(string path, IReadOnlyList<string> leadingTextColumns, IReadOnlyList<string> floatColumns, IReadOnlyList<string> trailingTextColumns, CancellationToken cancellationToken = default, IReadOnlyDictionary<string, string>? metadata = null, string? missingWhen = null, ParquetCompression compression = ParquetCompression.Snappy)
    {
        ArgumentNullException.ThrowIfNull(path);
        TableFileWriter.CheckOutput(path, compression);
        var writer = new ChunkedTableWriter(path, [.. leadingTextColumns], [.. floatColumns], [.. trailingTextColumns]);
        writer._missingColumn = missingWhen is null ? -1 : Array.IndexOf(writer._trailing, missingWhen);
        if (missingWhen is not null && writer._missingColumn < 0)
        {
            throw new ArgumentException($"'{missingWhen}' is not a trailing text column.", nameof(missingWhen));
        }

        if (writer._parquet)
        {
            writer._fields =
            [
                .. writer._leading.Select(n => (DataField)new DataField<string>(n, true)),
                .. writer._floats.Select(n => (DataField)new DataField<float?>(n, true)),
                .. writer._trailing.Select(n => (DataField)new DataField<string>(n, true)),
            ];
            writer._parquetWriter = await ParquetWriter.CreateAsync(new ParquetSchema(writer._fields), writer._stream!, ParquetCompressions.Options(compression), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (metadata is not null)
            {
                writer._parquetWriter.CustomMetadata = metadata.ToDictionary();
            }
        }

        return writer;
    }

    /// <summary>Appends <paramref name="rows"/> rows.</summary>
    /// <param name="leading">One array per leading text column, at least <paramref name="rows"/> long.</param>
    /// <param name="floats">Row-major float values, <paramref name="rows"/> × float columns.</param>
    /// <param name="trailing">One array per trailing text column.</param>
    /// <param name="rows">Rows in this chunk.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public async Task WriteAsync(IReadOnlyList<string?[]> leading, ReadOnlyMemory<float> floats, IReadOnlyList<string?[]> trailing, int rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leading);
        ArgumentNullException.ThrowIfNull(trailing);
        if (leading.Count != _leading.Length || trailing.Count != _trailing.Length || floats.Length < (long)rows * _floats.Length)
        {
            throw new ArgumentException("The chunk does not match the table's columns.");
        }

        if (rows == 0)
        {
            return;
        }

        if (_parquet)
        {
            await WriteParquetAsync(leading, floats, trailing, rows, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            WriteCsv(leading, floats.Span, trailing, rows);
        }

        RowsWritten += rows;
    }

    /// <summary>Finishes the file and moves it to its final name.</summary>
    public async Task CompleteAsync()
    {
        if (_parquetWriter is not null)
        {
            await _parquetWriter.DisposeAsync().ConfigureAwait(false);
            _parquetWriter = null;
            await _stream!.FlushAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        else if (_csv is not null)
        {
            if (RowsWritten == 0)
            {
                // Sep writes the header with the first row; an empty result still gets its header line.
                _csv.Dispose();
                await File.WriteAllTextAsync(_temp, string.Join(',', _leading.Concat(_floats).Concat(_trailing).Select(Quote)) + "\n").ConfigureAwait(false);
            }
            else
            {
                _csv.Dispose();
            }
        }

        File.Move(_temp, _path, overwrite: true);
        _completed = true;
    }

    /// <summary>Abandons an incomplete file: nothing is left under either name.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        await AtomicFile.AbandonAsync(_parquetWriter).ConfigureAwait(false);
        AtomicFile.Abandon(_csv);
        await AtomicFile.AbandonAsync(_stream).ConfigureAwait(false);
        AtomicFile.TryDelete(_temp);
    }

    private static string Quote(string name) => name.Contains(',') || name.Contains('"') ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : name;

    private void WriteCsv(IReadOnlyList<string?[]> leading, ReadOnlySpan<float> floats, IReadOnlyList<string?[]> trailing, int rows)
    {
        var width = _floats.Length;
        for (var r = 0; r < rows; r++)
        {
            using var row = _csv!.NewRow();
            for (var c = 0; c < _leading.Length; c++)
            {
                row[_leading[c]].Set(leading[c][r] ?? string.Empty);
            }

            var missing = _missingColumn >= 0 && trailing[_missingColumn][r] is not null;
            for (var c = 0; c < width; c++)
            {
                // "R" keeps every bit of the float32 value.
                row[_floats[c]].Set(missing ? string.Empty : floats[(r * width) + c].ToString("R", CultureInfo.InvariantCulture));
            }

            for (var c = 0; c < _trailing.Length; c++)
            {
                row[_trailing[c]].Set(trailing[c][r] ?? string.Empty);
            }
        }
    }

    private async Task WriteParquetAsync(IReadOnlyList<string?[]> leading, ReadOnlyMemory<float> floats, IReadOnlyList<string?[]> trailing, int rows, CancellationToken cancellationToken)
    {
        var width = _floats.Length;
        if (_columnBuffers.Length != width || _definitions.Length < rows)
        {
            _columnBuffers = [.. Enumerable.Range(0, width).Select(_ => new float[rows])];
            _definitions = new int[rows];
        }

        // Row-major to column-major, one pass over the chunk. The columns are nullable: each row's definition level says
        // whether it has values (1) or not (0, a row without values), and only the rows with values are in the columns.
        // Handing Parquet.Net the levels and plain values spares it a float? per cell.
        var source = floats.Span;
        var present = 0;
        Span<int> tile = stackalloc int[TransposeTile];
        var inTile = 0;
        for (var r = 0; r < rows; r++)
        {
            var missing = _missingColumn >= 0 && trailing[_missingColumn][r] is not null;
            _definitions[r] = missing ? 0 : 1;
            if (!missing)
            {
                tile[inTile++] = r;
            }

            if (inTile == TransposeTile || (r == rows - 1 && inTile > 0))
            {
                // A tile of rows at a time, column by column: the tile's rows stay in the first-level cache while
                // each column's stretch is written in order.
                for (var c = 0; c < width; c++)
                {
                    var column = _columnBuffers[c].AsSpan(present, inTile);
                    for (var k = 0; k < column.Length; k++)
                    {
                        column[k] = source[(tile[k] * width) + c];
                    }
                }

                present += inTile;
                inTile = 0;
            }
        }

        using var group = _parquetWriter!.CreateRowGroup();
        var f = 0;
        foreach (var column in leading)
        {
            await group.WriteAsync(_fields[f++], new ArraySegment<string>(column!, 0, rows)).ConfigureAwait(false);
        }

        for (var c = 0; c < width; c++)
        {
            await group.WriteAllPartsAsync(_fields[f++], new ReadOnlyMemory<float>(_columnBuffers[c], 0, present), new ReadOnlyMemory<int>(_definitions, 0, rows), null, cancellationToken).ConfigureAwait(false);
        }

        foreach (var column in trailing)
        {
            await group.WriteAsync(_fields[f++], new ArraySegment<string>(column!, 0, rows)).ConfigureAwait(false);
        }
    }
}
