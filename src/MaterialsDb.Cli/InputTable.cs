using MaterialsDb.Data;
using MaterialsDb.Data.Tables;

namespace MaterialsDb.Cli;

/// <summary>Reads a command's input CSV and checks that the columns it needs are there.</summary>
internal static class InputTable
{
    /// <summary>Reads <paramref name="input"/>; the first required column is read as text (formulas).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InputDataException">A required column is missing; the message lists the columns there are.</exception>
    public static ColumnTable Read(FileInfo input, params string[] required) => Read(input, required, required.Take(1).ToArray());

    /// <summary>Reads <paramref name="input"/> with the named columns read as text.</summary>
    public static ColumnTable Read(FileInfo input, IReadOnlyList<string> required, IReadOnlyCollection<string> textColumns) =>
        Checked(input, required, () => CsvTableReader.Read(input.FullName, textColumns));

    /// <summary>
    /// Reads <paramref name="input"/> with every column as text, for commands that keep the columns they do not
    /// produce (<see cref="PassThrough"/>): numbers they parse themselves, row by row.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InputDataException">A required column is missing; the message lists the columns there are.</exception>
    public static ColumnTable ReadAsText(FileInfo input, params string[] required) =>
        Checked(input, required, () => CsvTableReader.ReadAsText(input.FullName));

    /// <summary>
    /// <see cref="ReadAsText"/> a chunk of <paramref name="chunkRows"/> rows at a time; the first chunk (there always
    /// is one, empty for a file without rows) is checked for the required columns before it is returned.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InputDataException">A required column is missing, or a row is bad when it is reached.</exception>
    public static IEnumerable<ColumnTable> ReadAsTextChunks(FileInfo input, int chunkRows, params string[] required)
    {
        Exists(input);
        return FirstChecked(input, CsvTableReader.ReadAsTextChunks(input.FullName, chunkRows), required);
    }

    /// <summary>
    /// Reads <paramref name="input"/> a row group's worth of rows at a time, turns each chunk into output rows with
    /// <paramref name="transform"/>, adds the input columns it does not produce, and writes them as they come: memory
    /// does not grow with the file, and the output is the same bytes as writing the whole table at once.
    /// </summary>
    /// <returns>The number of rows.</returns>
    public static async Task<long> TransformAsync(FileInfo input, FileInfo output, string[] required, Func<ColumnTable, ColumnTable> transform, CancellationToken cancellationToken, ParquetCompression compression = ParquetCompression.Snappy)
    {
        ArgumentNullException.ThrowIfNull(transform);
        CheckOutput(input, output);
        TableFileWriter.CheckOutput(output.FullName, compression);
        TableFileWriter? writer = null;
        // One chunk is encoded and written (on one core) while the next is read and transformed.
        var writing = Task.CompletedTask;
        long rows = 0;
        try
        {
            foreach (var chunk in ReadAsTextChunks(input, TableWriter.ParquetRowGroupSize, required))
            {
                var produced = WithPassThrough(transform(chunk), chunk);
                await writing.ConfigureAwait(false);
                writer ??= await TableFileWriter.CreateAsync(output.FullName, produced.Columns, cancellationToken: cancellationToken, compression: compression).ConfigureAwait(false);
                var current = writer;
                writing = Task.Run(() => current.AppendAsync(produced, cancellationToken), cancellationToken);
                rows += chunk.RowCount;
            }

            await writing.ConfigureAwait(false);
            await writer!.CompleteAsync().ConfigureAwait(false);
            return rows;
        }
        finally
        {
            // A failure while a chunk was read must not dispose the writer under the previous chunk's write.
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (writer is not null)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static IEnumerable<ColumnTable> FirstChecked(FileInfo input, IEnumerable<ColumnTable> chunks, string[] required)
    {
        var first = true;
        foreach (var chunk in chunks)
        {
            if (first)
            {
                Require(input, chunk, required);
                first = false;
            }

            yield return chunk;
        }
    }

    // The file exists, and after reading, has every required column.
    private static ColumnTable Checked(FileInfo input, IReadOnlyList<string> required, Func<ColumnTable> read)
    {
        Exists(input);
        var table = read();
        Require(input, table, required);
        return table;
    }

    private static void Exists(FileInfo input)
    {
        if (!input.Exists)
        {
            throw new FileNotFoundException($"Input file '{input.FullName}' does not exist.");
        }
    }

    private static void Require(FileInfo input, ColumnTable table, IReadOnlyList<string> required)
    {
        foreach (var column in required.Where(c => !table.Contains(c)))
        {
            throw new InputDataException($"{input.FullName}: no '{column}' column; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        }
    }

    /// <summary>
    /// The input's columns that <paramref name="produced"/> does not name, in input order, as they were read: outputs
    /// keep an <c>id</c> or any other column, so they join to their inputs by more than row position. A produced
    /// column of the same name replaces the input's.
    /// </summary>
    public static IReadOnlyList<Column> PassThrough(ColumnTable input, IEnumerable<string> produced)
    {
        ArgumentNullException.ThrowIfNull(input);
        var names = produced.ToHashSet(StringComparer.Ordinal);
        return [.. input.Columns.Where(c => !names.Contains(c.Name))];
    }

    /// <summary><paramref name="output"/> followed by the input columns it does not produce.</summary>
    public static ColumnTable WithPassThrough(ColumnTable output, ColumnTable input) =>
        new([.. output.Columns, .. PassThrough(input, output.Columns.Select(c => c.Name))]);

    /// <summary>Refuses an output path that is the input file: writing it would replace the data being read.</summary>
    /// <exception cref="InvalidOptionException">The two name the same file.</exception>
    public static void CheckOutput(FileInfo input, FileInfo output)
    {
        if (string.Equals(Path.GetFullPath(input.FullName), Path.GetFullPath(output.FullName), StringComparison.Ordinal))
        {
            throw new InvalidOptionException($"--output '{output.FullName}' is the input file; choose another name (writing it would replace the input).");
        }
    }
}
