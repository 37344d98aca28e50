using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Chemistry.Tests;

/// <summary>Every row of shared/reference/compositions_dev.csv, computed with pymatgen's Composition.</summary>
public sealed class PymatgenReferenceTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void AtomCountsAndFractionsMatchPymatgen()
    {
        var rows = ReadReference();
        Assert.True(rows.Count >= 20_000, $"expected the full reference file, got {rows.Count} rows");
        var batch = new CompositionBatch();
        foreach (var (formula, numAtoms, fractions) in rows)
        {
            var c = Composition.Parse(formula);
            Assert.True(Math.Abs(c.NumAtoms - numAtoms) <= Tolerance * Math.Max(1, numAtoms), $"{formula}: num_atoms {c.NumAtoms}, pymatgen {numAtoms}");
            Assert.Equal(fractions.Select(f => f.Symbol), c.Elements.Select(e => e.Symbol));
            foreach (var (symbol, fraction) in fractions)
            {
                var ours = c.GetAtomicFraction(PeriodicTable.FromSymbol(symbol));
                Assert.True(Math.Abs(ours - fraction) <= Tolerance, $"{formula}: fraction of {symbol} {ours}, pymatgen {fraction}");
            }

            Assert.True(batch.TryAdd(formula, out _));
            var row = batch.Count - 1;
            Assert.Equal(c.AtomicNumbers.ToArray(), batch.RowAtomicNumbers(row).ToArray());
            for (var i = 0; i < fractions.Length; i++)
            {
                Assert.True(Math.Abs(batch.RowFractions(row)[i] - fractions[i].Fraction) <= Tolerance, $"{formula}: batch fraction of {fractions[i].Symbol}");
            }
        }
    }

    private static List<(string Formula, double NumAtoms, (string Symbol, double Fraction)[] Fractions)> ReadReference()
    {
        var path = SharedFiles.Reference("compositions_dev.csv");
        var rows = new List<(string, double, (string, double)[])>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            // formula,num_atoms,fractions — formulas in this file contain no commas.
            var parts = line.Split(',');
            var fractions = parts[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p =>
            {
                var kv = p.Split(':');
                return (kv[0], double.Parse(kv[1], CultureInfo.InvariantCulture));
            }).ToArray();
            rows.Add((parts[0], double.Parse(parts[1], CultureInfo.InvariantCulture), fractions));
        }

        return rows;
    }
}
