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

    /// <summary>
    /// A 2,000,000-entry database's hull references, one set per energy scheme as the database keeps them: mp2020 is
    /// mp_e_form plus generated entries (2–4 of the first 83 elements without noble gases, counts 1–8, −4 to 0.5
    /// eV/atom, seeded: the recipe of the load test's database), oqmd is the catalog's OQMD formation enthalpies.
    /// </summary>
    public static (PhaseEntrySet Mp2020, PhaseEntrySet Oqmd) TwoMillionEntryReferences()
    {
        var store = DatasetStore.FromEnvironment();
        var oqmd = DatasetCatalog.Default.Get("oqmd_formation_enthalpy");
        var oqmdEntries = new List<PhaseEntry>();
        foreach (var file in oqmd.Files)
        {
            // As `db import` does, rows beyond ±10 eV/atom (ten of them) or without a formula are left out.
            var table = CsvTableReader.Read(store.EnsureFileAsync(oqmd, file).GetAwaiter().GetResult(), ["formula"]);
            var formulas = table.GetStrings("formula");
            var energies = table.GetDoubles("target");
            for (var i = 0; i < energies.Length; i++)
            {
                if (formulas[i] is { } f && FormulaParser.TryParse(f, out var composition, out _) && PhaseEntrySet.EnergyProblem(energies[i]) is null)
                {
                    oqmdEntries.Add(new PhaseEntry($"oqmd:{file.Name}:{i + 1}", composition, energies[i], "oqmd"));
                }
            }
        }

        var random = new Random(14);
        var elements = Enumerable.Range(1, 83).Select(PeriodicTable.FromZ).Where(e => e.Symbol is not ("He" or "Ne" or "Ar" or "Kr" or "Xe")).ToArray();
        var mp = new List<PhaseEntry>(MpEFormReference().Entries);
        var formula = new System.Text.StringBuilder();
        while (mp.Count + oqmdEntries.Count < 2_000_000)
        {
            formula.Clear();
            foreach (var e in elements.OrderBy(_ => random.Next()).Take(random.Next(2, 5)))
            {
                formula.Append(e.Symbol);
                var count = random.Next(1, 9);
                if (count > 1)
                {
                    formula.Append(count);
                }
            }

            mp.Add(new PhaseEntry($"generated:{mp.Count}", FormulaParser.Parse(formula.ToString()), Math.Round(-4 + (4.5 * random.NextDouble()), 4), "generated"));
        }

        return (PhaseEntrySet.Create(mp), PhaseEntrySet.Create(oqmdEntries));
    }

    /// <summary>The chemical systems of a reference set's entries, each once.</summary>
    public static int[][] ChemicalSystems(PhaseEntrySet set) =>
        [.. set.Entries.Select(e => e.Composition.ChemicalSystem).Distinct().Select(s => s.Split('-').Select(x => (int)PeriodicTable.FromSymbol(x).Z).ToArray())];

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
