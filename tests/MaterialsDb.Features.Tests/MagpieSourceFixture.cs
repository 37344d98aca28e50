using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Features.Tests;

/// <summary>The Magpie element tables from the dataset mirror, imputed and strict.</summary>
public sealed class MagpieSourceFixture
{
    private readonly Lazy<(ElementPropertySource Imputed, ElementPropertySource Strict)> _sources = new(Load);

    public ElementPropertySource Imputed => _sources.Value.Imputed;

    public ElementPropertySource Strict => _sources.Value.Strict;

    private static (ElementPropertySource, ElementPropertySource) Load()
    {
        var dataset = DatasetCatalog.Default.Get("magpie_elementdata");
        var folder = SharedFiles.MirrorStore().EnsureAsync(dataset).GetAwaiter().GetResult();
        var properties = dataset.Files.Where(f => f.Name.EndsWith(".table", StringComparison.Ordinal) && f.Name != "OxidationStates.table")
            .Select(f => f.Name[..^".table".Length]).ToArray();
        double[] Read(string p) => ElementTableReader.ReadValues(Path.Combine(folder, p + ".table"));
        return (
            ElementPropertySource.Create("MagpieData", properties, Read, dataset.Citation, imputeNan: true),
            ElementPropertySource.Create("MagpieData", properties, Read, dataset.Citation, imputeNan: false));
    }
}
