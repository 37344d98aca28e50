using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Stability;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Stability.Tests;

/// <summary>The mp_e_form reference set, as the pymatgen reference file was built from it.</summary>
public sealed class ReferenceSetFixture
{
    private readonly Lazy<PhaseEntrySet> _set = new(() =>
    {
        var dataset = DatasetCatalog.Default.Get("mp_e_form");
        var path = SharedFiles.MirrorStore().EnsureFileAsync(dataset, dataset.Files[0]).GetAwaiter().GetResult();
        var table = CsvTableReader.Read(path, ["formula"]);
        return PhaseEntrySet.FromColumns(table.GetStrings("formula"), table.GetDoubles("target"), null, "mp_e_form");
    });

    public PhaseEntrySet Set => _set.Value;
}
