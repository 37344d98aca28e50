using MaterialsDb.Chemistry;
using MaterialsDb.Stability;
using MathNet.Numerics.LinearAlgebra;

namespace MaterialsDb.Stability.Tests;

/// <summary>
/// The hull against an independent answer: every plane through n points (n elements) that no point lies below is a
/// supporting plane of the lower hull, and the hull energy at a composition is the highest of them there. Random
/// systems where most entries lie on the simplex's faces (binaries and ternaries of a quaternary), with duplicates and
/// collinear compositions — the cases where the construction stops at the domain's boundary.
/// </summary>
public sealed class BruteForceHullTests
{
    private static readonly string[] Elements = ["Li", "Fe", "P", "O", "Mn"];

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(4, 4)]
    [InlineData(4, 5)]
    [InlineData(5, 6)]
    public void HullEnergiesEqualTheHighestSupportingPlane(int n, int seed)
    {
        var random = new Random(seed);
        var system = Elements[..n];
        var entries = new List<PhaseEntry>();
        while (entries.Count < (n == 5 ? 11 : 13))
        {
            // Mostly fewer elements than the system: points on its faces and edges.
            var size = random.Next(2, n + 1);
            var chosen = system.OrderBy(_ => random.Next()).Take(random.Next(2) == 0 ? 2 : size).ToArray();
            var formula = string.Concat(chosen.Select(s => $"{s}{random.Next(1, 5)}"));
            var energy = Math.Round(-0.2 - (random.NextDouble() * 1.5), 2);
            entries.Add(new PhaseEntry($"e{entries.Count}", Composition.Parse(formula), energy, "test"));
            if (random.Next(6) == 0)
            {
                entries.Add(new PhaseEntry($"e{entries.Count}", Composition.Parse(formula), energy, "test"));
            }
        }

        var zs = system.Select(s => (int)PeriodicTable.FromSymbol(s).Z).ToArray();
        var diagram = PhaseDiagram.Build(zs, entries);
        var planes = SupportingPlanes(diagram, entries);
        Assert.NotEmpty(planes);

        var queries = entries.Select(e => e.Composition).ToList();
        for (var q = 0; q < 40; q++)
        {
            queries.Add(Composition.Parse(string.Concat(system.Select(s => $"{s}{random.Next(0, 6)}")).Replace("0", string.Empty) is { Length: > 0 } f ? f : system[0]));
        }

        foreach (var composition in queries)
        {
            var x = new double[n];
            diagram.FractionsInto(composition, x);
            var expected = planes.Max(w => w.Zip(x, (a, b) => a * b).Sum());
            Assert.InRange(diagram.GetHullEnergy(composition) - expected, -1e-9, 1e-9);
        }

        // Every stable phase is on the hull, every entry on or above it.
        foreach (var e in entries)
        {
            Assert.True(diagram.GetEAboveHull(e.Composition, e.EFormPerAtomEv) > -1e-9, $"{e.Id} {e.Composition.ReducedFormula} below the hull");
        }

        foreach (var e in diagram.StableEntries)
        {
            Assert.InRange(diagram.GetEAboveHull(e.Composition, e.EFormPerAtomEv), -1e-9, 1e-9);
        }
    }

    // Every n-subset of the points (elements at 0 and the entries) spanning a plane with no point below it.
    private static List<double[]> SupportingPlanes(PhaseDiagram diagram, List<PhaseEntry> entries)
    {
        var n = diagram.Elements.Count;
        var points = diagram.Elements.Select(e => (Composition.Parse(e.Symbol), 0.0))
            .Concat(entries.Select(e => (e.Composition, e.EFormPerAtomEv)))
            .Select(p =>
            {
                var x = new double[n];
                diagram.FractionsInto(p.Item1, x);
                return (X: x, E: p.Item2);
            }).ToArray();

        var planes = new List<double[]>();
        foreach (var subset in Subsets(points.Length, n))
        {
            var c = Matrix<double>.Build.DenseOfRowArrays(subset.Select(i => points[i].X));
            if (Math.Abs(c.Determinant()) < 1e-9)
            {
                continue;
            }

            var w = c.Solve(Vector<double>.Build.DenseOfEnumerable(subset.Select(i => points[i].E))).ToArray();
            if (points.All(p => p.X.Zip(w, (a, b) => a * b).Sum() <= p.E + 1e-9))
            {
                planes.Add(w);
            }
        }

        return planes;
    }

    private static IEnumerable<int[]> Subsets(int count, int size)
    {
        var index = Enumerable.Range(0, size).ToArray();
        while (true)
        {
            yield return [.. index];
            var i = size - 1;
            while (i >= 0 && index[i] == count - size + i)
            {
                i--;
            }

            if (i < 0)
            {
                yield break;
            }

            index[i]++;
            for (var j = i + 1; j < size; j++)
            {
                index[j] = index[j - 1] + 1;
            }
        }
    }
}
