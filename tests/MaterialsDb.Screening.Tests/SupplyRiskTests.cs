using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Scoring;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

public sealed class SupplyRiskTests
{
    [Fact]
    public async Task MassWeightedHhiFromTheCatalogTables()
    {
        var store = SharedFiles.MirrorStore();
        var magpie = DatasetCatalog.Default.Get("magpie_elementdata");
        var tables = await ElementTableSet.LoadAsync(store, magpie, ["HHIp", "HHIr"], TestContext.Current.CancellationToken);
        var risk = new SupplyRisk(tables["HHIp"], tables["HHIr"]);
        var fe2o3 = Composition.Parse("Fe2O3");

        // Fe: HHIp 2400, HHIr 1400; O: 500 and 500; weights by mass.
        double fe = 2 * 55.845, o = 3 * 15.9994;
        Assert.Equal(((fe * 2400) + (o * 500)) / (fe + o), risk.Production(fe2o3.AtomicNumbers, fe2o3.Amounts), 9);
        Assert.Equal(((fe * 1400) + (o * 500)) / (fe + o), risk.Reserves(fe2o3.AtomicNumbers, fe2o3.Amounts), 9);

        // Same for any multiple of the formula; NaN when an element has no value (H has none).
        var fe4o6 = Composition.Parse("Fe4O6");
        Assert.Equal(risk.Production(fe2o3.AtomicNumbers, fe2o3.Amounts), risk.Production(fe4o6.AtomicNumbers, fe4o6.Amounts), 9);
        var water = Composition.Parse("H2O");
        Assert.True(double.IsNaN(risk.Production(water.AtomicNumbers, water.Amounts)));
    }
}
