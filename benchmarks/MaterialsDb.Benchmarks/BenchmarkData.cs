using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Stability;

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

    /// <summary><paramref name="rows"/> compositions: the mp_e_form formulas repeated, parsed into one batch.</summary>
    public static CompositionBatch RepeatedMpEForm(int rows)
    {
        var formulas = MpEFormFormulas();
        var batch = new CompositionBatch(rows);
        for (var i = 0; i < rows; i++)
        {
            batch.TryAdd(formulas[i % formulas.Length], out _);
        }

        return batch;
    }

    /// <summary>The Magpie element tables from the catalog, missing values imputed as matminer does by default.</summary>
    public static ElementPropertySource Magpie()
    {
        var dataset = DatasetCatalog.Default.Get("magpie_elementdata");
        var folder = DatasetStore.FromEnvironment().EnsureAsync(dataset).GetAwaiter().GetResult();
        return ElementPropertySource.Create(
            "MagpieData",
            FeaturizerPresets.RequiredProperties,
            p => ElementTableReader.ReadValues(Path.Combine(folder, p + ".table")),
            dataset.Citation,
            imputeNan: true);
    }

    /// <summary>mp_e_form as a hull reference set (ids mp_e_form:row).</summary>
    public static PhaseEntrySet MpEFormReference()
    {
        var dataset = DatasetCatalog.Default.Get("mp_e_form");
        var path = DatasetStore.FromEnvironment().EnsureFileAsync(dataset, dataset.Files[0]).GetAwaiter().GetResult();
        var table = CsvTableReader.Read(path, ["formula"]);
        return PhaseEntrySet.FromColumns(table.GetStrings("formula"), table.GetDoubles("target"), null, "mp_e_form");
    }
}
