using System.Globalization;
using System.Text.RegularExpressions;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;

namespace MaterialsDb.TestSupport;

/// <summary>Small real tables cut from the mirror's datasets, for tests that train.</summary>
public static partial class SampleData
{
    /// <summary>
    /// Writes mp_e_form's rows made only of Li, Mg, Fe, Mn, O, F and P (about 2,000 of them, with their chemical
    /// systems complete, so hulls are real) as a <c>formula,target</c> CSV, and returns its path.
    /// </summary>
    public static async Task<string> FormationEnergiesAsync(string path)
    {
        var entry = DatasetCatalog.Default.Get("mp_e_form");
        var file = await SharedFiles.MirrorStore().EnsureFileAsync(entry, entry.Files[0], cancellationToken: Xunit.TestContext.Current.CancellationToken);
        var table = CsvTableReader.Read(file, ["formula"]);
        HashSet<string> elements = ["Li", "Mg", "Fe", "Mn", "O", "F", "P"];
        var formulas = table.GetStrings("formula");
        var targets = table.GetDoubles("target");
        var lines = new List<string> { "formula,target" };
        for (var i = 0; i < formulas.Length; i++)
        {
            if (Symbol().Matches(formulas[i]!).All(m => elements.Contains(m.Value)))
            {
                lines.Add(formulas[i] + "," + targets[i].ToString("R", CultureInfo.InvariantCulture));
            }
        }

        await File.WriteAllLinesAsync(path, lines, Xunit.TestContext.Current.CancellationToken);
        return path;
    }

    [GeneratedRegex("[A-Z][a-z]?")]
    private static partial Regex Symbol();
}
