using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;

namespace MaterialsDb.Models.ElementSources;

/// <summary>The Magpie element tables of the catalog as a featurizer source.</summary>
public static class MagpieElementData
{
    /// <summary>Catalog id of the Magpie tables.</summary>
    public const string DatasetId = "magpie_elementdata";

    /// <summary>Fetches (if needed) and loads the tables the presets need; <paramref name="imputeNan"/> as matminer's default.</summary>
    public static async Task<ElementPropertySource> LoadAsync(DatasetStore store, bool imputeNan = true, CancellationToken cancellationToken = default)
    {
        var dataset = DatasetCatalog.Default.Get(DatasetId);
        var tables = await ElementTableSet.LoadAsync(store, dataset, FeaturizerPresets.RequiredProperties, cancellationToken).ConfigureAwait(false);
        return ElementPropertySource.Create("MagpieData", tables.Keys, p => tables[p], dataset.Citation, imputeNan);
    }
}
