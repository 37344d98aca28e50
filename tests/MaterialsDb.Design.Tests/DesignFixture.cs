using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Screening.Scoring;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Design.Tests;

/// <summary>The Magpie featurizer and supply-risk table from the mirror, loaded once for every test.</summary>
internal static class DesignFixture
{
    private static readonly Lazy<Task<(ICompositionFeaturizer, SupplyRisk)>> Loaded = new(async () =>
    {
        var store = SharedFiles.MirrorStore();
        var magpie = await MagpieElementData.LoadAsync(store);
        var hhi = await ElementTableSet.LoadAsync(store, DatasetCatalog.Default.Get(MagpieElementData.DatasetId), ["HHIp", "HHIr"], default);
        return (FeaturizerPresets.Create("magpie", magpie), new SupplyRisk(hhi["HHIp"], hhi["HHIr"]));
    });

    public static async Task<ICompositionFeaturizer> FeaturizerAsync() => (await Loaded.Value).Item1;

    public static async Task<SupplyRisk> SupplyAsync() => (await Loaded.Value).Item2;
}
