using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

/// <summary>The enumerated sets equal SMACT's for the palette of shared/reference/smact_dev.json.</summary>
public sealed class SmactReferenceTests
{
    [Theory]
    [InlineData("icsd24", "oxidation_states_icsd24_filtered.txt", false)]
    [InlineData("icsd24+pauling", "oxidation_states_icsd24_filtered.txt", true)]
    [InlineData("smact14", "oxidation_states.txt", false)]
    [InlineData("smact14+pauling", "oxidation_states.txt", true)]
    public async Task EnumerationEqualsSmact(string set, string file, bool pauling)
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(SharedFiles.Reference("smact_dev.json"), TestContext.Current.CancellationToken));
        var root = json.RootElement;
        var palette = root.GetProperty("palette").EnumerateArray().Select(e => PeriodicTable.FromSymbol(e.GetString()!).Z).ToArray();
        var sizes = root.GetProperty("n_elements").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = root.GetProperty("sets").GetProperty(set).GetProperty("formulas").EnumerateArray().Select(e => e.GetString()!).ToArray();

        var states = await LoadAsync(file, set);
        var found = new List<string>();
        var count = CandidateEnumerator.Enumerate(
            new CandidateSpace
            {
                Palette = palette,
                MinElements = sizes.Min(),
                MaxElements = sizes.Max(),
                MaxCoefficient = root.GetProperty("max_coefficient").GetInt32(),
                ChargeNeutral = true,
                ElectronegativityTest = pauling,
                OxidationStates = states,
            },
            (z, c) => found.Add(CandidateEnumerator.Format(z, c)));

        Assert.Equal(expected.Length, count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
    }

    internal static async Task<OxidationStateSet> LoadAsync(string file, string name)
    {
        var store = SharedFiles.MirrorStore();
        var oxidation = DatasetCatalog.Default.Get("smact_oxidation_states");
        var elements = DatasetCatalog.Default.Get("smact_elements");
        var statesPath = await store.EnsureFileAsync(oxidation, oxidation.File(file), cancellationToken: TestContext.Current.CancellationToken);
        var elementPath = await store.EnsureFileAsync(elements, elements.File("element_data.txt"), cancellationToken: TestContext.Current.CancellationToken);
        return new OxidationStateSet(name, SmactTableReader.ReadOxidationStates(statesPath), SmactTableReader.ReadPaulingElectronegativities(elementPath));
    }
}
