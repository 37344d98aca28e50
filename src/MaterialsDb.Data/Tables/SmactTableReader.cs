using System.Globalization;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Data.Tables;

/// <summary>Readers for SMACT's data files (oxidation-state sets and <c>element_data.txt</c>).</summary>
public static class SmactTableReader
{
    /// <summary>
    /// Reads a SMACT oxidation-state file: lines <c>Symbol state state …</c> (states written <c>-2</c>, <c>1</c> or
    /// <c>+1</c>; a symbol alone has none), <c>#</c> comments. Index Z − 1 holds the states of element Z, ascending.
    /// </summary>
    /// <exception cref="InputDataException">An unknown symbol or a state that is not an integer; the message names the file and line.</exception>
    public static int[][] ReadOxidationStates(string path)
    {
        var states = new int[PeriodicTable.MaxZ][];
        Array.Fill(states, []);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var z = PeriodicTable.AtomicNumberOf(tokens[0]);
            if (z == 0)
            {
                throw new InputDataException($"{path}, line {lineNumber}: '{tokens[0]}' is not an element symbol.");
            }

            states[z - 1] = [.. tokens.Skip(1).Select(t => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new InputDataException($"{path}, line {lineNumber}: oxidation state '{t}' is not an integer.")).Distinct().Order()];
        }

        return states;
    }

    /// <summary>
    /// Reads the Pauling electronegativities (column <c>el_neg</c>) of SMACT's <c>element_data.txt</c>: index Z − 1,
    /// NaN where the file says <c>None</c>.
    /// </summary>
    public static double[] ReadPaulingElectronegativities(string path)
    {
        const int column = 9;
        var values = new double[PeriodicTable.MaxZ];
        Array.Fill(values, double.NaN);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length <= column || !int.TryParse(tokens[2], CultureInfo.InvariantCulture, out var z) || z < 1 || z > PeriodicTable.MaxZ)
            {
                throw new InputDataException($"{path}, line {lineNumber}: expected 'Symbol Name Z … el_neg …'.");
            }

            values[z - 1] = double.TryParse(tokens[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN;
        }

        return values;
    }
}
