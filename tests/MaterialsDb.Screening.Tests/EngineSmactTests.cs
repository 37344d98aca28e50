using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

/// <summary>A spec with no models and no stability is pure enumeration: the engine's rows are SMACT's sets, in enumeration order.</summary>
public sealed class EngineSmactTests(ScreeningFixture fixture) : IClassFixture<ScreeningFixture>
{
    [Theory]
    [InlineData("icsd24", "icsd24", false)]
    [InlineData("icsd24+pauling", "icsd24", true)]
    [InlineData("smact14", "smact14", false)]
    [InlineData("smact14+pauling", "smact14", true)]
    public async Task PureEnumerationSpecGivesSmactsSets(string set, string oxidationStates, bool pauling)
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(SharedFiles.Reference("smact_dev.json"), TestContext.Current.CancellationToken));
        var root = json.RootElement;
        var palette = root.GetProperty("palette").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var sizes = root.GetProperty("n_elements").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = root.GetProperty("sets").GetProperty(set).GetProperty("formulas").EnumerateArray().Select(e => Composition.Parse(e.GetString()!).ReducedFormula).ToArray();
        var text = $"""
            name: smact
            candidates:
              enumerate:
                elements: [{string.Join(", ", palette)}]
                n_elements: [{sizes.Min()}, {sizes.Max()}]
                max_coefficient: {root.GetProperty("max_coefficient").GetInt32()}
                oxidation_states: {oxidationStates}
                electronegativity_test: {(pauling ? "true" : "false")}
            top: 1000000
            """;
        var spec = SpecParser.Parse(text);
        using var resources = await ScreeningResources.LoadAsync(spec, SharedFiles.MirrorStore(), fixture.Registry, TestContext.Current.CancellationToken);
        var result = ScreeningEngine.Run(new ScreeningPlan(spec, resources), cancellationToken: TestContext.Current.CancellationToken);

        var formulas = result.Rows.Select(r => Batch(r)[0].ReducedFormula).ToArray();
        Assert.Equal(expected.Length, formulas.Length);
        Assert.Equal(expected.Order(StringComparer.Ordinal), formulas.Order(StringComparer.Ordinal));
        var sequences = result.Rows.Select(r => r.Sequence).ToArray();
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public async Task MagpieStatesAndOverridesLoad()
    {
        var spec = SpecParser.Parse("name: m\ncandidates:\n  enumerate: {elements: [Fe, O], n_elements: [2, 2], max_coefficient: 4, oxidation_states: {Fe: [2], O: [-2]}}\ntop: 100\n");
        using var overridden = await ScreeningResources.LoadAsync(spec, SharedFiles.MirrorStore(), fixture.Registry, TestContext.Current.CancellationToken);
        var rows = ScreeningEngine.Run(new ScreeningPlan(spec, overridden), cancellationToken: TestContext.Current.CancellationToken).Rows;
        Assert.Equal(["FeO"], rows.Select(r => Batch(r)[0].ReducedFormula));

        var magpie = SpecParser.Parse("name: m\ncandidates:\n  enumerate: {elements: [Fe, O], n_elements: [2, 2], max_coefficient: 4, oxidation_states: magpie}\ntop: 100\n");
        using var resources = await ScreeningResources.LoadAsync(magpie, SharedFiles.MirrorStore(), fixture.Registry, TestContext.Current.CancellationToken);
        Assert.Equal("magpie", resources.OxidationStates!.Name);
        var found = ScreeningEngine.Run(new ScreeningPlan(magpie, resources), cancellationToken: TestContext.Current.CancellationToken).Rows.Select(r => Batch(r)[0].ReducedFormula).ToArray();
        Assert.Contains("FeO", found);
        Assert.Contains("Fe2O3", found);
    }

    [Fact]
    public async Task AParquetListIsReadLikeACsv()
    {
        using var dir = new TempDirectory();
        var table = new ColumnTable([new StringColumn("formula", ["NaCl", "??", "MgO"]), new DoubleColumn("x", [1, 2, 3])]);
        await TableWriter.WriteAsync(table, dir.File("c.parquet"), cancellationToken: TestContext.Current.CancellationToken);
        var spec = "name: p\ncandidates: {list: c.parquet}\npredict: [band-gap-pbe]\n";
        var result = ScreeningEngine.Run(fixture.Plan(spec), new ScreeningOptions { BaseDirectory = dir.Path }, TestContext.Current.CancellationToken);
        Assert.Equal(["NaCl", "MgO"], result.Rows.Select(r => r.SourceFormula));
        Assert.Equal(2, Assert.Single(result.Errors).Row);
    }

    private static CompositionBatch Batch(CandidateRow row)
    {
        var b = new CompositionBatch(1);
        b.Add(row.AtomicNumbers, row.Amounts);
        return b;
    }
}
