using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Training.Tests;

/// <summary>A small catalog regression dataset from the mirror, featurized with a preset over Magpie's element data.</summary>
internal static class MatbenchData
{
    public static async Task<(ICompositionFeaturizer Featurizer, float[] Features, float[] Targets)> LoadAsync(string dataset, string preset)
    {
        var store = SharedFiles.MirrorStore();
        var magpieData = DatasetCatalog.Default.Get("magpie_elementdata");
        var tables = await ElementTableSet.LoadAsync(store, magpieData, FeaturizerPresets.RequiredProperties, TestContext.Current.CancellationToken);
        var featurizer = FeaturizerPresets.Create(preset, ElementPropertySource.Create("MagpieData", tables.Keys, p => tables[p], magpieData.Citation, imputeNan: true));

        var entry = DatasetCatalog.Default.Get(dataset);
        var path = await store.EnsureFileAsync(entry, entry.Files[0], cancellationToken: TestContext.Current.CancellationToken);
        var table = CsvTableReader.Read(path, [entry.Format.FormulaColumn!]);
        var batch = new CompositionBatch();
        foreach (var f in table.GetStrings(entry.Format.FormulaColumn!))
        {
            Assert.True(batch.TryAdd(f!, out _));
        }

        var features = new float[batch.Count * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, batch, features, cancellationToken: TestContext.Current.CancellationToken);
        return (featurizer, features, [.. table.GetDoubles(entry.Format.Target!).Select(v => (float)v)]);
    }
}
