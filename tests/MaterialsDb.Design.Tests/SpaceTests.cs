using MaterialsDb.Chemistry;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Tests;

/// <summary>Composition identity and distance; continuous spaces decoded onto their grid and limits.</summary>
public sealed class SpaceTests
{
    private static ulong Key(string formula) => CompositionKey.OfFormula(formula);

    [Fact]
    public void KeysIgnoreScaleAndOrderAndDistancesCountAtoms()
    {
        Assert.Equal(Key("Fe2O3"), Key("Fe4O6"));
        Assert.Equal(Key("Fe2O3"), Key("O3Fe2"));
        Assert.NotEqual(Key("Fe2O3"), Key("Fe3O4"));
        Assert.Equal(Key("Fe0.7Ni0.3"), Key("Fe7Ni3"));
        byte[] feNi = [26, 28];
        Assert.Equal(0.1, CompositionKey.Distance(feNi, [0.7, 0.3], feNi, [0.6, 0.4]), 12);
        Assert.Equal(1, CompositionKey.Distance([26], [1.0], [28], [1.0]), 12);
        Assert.Equal(0.2, CompositionKey.Distance(feNi, [0.8, 0.2], [26], [1.0]), 12);
    }

    private static ContinuousSpace Steel(bool weight = true, int maxElements = 6, double step = 0.0001) => new(
        weight, 26, new ElementRange(26, 0.5, 1),
        [new ElementRange(6, 0, 0.005), new ElementRange(24, 0, 0.2), new ElementRange(28, 0, 0.2), new ElementRange(42, 0, 0.05), new ElementRange(27, 0, 0.2)],
        step, maxElements, Percent: false);

    [Fact]
    public void WeightFractionsBecomeAtomicFractionsThatSumToOne()
    {
        var decoder = new ContinuousDecoder(Steel());
        var (basis, atomic) = (new double[6], new double[6]);
        Assert.True(decoder.Decode([0.01, 0, 0, 0, 0], basis, atomic));
        // 0.5 wt% C is clamped to its bound 0.5 %: atomic C = (0.005/12.011) / (0.005/12.011 + 0.995/55.845).
        var c = 0.005 / 12.011 / ((0.005 / 12.011) + (0.995 / 55.845));
        Assert.Equal(c, atomic[0], 6);
        Assert.Equal(1 - c, atomic[5], 6);
        Assert.Equal(1, atomic.Sum(), 12);
        Assert.Equal(0.995, basis[5], 12);
        Assert.Equal($"C{Math.Round(c, 6).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)}Fe{Math.Round(1 - c, 6).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)}", decoder.Formula(atomic));
    }

    [Fact]
    public void TheGridTheElementLimitAndTheBalanceAreKept()
    {
        var decoder = new ContinuousDecoder(Steel(weight: false, maxElements: 3, step: 0.01));
        var (basis, atomic) = (new double[6], new double[6]);
        Assert.True(decoder.Decode([0.0031, 0.1234, 0.05, 0.0312, 0.11], basis, atomic));
        // Three elements at most: the balance and the two largest (Cr 0.12, Co 0.11); C and Mo and Ni dropped.
        Assert.Equal([0, 0.12, 0, 0, 0.11, 0.77], basis.Select(b => Math.Round(b, 12)).ToArray());
        Assert.Equal(basis, atomic);
        // The balance cannot go below its 50 %: the excess is taken back in proportion and snapped down to the grid.
        var wide = new ContinuousDecoder(Steel(weight: false, maxElements: 6, step: 0.01) with { Elements = [new ElementRange(24, 0, 0.4), new ElementRange(28, 0, 0.4)] });
        var (b2, a2) = (new double[3], new double[3]);
        Assert.True(wide.Decode([0.4, 0.4], b2, a2));
        Assert.True(b2[2] >= 0.5 - 1e-12, $"balance {b2[2]}");
        Assert.Equal(1, b2.Sum(), 12);
        Assert.All(b2[..2], x => Assert.Equal(0, Math.Round(x / 0.01) - (x / 0.01), 9));
        // A mandatory minimum that leaves no room for the balance's minimum cannot be decoded.
        var tight = new ContinuousDecoder(Steel(weight: false) with { Elements = [new ElementRange(24, 0.6, 0.7)] });
        Assert.False(tight.Decode([0.65], new double[2], new double[2]));
    }
}
