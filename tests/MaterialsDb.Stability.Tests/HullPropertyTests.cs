using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Stability.Tests;

/// <summary>Invariants of the hull on real systems and on hand-made degenerate ones.</summary>
public sealed class HullPropertyTests(ReferenceSetFixture reference) : IClassFixture<ReferenceSetFixture>
{
    private static PhaseEntry Entry(string id, string formula, double e) => new(id, Composition.Parse(formula), e, "test");

    [Theory]
    [InlineData("Li-O")]
    [InlineData("Fe-Li-O-P")]
    [InlineData("Co-Li-Mn-O")]
    [InlineData("Mo-S-Se-Te-W")]
    [InlineData("Ba-Ca-Cu-O-Sr-Y")]
    public void StableEntriesAreOnTheHullAndNoKnownEntryIsBelowIt(string chemsys)
    {
        var diagram = new PhaseDiagramCache(reference.Set).For(chemsys);
        var system = chemsys.Split('-').Select(s => PeriodicTable.FromSymbol(s).Z).ToArray();
        var direct = PhaseDiagram.Build(system, reference.Set.InSystem(system));
        var stable = diagram.StableEntries.ToHashSet();
        Assert.NotEmpty(stable);

        // The cache builds from subsystems' stable phases; a build from every entry must find the same hull.
        Assert.Equal(direct.StableEntries.Select(e => e.Id).Order(), diagram.StableEntries.Select(e => e.Id).Order());
        foreach (var entry in direct.Entries)
        {
            var e = diagram.GetEAboveHull(entry.Composition, entry.EFormPerAtomEv);
            Assert.True(e >= -1e-9, $"{entry.Id} {entry.ReducedFormula} is {e} below the hull");
            Assert.InRange(direct.GetEAboveHull(entry.Composition, entry.EFormPerAtomEv) - e, -1e-9, 1e-9);
            if (stable.Contains(entry))
            {
                Assert.InRange(e, -1e-9, 1e-9);
            }
        }

        // Stable ∪ unstable = all: every stable entry is one of the entries.
        Assert.Subset(direct.Entries.ToHashSet(), direct.StableEntries.ToHashSet());
    }

    [Fact]
    public void RowOrderAndElementOrderChangeNothing()
    {
        var entries = reference.Set.InSystem([3, 8, 15, 26]).ToArray();
        var shuffled = entries.OrderBy(e => HashCode.Combine(e.Id, 17)).ToArray();
        var a = PhaseDiagram.Build([3, 8, 15, 26], entries);
        var b = PhaseDiagram.Build([26, 15, 8, 3], shuffled);
        Assert.Equal(a.StableEntries.Select(e => e.Id), b.StableEntries.Select(e => e.Id));
        foreach (var e in entries)
        {
            var ra = a.GetDecompositionAndEAboveHull(e.Composition, e.EFormPerAtomEv);
            var rb = b.GetDecompositionAndEAboveHull(e.Composition, e.EFormPerAtomEv);
            Assert.Equal(ra.EAboveHullEvPerAtom, rb.EAboveHullEvPerAtom);
            Assert.Equal(ra.Decomposition.Select(p => p.Phase.Id), rb.Decomposition.Select(p => p.Phase.Id));
        }
    }

    [Fact]
    public void AddingAPointOnTheHullChangesNoAnswer()
    {
        var entries = reference.Set.InSystem([3, 8]).ToList();
        var before = PhaseDiagram.Build([3, 8], entries);

        // The midpoint of a hull edge, at exactly the hull energy.
        var li2o = Composition.Parse("Li2O");
        var mid = Composition.Parse("Li4O3");
        var hull = before.GetHullEnergy(mid);
        entries.Add(new PhaseEntry("on-hull", mid, hull, "test"));
        var after = PhaseDiagram.Build([3, 8], entries);
        foreach (var e in entries.Take(entries.Count - 1))
        {
            Assert.InRange(after.GetEAboveHull(e.Composition, e.EFormPerAtomEv) - before.GetEAboveHull(e.Composition, e.EFormPerAtomEv), -1e-12, 1e-12);
        }

        Assert.InRange(after.GetHullEnergy(li2o) - before.GetHullEnergy(li2o), -1e-12, 1e-12);
    }

    [Fact]
    public void RepeatedBuildsGiveIdenticalAnswers()
    {
        var entries = reference.Set.InSystem([3, 25, 27, 8]).ToArray();
        var a = PhaseDiagram.Build([3, 8, 25, 27], entries);
        var b = PhaseDiagram.Build([3, 8, 25, 27], entries);
        Assert.Equal(a.FacetCount, b.FacetCount);
        foreach (var e in entries)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.GetHullEnergy(e.Composition)), BitConverter.DoubleToInt64Bits(b.GetHullEnergy(e.Composition)));
        }
    }

    [Fact]
    public void OnlyElementsGiveAFlatHull()
    {
        var diagram = PhaseDiagram.Build([26, 8, 3], []);
        Assert.Equal(0, diagram.GetHullEnergy(Composition.Parse("LiFeO2")), 12);
        Assert.Equal(3, diagram.StableEntries.Count);
        var r = diagram.GetDecompositionAndEAboveHull(Composition.Parse("Fe2O3"), -1.0);
        Assert.Equal(-1.0, r.EAboveHullEvPerAtom, 12);
        Assert.True(r.IsStable);
        Assert.Equal(["O2", "Fe"], r.Decomposition.Select(p => p.Phase.ReducedFormula));
        Assert.Equal([0.6, 0.4], r.Decomposition.Select(p => Math.Round(p.Fraction, 12)));
    }

    [Fact]
    public void DegenerateInputIsHandled()
    {
        PhaseEntry[] entries =
        [
            Entry("a", "LiO", -1.0),
            Entry("b", "LiO", -1.0),            // exact duplicate
            Entry("c", "LiO", -0.5),            // same composition, higher
            Entry("d", "Li3O", -0.5),           // exactly on the Li–LiO edge (collinear)
            Entry("e", "LiO3", 0.3),            // positive formation energy
            Entry("f", "Li2O", -2.0 / 3.0),     // also exactly collinear
        ];

        var diagram = PhaseDiagram.Build([3, 8], entries);
        Assert.Equal(["Li", "Li2O2", "O2"], diagram.StableEntries.Select(e => e.ReducedFormula).Order(StringComparer.Ordinal));
        Assert.Equal("a", diagram.StableEntries.Single(e => e.ReducedFormula == "Li2O2").Id);
        Assert.InRange(diagram.GetEAboveHull(Composition.Parse("Li3O"), -0.5), -1e-12, 1e-12);
        Assert.InRange(diagram.GetEAboveHull(Composition.Parse("Li2O"), -2.0 / 3.0), -1e-12, 1e-12);
        Assert.Equal(0.8, diagram.GetEAboveHull(Composition.Parse("LiO3"), 0.3), 12);
        Assert.Equal(0.5, diagram.GetEAboveHull(Composition.Parse("LiO"), -0.5), 12);
        Assert.Equal(2, diagram.FacetCount);
    }

    [Fact]
    public void EightElementSystemsWork()
    {
        var diagram = new PhaseDiagramCache(reference.Set).For("Ba-Ca-Cu-Fe-La-O-Sr-Ti");
        Assert.Equal(8, diagram.Elements.Count);
        Assert.True(diagram.FacetCount > 0);
        var r = diagram.GetDecompositionAndEAboveHull(Composition.Parse("BaCaCuFeLaO8SrTi"), -2.0);
        Assert.InRange(r.Decomposition.Sum(p => p.Fraction), 1 - 1e-9, 1 + 1e-9);
        Assert.InRange(r.Decomposition.Sum(p => p.Fraction * p.Phase.EFormPerAtomEv) - r.HullEnergyEvPerAtom, -1e-9, 1e-9);
    }

    [Fact]
    public void QueryOutsideTheSystemIsRejected()
    {
        var diagram = PhaseDiagram.Build([3, 8], []);
        var e = Assert.Throws<ArgumentException>(() => diagram.GetHullEnergy(Composition.Parse("LiFeO2")));
        Assert.Contains("Fe", e.Message, StringComparison.Ordinal);
        Assert.Contains("Li-O", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownElementsInTheQueryCountAtZero()
    {
        // No entry in the reference contains Og: its system's hull is built from the subsystems and the elements.
        var diagram = new PhaseDiagramCache(reference.Set).For("Og-O");
        Assert.Equal(0, diagram.GetHullEnergy(Composition.Parse("OgO2")), 12);
    }

    [Fact]
    public void UnarySystems()
    {
        var diagram = PhaseDiagram.Build([26], [Entry("fe-bcc", "Fe", 0.0), Entry("fe-x", "Fe2", 0.1)]);
        Assert.Equal(0, diagram.GetHullEnergy(Composition.Parse("Fe")), 12);
        Assert.Equal(0.1, diagram.GetEAboveHull(Composition.Parse("Fe"), 0.1), 12);
    }
}

public sealed class SubsystemIndexTests(ReferenceSetFixture reference) : IClassFixture<ReferenceSetFixture>
{
    [Fact]
    public void IndexedLookupEqualsAFullScan()
    {
        var random = new Random(5);
        for (var t = 0; t < 50; t++)
        {
            var system = Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(1, 95)).Distinct().ToArray();
            var expected = reference.Set.Entries.Where(e => e.Composition.AtomicNumbers.ToArray().All(z => system.Contains(z))).Select(e => e.Id);
            Assert.Equal(expected, reference.Set.InSystem(system).Select(e => e.Id));
        }

        // Larger than the subset lookup handles: the scan path.
        var big = Enumerable.Range(1, 20).ToArray();
        Assert.Equal(
            reference.Set.Entries.Where(e => e.Composition.AtomicNumbers.ToArray().All(z => z <= 20)).Select(e => e.Id),
            reference.Set.InSystem(big).Select(e => e.Id));
    }
}
