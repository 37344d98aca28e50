using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Screening.Resources;

/// <summary>A named oxidation-state set: what it is, where it comes from, and how it loads (with the electronegativities its test uses).</summary>
/// <param name="Name">The name specs use (<c>oxidation_states: icsd24</c>).</param>
/// <param name="Description">One line for help texts and docs.</param>
/// <param name="Load">Loads the set, applying per-element overrides.</param>
public sealed record OxidationStateSetSource(string Name, string Description, Func<IReadOnlyDictionary<int, int[]>?, DatasetStore, CancellationToken, Task<OxidationStateSet>> Load);

/// <summary>
/// The registry of oxidation-state sets: the spec parser, its JSON Schema, help texts and the loader all read this one
/// list, so a new set is one entry here.
/// </summary>
public static class OxidationStateSets
{
    /// <summary>The set used when a spec names none (SMACT 3's default).</summary>
    public const string Default = "icsd24";

    /// <summary>Every set, the default first.</summary>
    public static IReadOnlyList<OxidationStateSetSource> All { get; } =
    [
        Smact(Default, "oxidation_states_icsd24_filtered.txt", "ICSD 2024, states with more than 5 reports (SMACT's default)"),
        Smact("smact14", "oxidation_states.txt", "SMACT's 2014 compilation"),
        Smact("icsd16", "oxidation_states_icsd.txt", "ICSD 2016 states (SMACT)"),
        Smact("pymatgen_sp", "oxidation_states_SP.txt", "pymatgen's structure-predictor states (SMACT)"),
        new("magpie", "matminer's OxidationStates.table, with Magpie's electronegativities", LoadMagpieAsync),
    ];

    /// <summary>The set names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(s => s.Name)];

    /// <summary>
    /// The set <paramref name="name"/> (default <see cref="Default"/>) with per-element <paramref name="overrides"/>.
    /// SMACT's sets use SMACT's Pauling electronegativities; <c>magpie</c> uses matminer's tables.
    /// </summary>
    /// <exception cref="MaterialsDbException">An unknown set name.</exception>
    public static Task<OxidationStateSet> LoadAsync(string? name, IReadOnlyDictionary<int, int[]>? overrides, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        name ??= Default;
        return All.FirstOrDefault(s => s.Name == name) is { } source
            ? source.Load(overrides, store, cancellationToken)
            : throw new MaterialsDbException($"Unknown oxidation-state set '{name}'; the sets are {string.Join(", ", Names)}.");
    }

    private static OxidationStateSetSource Smact(string name, string file, string description) => new(name, description, async (overrides, store, ct) =>
    {
        var states = DatasetCatalog.Default.Get("smact_oxidation_states");
        var elements = DatasetCatalog.Default.Get("smact_elements");
        var statesPath = await store.EnsureFileAsync(states, states.File(file), cancellationToken: ct).ConfigureAwait(false);
        var elementPath = await store.EnsureFileAsync(elements, elements.File("element_data.txt"), cancellationToken: ct).ConfigureAwait(false);
        return new OxidationStateSet(name, SmactTableReader.ReadOxidationStates(statesPath), SmactTableReader.ReadPaulingElectronegativities(elementPath), overrides);
    });

    private static async Task<OxidationStateSet> LoadMagpieAsync(IReadOnlyDictionary<int, int[]>? overrides, DatasetStore store, CancellationToken ct)
    {
        var magpie = DatasetCatalog.Default.Get(MagpieElementData.DatasetId);
        var statesPath = await store.EnsureFileAsync(magpie, magpie.File("OxidationStates.table"), cancellationToken: ct).ConfigureAwait(false);
        var eneg = await ElementTableSet.LoadAsync(store, magpie, ["Electronegativity"], ct).ConfigureAwait(false);
        return new OxidationStateSet("magpie", ElementTableReader.ReadIntegerLists(statesPath), eneg["Electronegativity"], overrides);
    }
}
