using System.Globalization;

namespace MaterialsDb.Data.Tables;

/// <summary>
/// Reads Magpie <c>.table</c> files: line k holds the value for atomic number k. A blank or absent line, and by default
/// any text that is not a number (the tables write <c>Missing</c>, <c>None</c>, <c>NA</c>, <c>Missing["Unknown"]</c>),
/// means no value — exactly how matminer reads them.
/// </summary>
public static class ElementTableReader
{
    /// <summary>Highest atomic number a table may cover.</summary>
    public const int MaxZ = 118;

    /// <summary>Reads a numeric table: index Z - 1 holds the value of element Z, NaN where missing.</summary>
    /// <param name="path">The .table file.</param>
    /// <param name="strict">Reject any non-numeric text other than <c>Missing</c> instead of reading it as missing.</param>
    /// <exception cref="InputDataException">Strict mode, and a line is neither a number nor <c>Missing</c>; the message names the file and line.</exception>
    public static double[] ReadValues(string path, bool strict = false)
    {
        var values = new double[MaxZ];
        Array.Fill(values, double.NaN);
        var z = 0;
        foreach (var line in File.ReadLines(path))
        {
            z++;
            if (z > MaxZ)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    throw new InputDataException($"{path}, line {z}: more lines than the {MaxZ} elements.");
                }

                continue;
            }

            var text = line.Trim();
            if (text.Length == 0 || text.Equals("Missing", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                values[z - 1] = v;
            }
            else if (strict)
            {
                throw new InputDataException($"{path}, line {z}: '{text}' is neither a number nor 'Missing'.");
            }
        }

        return values;
    }

    /// <summary>Reads a list table such as <c>OxidationStates.table</c>: index Z - 1 holds the whitespace-separated integers of line Z.</summary>
    public static int[][] ReadIntegerLists(string path)
    {
        var lists = new int[MaxZ][];
        Array.Fill(lists, []);
        var z = 0;
        foreach (var line in File.ReadLines(path))
        {
            z++;
            if (z > MaxZ)
            {
                break;
            }

            var text = line.Trim();
            if (text.Length == 0 || text.Equals("Missing", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            lists[z - 1] = [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(token =>
                int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                    ? v
                    : throw new InputDataException($"{path}, line {z}: '{token}' is not an integer."))];
        }

        return lists;
    }
}
