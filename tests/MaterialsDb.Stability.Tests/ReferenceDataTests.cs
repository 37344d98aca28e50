using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Stability.Tests;

public sealed class ReferenceDataTests
{
    [Fact]
    public void DuplicateIdsAreRefused()
    {
        var e = Assert.Throws<ReferenceDataException>(() => PhaseEntrySet.Create(
        [
            new PhaseEntry("mp-1", Composition.Parse("LiO"), -1, "t"),
            new PhaseEntry("mp-1", Composition.Parse("Li2O"), -2, "t"),
        ]));
        Assert.Contains("'mp-1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("entries 1 and 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteEnergiesAreRefusedWithTheirRow(double energy)
    {
        var e = Assert.Throws<ReferenceDataException>(() => PhaseEntrySet.FromColumns(["LiO", "Li2O"], [-1, energy], null, "x"));
        Assert.Contains("row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("Li2O", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1e20)]
    [InlineData(10.5)]
    [InlineData(-10.001)]
    public void ImplausibleEnergiesAreRefusedWithTheirRow(double energy)
    {
        // -1e20 used to crash hull construction; anything beyond ±10 eV/atom is a unit error.
        var e = Assert.Throws<ReferenceDataException>(() => PhaseEntrySet.FromColumns(["LiO", "MgO", "Li2O"], [-1, -2, energy], null, "x"));
        Assert.Contains("row 3 (Li2O)", e.Message, StringComparison.Ordinal);
        Assert.Contains("outside ±10 eV/atom", e.Message, StringComparison.Ordinal);
        Assert.Throws<ReferenceDataException>(() => PhaseEntrySet.Create([new PhaseEntry("a", Composition.Parse("MgO"), energy, "t")]));
    }

    [Fact]
    public void EnergiesAtTheEdgeOfTheRangeBuildAHull()
    {
        var set = PhaseEntrySet.FromColumns(["LiO", "Li2O"], [-PhaseEntrySet.MaxAbsFormationEnergyEvPerAtom, -1], null, "x");
        var diagram = new PhaseDiagramCache(set).For("Li-O");
        Assert.Contains(diagram.StableEntries, e => e.Id == "x:1");
    }

    [Fact]
    public void UnparseableFormulasAreRefusedWithTheirRows()
    {
        var e = Assert.Throws<ReferenceDataException>(() => PhaseEntrySet.FromColumns(["LiO", "Xx", "Li(O"], [-1, -1, -1], null, "x"));
        Assert.Contains("row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 problem(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultIdsNameTheSourceAndRow()
    {
        var set = PhaseEntrySet.FromColumns(["LiO", "Li2O"], [-1, -2], [null, "mp-7"], "mp_e_form");
        Assert.Equal(["mp_e_form:1", "mp-7"], set.Entries.Select(e => e.Id));
    }

    [Fact]
    public void SelectsEntriesOfASystem()
    {
        var set = PhaseEntrySet.FromColumns(["LiO", "Li2O", "FeO", "Og"], [-1, -2, -3, 0], null, "x");
        Assert.Equal(["LiO", "Li2O"], set.InSystem([3, 8]).Select(e => e.Composition.Formula));
        Assert.Equal(["Og"], set.InSystem([118]).Select(e => e.Composition.Formula));
    }

    [Fact]
    public void ChemicalSystemNamesAreChecked()
    {
        var cache = new PhaseDiagramCache(PhaseEntrySet.Create([]));
        Assert.Throws<MaterialsDbException>(() => cache.For("Li-Xx"));
        Assert.Throws<MaterialsDbException>(() => cache.For("--"));
        Assert.Same(cache.For("Li-O"), cache.For("O-Li"));
        Assert.Equal(1, cache.Count);                 // the reference is empty: no subsystem has entries to build
    }
}
