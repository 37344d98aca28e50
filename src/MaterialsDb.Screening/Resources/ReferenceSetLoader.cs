using MaterialsDb.Data;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Stability;

namespace MaterialsDb.Screening.Resources;

/// <summary>Reads the reference set of known phases: a catalog dataset or a CSV file.</summary>
public static class ReferenceSetLoader
{
    /// <summary>The default reference: Matbench mp_e_form.</summary>
    public const string DefaultReference = "mp_e_form";

    /// <summary>
    /// Loads <paramref name="reference"/>: a catalog id (its formula column and target, which must be a formation energy
    /// in eV/atom) or a CSV file with <c>formula</c>, <c>e_form_per_atom</c> and optionally <c>id</c> columns.
    /// </summary>
    /// <exception cref="ReferenceDataException">Neither a dataset id nor an existing file.</exception>
    /// <param name="reference">A catalog id or a CSV path.</param>
    /// <param name="store">Where catalog datasets come from.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <param name="allowFiles">False for remote callers: only catalog ids, never a file on this machine.</param>
    public static async Task<PhaseEntrySet> LoadAsync(string reference, DatasetStore store, CancellationToken cancellationToken = default, bool allowFiles = true)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (DatasetCatalog.Default.TryGet(reference, out var dataset))
        {
            if (dataset.Format.Kind != "csv" || dataset.Format.Units.GetValueOrDefault(dataset.Format.Target ?? string.Empty) != "eV/atom")
            {
                throw new ReferenceDataException($"Dataset '{reference}' does not hold energies in eV/atom and cannot be a hull reference.");
            }

            var path = await store.EnsureFileAsync(dataset, dataset.Files[0], cancellationToken: cancellationToken).ConfigureAwait(false);
            var table = CsvTableReader.Read(path, [dataset.Format.FormulaColumn!]);
            return PhaseEntrySet.FromColumns(table.GetStrings(dataset.Format.FormulaColumn!), table.GetDoubles(dataset.Format.Target!), null, reference);
        }

        if (!allowFiles)
        {
            throw new ReferenceDataException($"Reference '{reference}' is not a catalog dataset id.");
        }

        if (!File.Exists(reference))
        {
            throw new ReferenceDataException($"Reference '{reference}' is neither a catalog dataset id nor an existing CSV file.");
        }

        var csv = CsvTableReader.Read(reference, ["formula", "id"]);
        foreach (var required in new[] { "formula", "e_form_per_atom" })
        {
            if (!csv.Contains(required))
            {
                throw new InputDataException($"{reference}: no '{required}' column; a reference CSV needs formula, e_form_per_atom and optionally id.");
            }
        }

        return PhaseEntrySet.FromColumns(csv.GetStrings("formula"), csv.GetDoubles("e_form_per_atom"), csv.Contains("id") ? csv.GetStrings("id") : null, Path.GetFileName(reference));
    }
}
