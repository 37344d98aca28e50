using MaterialsDb.Chemistry;

namespace MaterialsDb.Chemistry.Tests;

public sealed class PeriodicTableTests
{
    [Fact]
    public void HoldsEveryElementInOrder()
    {
        Assert.Equal(118, PeriodicTable.Elements.Count);
        for (var z = 1; z <= 118; z++)
        {
            var e = PeriodicTable.FromZ(z);
            Assert.Equal(z, e.Z);
            Assert.Same(e, PeriodicTable.FromSymbol(e.Symbol));
            Assert.Equal(z, PeriodicTable.AtomicNumberOf(e.Symbol));
            Assert.False(string.IsNullOrEmpty(e.Name));
            Assert.True(e.AtomicMassU > 0);
        }

        Assert.Equal(118, PeriodicTable.Elements.Select(e => e.Symbol).Distinct().Count());
        Assert.Equal(118, PeriodicTable.Elements.Select(e => e.Name).Distinct().Count());
    }

    [Fact]
    public void MassesIncreaseAlmostMonotonically()
    {
        // Only the known inversions (Ar/K, Co/Ni, Te/I, Th/Pa, U/Np, Pu/Am, ...) may decrease; a typo would break more.
        var decreases = PeriodicTable.Elements.Zip(PeriodicTable.Elements.Skip(1)).Count(p => p.Second.AtomicMassU < p.First.AtomicMassU);
        Assert.InRange(decreases, 1, 8);
        Assert.Equal(55.845, PeriodicTable.FromSymbol("Fe").AtomicMassU);
        Assert.Equal("Oganesson", PeriodicTable.FromZ(118).Name);
    }

    [Theory]
    [InlineData("FE")]
    [InlineData("fe")]
    [InlineData("F e")]
    [InlineData("")]
    [InlineData("Xx")]
    [InlineData("Uuo")]
    public void SymbolLookupIsExact(string symbol)
    {
        Assert.Equal(0, PeriodicTable.AtomicNumberOf(symbol));
        Assert.False(PeriodicTable.TryFromSymbol(symbol, out _));
        Assert.Throws<MaterialsDbException>(() => PeriodicTable.FromSymbol(symbol));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(119)]
    [InlineData(-1)]
    public void RejectsAtomicNumbersOutOfRange(int z) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PeriodicTable.FromZ(z));
}
