using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Screening.Enumeration;
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

    /// <summary>The first <paramref name="rows"/> formation energies of mp_e_form (eV/atom), in file order.</summary>
    public static float[] MpEFormTargets(int rows)
    {
        var dataset = DatasetCatalog.Default.Get("mp_e_form");
        var path = DatasetStore.FromEnvironment().EnsureFileAsync(dataset, dataset.Files[0]).GetAwaiter().GetResult();
        return [.. CsvTableReader.Read(path, ["formula"]).GetDoubles("target").Take(rows).Select(v => (float)v)];
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
        var tables = ElementTableSet.LoadAsync(DatasetStore.FromEnvironment(), dataset, FeaturizerPresets.RequiredProperties).GetAwaiter().GetResult();
        return ElementPropertySource.Create("MagpieData", tables.Keys, p => tables[p], dataset.Citation, imputeNan: true);
    }

    /// <summary>mp_e_form as a hull reference set (ids mp_e_form:row).</summary>
    public static PhaseEntrySet MpEFormReference()
    {
        var dataset = DatasetCatalog.Default.Get("mp_e_form");
        var path = DatasetStore.FromEnvironment().EnsureFileAsync(dataset, dataset.Files[0]).GetAwaiter().GetResult();
        var table = CsvTableReader.Read(path, ["formula"]);
        return PhaseEntrySet.FromColumns(table.GetStrings("formula"), table.GetDoubles("target"), null, "mp_e_form");
    }

    /// <summary>A SMACT oxidation-state file of the catalog with SMACT's Pauling electronegativities.</summary>
    public static OxidationStateSet SmactStates(string file, string name)
    {
        var store = DatasetStore.FromEnvironment();
        var oxidation = DatasetCatalog.Default.Get("smact_oxidation_states");
        var elements = DatasetCatalog.Default.Get("smact_elements");
        var states = SmactTableReader.ReadOxidationStates(store.EnsureFileAsync(oxidation, oxidation.File(file)).GetAwaiter().GetResult());
        var eneg = SmactTableReader.ReadPaulingElectronegativities(store.EnsureFileAsync(elements, elements.File("element_data.txt")).GetAwaiter().GetResult());
        return new OxidationStateSet(name, states, eneg);
    }

    /// <summary>
    /// 20 elements, 2–4 per candidate, coefficients 1..8, charge-neutral with icsd24 states: 20,440,960 raw
    /// compositions, 4,449,669 candidates (the enumeration and chunking benchmarks' space).
    /// </summary>
    public static MaterialsDb.Screening.Enumeration.CandidateSpace TwentyElementQuaternaries()
    {
        string[] palette = ["Li", "Na", "K", "Mg", "Ca", "Sr", "Ba", "Al", "Ga", "Y", "La", "Ti", "Zr", "Nb", "Ta", "Si", "P", "S", "O", "Cl"];
        return new MaterialsDb.Screening.Enumeration.CandidateSpace
        {
            Palette = [.. palette.Select(s => MaterialsDb.Chemistry.PeriodicTable.AtomicNumberOf(s))],
            MinElements = 2,
            MaxElements = 4,
            MaxCoefficient = 8,
            OxidationStates = SmactStates("oxidation_states_icsd24_filtered.txt", "icsd24"),
        };
    }

    /// <summary>Every 50th charge-neutral candidate of examples/large-space-quaternaries.yaml's space (icsd24 states), <paramref name="rows"/> of them.</summary>
    public static MaterialsDb.Chemistry.CompositionBatch LargeSpaceCandidates(int rows)
    {
        var symbols = new[] { "Li", "Na", "K", "Mg", "Ca", "Sr", "Ba", "Al", "Ga", "Si", "Ge", "Sn", "Ti", "Zr", "Nb", "Zn", "Cu", "Fe", "N", "O", "S", "Cl" };
        var space = new MaterialsDb.Screening.Enumeration.CandidateSpace
        {
            Palette = [.. symbols.Select(s => MaterialsDb.Chemistry.PeriodicTable.AtomicNumberOf(s))],
            MinElements = 2,
            MaxElements = 4,
            MaxCoefficient = 7,
            OxidationStates = BenchmarkData.SmactStates("oxidation_states_icsd24_filtered.txt", "icsd24"),
        };
        var batch = new MaterialsDb.Chemistry.CompositionBatch(rows);
        var amounts = new double[4];
        var stride = 50;   // every 50th candidate, so that all element counts are represented
        var seen = 0;
        MaterialsDb.Screening.Enumeration.CandidateEnumerator.Enumerate(space, (z, c) =>
        {
            if (batch.Count < rows && seen++ % stride == 0)
            {
                for (var i = 0; i < c.Length; i++)
                {
                    amounts[i] = c[i];
                }

                batch.Add(z, amounts.AsSpan(0, c.Length));
            }
        });
        return batch;
    }
}
