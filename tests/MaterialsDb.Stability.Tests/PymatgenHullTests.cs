using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Stability.Tests;

/// <summary>Every row of shared/reference/hull_dev.csv (pymatgen PhaseDiagram, allow_negative=True).</summary>
public sealed class PymatgenHullTests(ReferenceSetFixture reference) : IClassFixture<ReferenceSetFixture>
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void EnergyAboveHullMatchesPymatgen()
    {
        var cache = new PhaseDiagramCache(reference.Set);
        var rows = ReadRows();
        Assert.True(rows.Count > 6000);
        var failures = new List<string>();
        foreach (var (formula, energy, expected, chemsys, kind) in rows)
        {
            var diagram = cache.For(chemsys);
            var composition = Composition.Parse(formula);
            var result = diagram.GetDecompositionAndEAboveHull(composition, energy);
            if (Math.Abs(result.EAboveHullEvPerAtom - expected) > Tolerance && failures.Count < 20)
            {
                failures.Add($"{chemsys} {formula} ({kind}): ours {result.EAboveHullEvPerAtom:R}, pymatgen {expected:R}");
            }

            Assert.InRange(result.Decomposition.Sum(p => p.Fraction), 1 - 1e-12, 1 + 1e-12);
            Assert.InRange(result.Decomposition.Sum(p => p.Fraction * p.Phase.EFormPerAtomEv) - result.HullEnergyEvPerAtom, -1e-9, 1e-9);
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void BatchRowDecompositionsMatchPymatgenAndTheCompositionPath()
    {
        // What `materialsdb stability` runs per row: the row parsed into a batch, its hull found from its atomic numbers,
        // the decomposition written into a span.
        var cache = new PhaseDiagramCache(reference.Set);
        var batch = new CompositionBatch();
        var parts = new DecompositionPart[10];
        foreach (var (formula, energy, expected, chemsys, _) in ReadRows())
        {
            batch.Clear();
            Assert.True(batch.TryAdd(formula, out _));
            var diagram = cache.For(batch.RowAtomicNumbers(0));
            Assert.Same(cache.For(chemsys), diagram);
            var count = diagram.Decompose(batch.RowAtomicNumbers(0), batch.RowFractions(0), parts, out var hull);
            Assert.InRange(energy - hull - expected, -Tolerance, Tolerance);
            var single = diagram.GetDecompositionAndEAboveHull(Composition.Parse(formula), energy);
            Assert.Equal(single.HullEnergyEvPerAtom, hull);
            Assert.Equal(single.Decomposition, parts[..count]);
        }

        var liO = cache.For("Li-O");
        batch.Clear();
        batch.TryAdd("LiFeO2", out _);
        Assert.Throws<ArgumentException>(() => liO.Decompose(batch.RowAtomicNumbers(0), batch.RowFractions(0), parts, out _));
        batch.Clear();
        batch.TryAdd("Li2O", out _);
        Assert.Throws<ArgumentException>(() => liO.Decompose(batch.RowAtomicNumbers(0), batch.RowFractions(0), new DecompositionPart[1], out _));
    }

    [Fact]
    public void BatchedSimdQueriesMatchSingleQueries()
    {
        var cache = new PhaseDiagramCache(reference.Set);
        foreach (var group in ReadRows().GroupBy(r => r.Chemsys))
        {
            var diagram = cache.For(group.Key);
            var rows = group.ToArray();
            var n = diagram.Elements.Count;
            var fractions = new double[rows.Length * n];
            var x = new double[n];
            for (var q = 0; q < rows.Length; q++)
            {
                diagram.FractionsInto(Composition.Parse(rows[q].Formula), x);
                for (var k = 0; k < n; k++)
                {
                    fractions[(k * rows.Length) + q] = x[k];
                }
            }

            var energies = rows.Select(r => r.Energy).ToArray();
            var simd = new double[rows.Length];
            var scalar = new double[rows.Length];
            var hull = new double[rows.Length];
            diagram.GetEAboveHull(fractions, energies, simd, hull, useSimd: true);
            diagram.GetEAboveHull(fractions, energies, scalar, hull, useSimd: false);
            Assert.Equal(scalar, simd);
            for (var q = 0; q < rows.Length; q++)
            {
                Assert.Equal(diagram.GetEAboveHull(Composition.Parse(rows[q].Formula), energies[q]), scalar[q]);
            }
        }
    }

    internal static List<(string Formula, double Energy, double Expected, string Chemsys, string Kind)> ReadRows() =>
        [.. File.ReadLines(SharedFiles.Reference("hull_dev.csv")).Skip(1).Select(line =>
        {
            var p = line.Split(',');
            return (p[0], double.Parse(p[1], CultureInfo.InvariantCulture), double.Parse(p[2], CultureInfo.InvariantCulture), p[3], p[4]);
        })];
}
