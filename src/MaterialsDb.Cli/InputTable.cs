using MaterialsDb.Data.Tables;

namespace MaterialsDb.Cli;

/// <summary>Reads a command's input CSV and checks that the columns it needs are there.</summary>
internal static class InputTable
{
    /// <summary>Reads <paramref name="input"/>; the first required column is read as text (formulas).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A required column is missing; the message lists the columns there are.</exception>
    public static ColumnTable Read(FileInfo input, params string[] required)
    {
        if (!input.Exists)
        {
            throw new FileNotFoundException($"Input file '{input.FullName}' does not exist.");
        }

        var table = CsvTableReader.Read(input.FullName, required.Take(1).ToArray());
        foreach (var column in required)
        {
            if (!table.Contains(column))
            {
                throw new InvalidDataException($"{input.FullName}: no '{column}' column; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
            }
        }

        return table;
    }
}
