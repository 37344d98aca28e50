using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;

namespace MaterialsDb.Benchmarks;

/// <summary>Real inputs for benchmarks, fetched through the catalog (set MATERIALSDB_MIRROR to stay offline).</summary>
internal static class BenchmarkData
{
    /// <summary>The 132,752 formulas of Matbench mp_e_form, in file order.</summary>
    public static string[] MpEFormFormulas()
    {
        var dataset = DatasetCatalog.Default.Get("mp_e_form");
        var path = DatasetStore.FromEnvironment().EnsureFileAsync(dataset, dataset.Files[0]).GetAwaiter().GetResult();
        return [.. CsvTableReader.Read(path, ["formula"]).GetStrings("formula").Select(f => f!)];
    }
}
