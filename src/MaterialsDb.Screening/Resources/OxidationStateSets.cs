using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Screening.Resources;

/// <summary>Loads the oxidation-state sets a spec may name, with the electronegativities their test uses.</summary>
public static class OxidationStateSets
{
    // SMACT's files for its named sets (SMACT 3: icsd24 filtered is the default).
    private static readonly Dictionary<string, string> SmactFiles = new(StringComparer.Ordinal)
    {
        ["icsd24"] = "oxidation_states_icsd24_filtered.txt",
        ["smact14"] = "oxidation_states.txt",
        ["icsd16"] = "oxidation_states_icsd.txt",
        ["pymatgen_sp"] = "oxidation_states_SP.txt",
    };

    /// <summary>
    /// The set <paramref name="name"/> (default <c>icsd24</c>) with per-element <paramref name="overrides"/>. SMACT's sets
    /// use SMACT's Pauling electronegativities; <c>magpie</c> uses matminer's OxidationStates and Electronegativity tables.
    /// </summary>
    /// <exception cref="MaterialsDbException">An unknown set name.</exception>
    public static async Task<OxidationStateSet> LoadAsync(string? name, IReadOnlyDictionary<int, int[]>? overrides, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        name ??= "icsd24";
        if (SmactFiles.TryGetValue(name, out var file))
        {
            var states = DatasetCatalog.Default.Get("smact_oxidation_states");
            var elements = DatasetCatalog.Default.Get("smact_elements");
            var statesPath = await store.EnsureFileAsync(states, states.File(file), cancellationToken: cancellationToken).ConfigureAwait(false);
            var elementPath = await store.EnsureFileAsync(elements, elements.File("element_data.txt"), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new OxidationStateSet(name, SmactTableReader.ReadOxidationStates(statesPath), SmactTableReader.ReadPaulingElectronegativities(elementPath), overrides);
        }

        if (name == "magpie")
        {
            var magpie = DatasetCatalog.Default.Get(MagpieElementData.DatasetId);
            var statesPath = await store.EnsureFileAsync(magpie, magpie.File("OxidationStates.table"), cancellationToken: cancellationToken).ConfigureAwait(false);
            var eneg = await ElementTableSet.LoadAsync(store, magpie, ["Electronegativity"], cancellationToken).ConfigureAwait(false);
            return new OxidationStateSet(name, ElementTableReader.ReadIntegerLists(statesPath), eneg["Electronegativity"], overrides);
        }

        throw new MaterialsDbException($"Unknown oxidation-state set '{name}'; the sets are icsd24, smact14, icsd16, pymatgen_sp and magpie.");
    }
}
