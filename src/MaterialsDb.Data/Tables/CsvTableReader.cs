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

    private static ColumnTable Read(SepReader reader, string source, IReadOnlyCollection<string>? textColumns, bool allText = false)
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

        var raw = names.Select(_ => new List<string?>()).ToArray();
        var line = 1;
        try
        {
            foreach (var row in reader)
            {
                line = row.LineNumberFrom;
                if (row.ColCount != names.Count)
                {
                    throw new InputDataException($"{source}, line {line}: {row.ColCount} fields where the header has {names.Count}.");
                }

                for (var c = 0; c < names.Count; c++)
                {
                    var span = row[c].Span;
                    raw[c].Add(span.IsEmpty ? null : span.ToString());
                }
            }
        }
        catch (InputDataException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InputDataException($"{source}, near line {line}: {e.Message}", e);
        }

        return new ColumnTable(names.Select((name, c) => ToColumn(name, raw[c], allText || textColumns?.Contains(name) == true)));
    }

    private static Column ToColumn(string name, List<string?> values, bool forceText)
    {
        if (!forceText && values.Count > 0)
        {
            var numbers = new double[values.Count];
            var allNumeric = true;
            for (var i = 0; i < values.Count && allNumeric; i++)
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

        return new StringColumn(name, [.. values]);
    }
}
