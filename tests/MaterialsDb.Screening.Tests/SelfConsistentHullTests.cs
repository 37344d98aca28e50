using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Output;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Stability;

namespace MaterialsDb.Screening.Tests;

/// <summary>stability.self_consistent: candidates compete on one hull with the known phases, each judged without itself.</summary>
public sealed class SelfConsistentHullTests(ScreeningFixture fixture) : IClassFixture<ScreeningFixture>
{
    private const string Space = """
        name: self-consistent
        candidates:
          enumerate:
            elements: [Li, Mg, O, S, Cl, Fe]
            n_elements: [3, 3]
            max_coefficient: 4
            charge_neutral: true
        stability: {reference: mp_e_form, model: formation-energy%EXTRA%}
        rank:
          by: [e_above_hull]
        top: 100000
        """;

    private static string List(IEnumerable<string> formulas, bool selfConsistent) =>
        $"name: pair\ncandidates: {{formulas: [{string.Join(", ", formulas)}]}}\nstability: {{reference: mp_e_form, model: formation-energy{(selfConsistent ? ", self_consistent: true" : string.Empty)}}}\nrank: {{by: [e_above_hull]}}\n";

    [Fact]
    public void TwoCandidatesOfOneSystemCompete()
    {
        // Candidates predicted below the known phases' hull, by system.
        var plain = Run(Space.Replace("%EXTRA%", string.Empty, StringComparison.Ordinal));
        var q = plain.Plan.Quantities;
        var below = plain.Rows.Where(r => r.Values[q[Quantities.EAboveHull]] < -1e-6).GroupBy(r => Formula(r).ChemicalSystem).Where(g => g.Count() >= 2).ToArray();
        Assert.NotEmpty(below);

        // A pair where the higher one lies above the line through the lower one: it must rise; the lower one stays.
        foreach (var system in below)
        {
            var rows = system.OrderBy(r => r.Values[q[Quantities.EAboveHull]]).ToArray();
            var lower = rows[0];
            foreach (var higher in rows.Skip(1))
            {
                string[] pair = [Formula(lower).ReducedFormula, Formula(higher).ReducedFormula];
                var alone = Run(List(pair, selfConsistent: false));
                var together = Run(List(pair, selfConsistent: true));
                var (aloneTable, _) = ResultTable.Build(alone, "x");
                var (togetherTable, _) = ResultTable.Build(together, "x");
                double EAbove(Engine.ScreeningResult r, string formula) => r.Rows.Single(x => Formula(x).ReducedFormula == formula).Values[q[Quantities.EAboveHull]];
                var risen = EAbove(together, pair[1]) - EAbove(alone, pair[1]);
                Assert.True(risen >= -1e-12, "a candidate can only rise when others join the hull");
                if (risen < 1e-6)
                {
                    continue;
                }

                // The lower one is a vertex of the combined hull: judged without itself, nothing changes for it.
                Assert.Equal(EAbove(alone, pair[0]), EAbove(together, pair[0]), 12);
                Assert.Equal(Decomposition(aloneTable, pair[0]), Decomposition(togetherTable, pair[0]));
                // The higher one's hull now runs through the lower one, named as a candidate in its decomposition.
                var eForm = lower.Values[q["formation-energy"]];
                var withLower = new PhaseDiagramCache(PhaseEntrySet.Create(fixture.Resources.Hulls!.Reference.Entries.Append(new PhaseEntry("lower", Formula(lower), eForm, "test"))));
                var higherComposition = Formula(higher);
                Assert.Equal(higher.Values[q["formation-energy"]] - withLower.For(higherComposition).GetHullEnergy(higherComposition), EAbove(together, pair[1]), 9);
                Assert.Contains(pair[0], Decomposition(togetherTable, pair[1]));
                Assert.Equal(pair[0], togetherTable.GetStrings("decomposition_candidates")[Array.IndexOf(togetherTable.GetStrings("formula"), pair[1])]);
                Assert.True(string.IsNullOrEmpty(aloneTable.GetStrings("decomposition_candidates")[0]));
                return;
            }
        }

        Assert.Fail("no pair of competing candidates found");
    }

    [Fact]
    public void SelfConsistentResultsDoNotDependOnThreadsOrTiles()
    {
        var plan = fixture.Plan(Space.Replace("%EXTRA%", ", self_consistent: true", StringComparison.Ordinal));
        var reference = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = 16_384, Threads = 1 }, TestContext.Current.CancellationToken);
        var other = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = 37, Threads = 3 }, TestContext.Current.CancellationToken);
        Assert.Equal(reference.Rows.Select(r => r.Sequence), other.Rows.Select(r => r.Sequence));
        Assert.Equal(reference.Rows.SelectMany(r => r.Values), other.Rows.SelectMany(r => r.Values));

        // Every candidate sits at or above where it sat against the known phases alone; some rise.
        var plain = Run(Space.Replace("%EXTRA%", string.Empty, StringComparison.Ordinal));
        var q = plan.Quantities;
        var before = plain.Rows.ToDictionary(r => r.Sequence, r => r.Values[q[Quantities.EAboveHull]]);
        Assert.All(reference.Rows, r => Assert.True(r.Values[q[Quantities.EAboveHull]] >= before[r.Sequence] - 1e-12));
        Assert.Contains(reference.Rows, r => r.Values[q[Quantities.EAboveHull]] > before[r.Sequence] + 1e-6);
    }

    [Fact]
    public void AVertexIsJudgedAsAgainstEveryOtherVertexAndTheKnownPhases()
    {
        // The fast way (neighbours of the vertex and the known phases) against the plain one (all of them).
        var plan = fixture.Plan(Space.Replace("%EXTRA%", ", self_consistent: true", StringComparison.Ordinal));
        var combined = ScreeningEngine.WithCandidates(plan, ScreeningEngine.CandidatesBelowHull(plan, new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken));
        var checkedVertices = 0;
        foreach (var c in combined.Hulls!.Reference.Entries.Where(e => e.Source == ScreeningPlan.CandidateSource))
        {
            var system = c.Composition.AtomicNumbers.ToArray().Select(z => (int)z).Order().ToArray();
            var diagram = combined.Hulls.For(system);
            if (!diagram.StableEntries.Contains(c))
            {
                continue;
            }

            var everyOther = fixture.Resources.Hulls!.For(system).StableEntries
                .Concat(diagram.StableEntries.Where(e => e.Source == ScreeningPlan.CandidateSource && e != c))
                .Where(e => e.Source != PhaseDiagram.ElementalReferenceSource);
            var expected = PhaseDiagram.Build(system, everyOther).GetHullEnergy(c.Composition);
            Assert.Equal(expected, combined.HullFor(system, c.Composition).GetHullEnergy(c.Composition), 9);
            checkedVertices++;
        }

        Assert.True(checkedVertices > 20, $"only {checkedVertices} candidate vertices");
    }

    [Fact]
    public async Task TheFirstPassWrittenToAFileGivesTheSameHulls()
    {
        // What a chunked service does: the first pass once, to a file every chunk reads back bit for bit.
        var plan = fixture.Plan(Space.Replace("%EXTRA%", ", self_consistent: true", StringComparison.Ordinal));
        var candidates = ScreeningEngine.CandidatesBelowHull(plan, new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        Assert.NotEmpty(candidates);
        using var dir = new TestSupport.TempDirectory();
        await CandidateHullFile.WriteAsync(candidates, dir.File("hull.parquet"), TestContext.Current.CancellationToken);
        var read = await CandidateHullFile.ReadAsync(dir.File("hull.parquet"), TestContext.Current.CancellationToken);
        Assert.Equal(candidates.Select(c => (c.Id, c.Composition.ReducedFormula, c.EFormPerAtomEv)), read.Select(c => (c.Id, c.Composition.ReducedFormula, c.EFormPerAtomEv)));
        Assert.Equal(candidates.SelectMany(c => c.Composition.Amounts.ToArray()), read.SelectMany(c => c.Composition.Amounts.ToArray()));

        var whole = ScreeningEngine.Run(plan, new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        var fromFile = ScreeningEngine.Run(ScreeningEngine.WithCandidates(plan, read), new ScreeningOptions { Threads = 1, TileSize = 50 }, TestContext.Current.CancellationToken);
        Assert.Equal(whole.Rows.SelectMany(r => r.Values), fromFile.Rows.SelectMany(r => r.Values));
    }

    private Engine.ScreeningResult Run(string spec) =>
        ScreeningEngine.Run(fixture.Plan(spec), new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken);

    private static Composition Formula(CandidateRow row)
    {
        var batch = new CompositionBatch(1);
        batch.Add(row.AtomicNumbers, row.Amounts);
        return batch[0];
    }

    private static string[] Decomposition(Data.Tables.ColumnTable table, string formula)
    {
        var i = Array.IndexOf(table.GetStrings("formula"), formula);
        return [.. ((Data.Tables.PairsColumn)table["decomposition"]).Values[i]!.Select(p => p.Key)];
    }
}
