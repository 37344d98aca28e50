using System.Globalization;
using nietras.SeparatedValues;

namespace MaterialsDb.Data.Tables;

/// <summary>Reads comma-separated files with a header row into a <see cref="ColumnTable"/>.</summary>
/// <remarks>
/// A column becomes a <see cref="DoubleColumn"/> when every non-empty value parses as a number (empty → NaN);
/// otherwise, or when named in <c>textColumns</c>, a <see cref="StringColumn"/> (empty → null). Quoted fields are unescaped.
/// </remarks>
public static class CsvTableReader
{
    // Column counts are checked here rather than by Sep, to name the line in our own words.
    private static SepReaderOptions Options => Sep.New(',').Reader(o => o with { Unescape = true, Trim = SepTrim.Outer, DisableColCountCheck = true });

    // Sep reads the header when the reader is created, and rejects duplicate names there.
    private static SepReader Open(Func<SepReader> open, string source)
    {
        try
        {
            return open();
        }
        catch (ArgumentException e)
        {
            throw new InputDataException($"{source}: bad header: {e.Message}", e);
        }
    }

    /// <summary>Reads a CSV file.</summary>
    /// <exception cref="InputDataException">The file is empty, has no header or a row of the wrong width; the message names the file and line.</exception>
    public static ColumnTable Read(string path, IReadOnlyCollection<string>? textColumns = null) => ReadFile(path, textColumns, allText: false);

    /// <summary>Reads a CSV file with every column as text: what commands that copy columns they do not interpret need (an id "007" stays "007").</summary>
    /// <exception cref="InputDataException">As <see cref="Read(string, IReadOnlyCollection{string}?)"/>.</exception>
    public static ColumnTable ReadAsText(string path) => ReadFile(path, null, allText: true);

    private static ColumnTable ReadFile(string path, IReadOnlyCollection<string>? textColumns, bool allText)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (new FileInfo(path).Length == 0)
        {
            throw new InputDataException($"{path}: the file is empty; a header row is needed.");
        }

        using var reader = Open(() => Options.FromFile(path), path);
        return Read(reader, path, textColumns, allText);
    }

    /// <summary>Reads CSV text (used by tests and for small inputs).</summary>
    public static ColumnTable ReadText(string text, IReadOnlyCollection<string>? textColumns = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw new InputDataException("The CSV text is empty; a header row is needed.");
        }

        using var reader = Open(() => Options.FromText(text), "(text)");
        return Read(reader, "(text)", textColumns);
    }

    /// <summary>
    /// Reads a CSV file with every column as text, <paramref name="chunkRows"/> rows at a time, so a command's memory
    /// does not grow with the file. The first chunk comes even when the file has no rows (its columns are the header).
    /// </summary>
    /// <exception cref="InputDataException">As <see cref="Read(string, IReadOnlyCollection{string}?)"/>, raised when the bad line is reached.</exception>
    public static IEnumerable<ColumnTable> ReadAsTextChunks(string path, int chunkRows)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        if (new FileInfo(path).Length == 0)
        {
            throw new InputDataException($"{path}: the file is empty; a header row is needed.");
        }

        return Chunks(path, chunkRows);
    }

    private static IEnumerable<ColumnTable> Chunks(string path, int chunkRows)
    {
        using var reader = Open(() => Options.FromFile(path), path);
        var names = Header(reader, path);
        var line = 1;
        bool more;
        do
        {
            // Sized for the chunk, so a full chunk's columns are taken as they are: growing lists and copying them
            // made several large-object-heap arrays per column and chunk.
            var raw = new TextCells(names.Count, Math.Min(chunkRows, 1 << 16));
            more = ReadRows(reader, path, raw, chunkRows, ref line);
            yield return new ColumnTable(names.Select((name, c) => ToColumn(name, raw.Column(c), forceText: true)));
        }
        while (more);
    }

    private static ColumnTable Read(SepReader reader, string source, IReadOnlyCollection<string>? textColumns, bool allText = false)
    {
        var names = Header(reader, source);
        var raw = new TextCells(names.Count, 1024);
        var line = 1;
        ReadRows(reader, source, raw, int.MaxValue, ref line);
        return new ColumnTable(names.Select((name, c) => ToColumn(name, raw.Column(c), allText || textColumns?.Contains(name) == true)));
    }

    private static IReadOnlyList<string> Header(SepReader reader, string source)
    {
        var names = reader.Header.ColNames;
        if (names.Count == 0 || names.All(string.IsNullOrWhiteSpace))
        {
            throw new InputDataException($"{source}: no header row.");
        }

        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputDataException($"{source}: the header names column '{duplicate.Key}' more than once.");
        }

        return names;
    }

    // Appends up to `limit` rows to `raw`; true when the file may hold more. Reader errors name the line.
    private static bool ReadRows(SepReader reader, string source, TextCells raw, int limit, ref int line)
    {
        var width = raw.Width;
        try
        {
            for (var read = 0; read < limit; read++)
            {
                if (!reader.MoveNext())
                {
                    return false;
                }

                var row = reader.Current;
                line = row.LineNumberFrom;
                if (row.ColCount != width)
                {
                    throw new InputDataException($"{source}, line {line}: {row.ColCount} fields where the header has {width}.");
                }

                var cells = raw.NextRow();
                for (var c = 0; c < width; c++)
                {
                    var span = row[c].Span;
                    cells[c][raw.Count - 1] = span.IsEmpty ? null : span.ToString();
                }
            }

            return true;
        }
        catch (InputDataException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InputDataException($"{source}, near line {line}: {e.Message}", e);
        }
    }

    private static Column ToColumn(string name, string?[] values, bool forceText)
    {
        if (!forceText && values.Length > 0)
        {
            var numbers = new double[values.Length];
            var allNumeric = true;
            for (var i = 0; i < values.Length && allNumeric; i++)
            {
                var v = values[i];
                if (v is null)
                {
                    numbers[i] = double.NaN;
                }
                else
                {
                    allNumeric = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]);
                }
            }

            if (allNumeric && values.Any(v => v is not null))
            {
                return new DoubleColumn(name, numbers);
            }
        }

        return new StringColumn(name, values);
    }

    // Rows of text cells, one array per column, grown by doubling; a column is handed over without a copy when full.
    private sealed class TextCells(int width, int capacity)
    {
        private readonly string?[][] _columns = [.. Enumerable.Range(0, width).Select(_ => new string?[capacity])];

        public int Width => width;

        public int Count { get; private set; }

        // Makes room for one more row and returns the columns to write it into, at Count - 1.
        public string?[][] NextRow()
        {
            if (Count == _columns[0].Length)
            {
                for (var c = 0; c < _columns.Length; c++)
                {
                    Array.Resize(ref _columns[c], Math.Max(4, Count * 2));
                }
            }

            Count++;
            return _columns;
        }

        public string?[] Column(int c)
        {
            if (_columns[c].Length != Count)
            {
                Array.Resize(ref _columns[c], Count);
            }

            return _columns[c];
        }
    }
}
