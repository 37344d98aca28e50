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
    public static ColumnTable Read(FileInfo input, IReadOnlyList<string> required, IReadOnlyCollection<string> textColumns)
    {
        if (!input.Exists)
        {
            throw new FileNotFoundException($"Input file '{input.FullName}' does not exist.");
        }

        var table = CsvTableReader.Read(input.FullName, textColumns);
        foreach (var column in required)
        {
            if (!table.Contains(column))
            {
                throw new InputDataException($"{input.FullName}: no '{column}' column; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
            }
        }

        return table;
    }

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
