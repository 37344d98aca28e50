using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Stability.Tests;

/// <summary>The level-ordered parallel build, the incremental cache and concurrent decompositions on real hulls.</summary>
public sealed class WholeDatabaseBuildTests(ReferenceSetFixture reference) : IClassFixture<ReferenceSetFixture>
{
    // Every chemical system of mp_e_form's lithium entries: 1 to 7 elements, thousands of hulls.
    private int[][] LithiumSystems() =>
    [
        .. reference.Set.Entries.Where(e => e.Composition.AtomicNumbers.Contains((byte)3))
            .Select(e => string.Join('-', e.Composition.AtomicNumbers.ToArray().Order()))
            .Distinct()
            .Select(s => s.Split('-').Select(int.Parse).ToArray()),
    ];

    [Fact]
    public void ALevelOrderedParallelBuildGivesTheHullsOfOneByOneBuilds()
    {
        var systems = LithiumSystems();
        Assert.True(systems.Length > 1000, $"{systems.Length} systems");
        Assert.Contains(systems, s => s.Length >= 6);

        var parallel = new PhaseDiagramCache(reference.Set);
        var count = parallel.BuildAll(systems, threads: 2, TestContext.Current.CancellationToken);
        Assert.True(count > systems.Length, "the subsystems the systems rest on are built too");

        var serial = new PhaseDiagramCache(reference.Set);
        var random = new Random(5);
        foreach (var system in systems.Reverse())
        {
            var a = parallel.For(system);
            var b = serial.For(system);
            Assert.Equal(b.FacetCount, a.FacetCount);
            Assert.Equal(b.StableEntries.Select(e => e.Id), a.StableEntries.Select(e => e.Id));

            // Same construction, same numbers: equal to the last bit at random compositions of the system.
            var amounts = new double[system.Length];
            for (var q = 0; q < 5; q++)
            {
                for (var k = 0; k < amounts.Length; k++)
                {
                    amounts[k] = random.Next(1, 7);
                }

                var composition = Composition.Parse(string.Concat(system.Select((z, k) => PeriodicTable.FromZ(z).Symbol + amounts[k])));
                Assert.Equal(b.GetHullEnergy(composition), a.GetHullEnergy(composition));
            }
        }

        Assert.Equal(count, parallel.Count);
    }

    [Fact]
    public void AddingEntriesRebuildsOnlyTheSystemsThatContainThem()
    {
        var cache = new PhaseDiagramCache(reference.Set);
        string[] systems = ["Li-O", "Fe-O", "Fe-Li-O", "Fe-Li-O-P", "Co-Fe-O", "Li-P"];
        var before = systems.ToDictionary(s => s, cache.For);

        // A lithium peroxide far below the known one: it changes every system with Li and O, and no other.
        var peroxide = new PhaseEntry("added:Li2O2", Composition.Parse("Li2O2"), -2.5, "test");
        var updated = cache.WithEntries([peroxide]);
        foreach (var s in new[] { "Fe-O", "Co-Fe-O", "Li-P" })
        {
            Assert.Same(before[s], updated.For(s));
        }

        var fresh = new PhaseDiagramCache(PhaseEntrySet.Create(reference.Set.Entries.Append(peroxide)));
        foreach (var s in new[] { "Li-O", "Fe-Li-O", "Fe-Li-O-P" })
        {
            var rebuilt = updated.For(s);
            Assert.NotSame(before[s], rebuilt);
            Assert.Contains(rebuilt.StableEntries, e => e.Id == peroxide.Id);
            Assert.Equal(fresh.For(s).StableEntries.Select(e => e.Id), rebuilt.StableEntries.Select(e => e.Id));
            Assert.Equal(-2.5, rebuilt.GetHullEnergy(peroxide.Composition), 12);
        }

        // The original cache is untouched.
        Assert.DoesNotContain(cache.For("Li-O").StableEntries, e => e.Id == peroxide.Id);
        Assert.Throws<ReferenceDataException>(() => cache.WithEntries([peroxide, peroxide]));
    }

    [Fact]
    public void DecompositionsFromManyThreadsEqualSequentialOnes()
    {
        int[] system = [20, 29, 38, 39, 56, 8];
        var compositions = Enumerable.Range(0, 3000).Select(i =>
        {
            var random = new Random(i);
            return Composition.Parse(string.Concat(system.Select(z => PeriodicTable.FromZ(z).Symbol + random.Next(1, 5))));
        }).ToArray();

        // Fresh diagrams: the decomposition matrices are made on first use, here by racing threads.
        var sequential = new PhaseDiagramCache(reference.Set).For(system);
        var raced = new PhaseDiagramCache(reference.Set).For(system);
        var expected = compositions.Select(c => sequential.GetDecompositionAndEAboveHull(c, -1.0)).ToArray();
        var actual = new StabilityResult[compositions.Length];
        Parallel.For(0, compositions.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = raced.GetDecompositionAndEAboveHull(compositions[i], -1.0));
        for (var i = 0; i < compositions.Length; i++)
        {
            Assert.Equal(expected[i].EAboveHullEvPerAtom, actual[i].EAboveHullEvPerAtom);
            Assert.Equal(expected[i].Decomposition.Select(p => (p.Phase.Id, p.Fraction)), actual[i].Decomposition.Select(p => (p.Phase.Id, p.Fraction)));
        }
    }
}
