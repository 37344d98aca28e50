using MaterialsDb.Chemistry;

namespace MaterialsDb.Chemistry.Tests;

public sealed class CompositionBatchTests
{
    [Fact]
    public void StoresRowsAsFlatArrays()
    {
        var batch = new CompositionBatch(rowCapacity: 1);
        Assert.True(batch.TryAdd("Fe2O3", out _));
        Assert.False(batch.TryAdd("Xx", out var error));
        Assert.Equal(FormulaErrorKind.UnknownElement, error.Kind);
        batch.AddEmpty();
        batch.Add(Composition.Parse("LiFePO4"));
        Assert.True(batch.TryAdd("H2O", out _));

        Assert.Equal(4, batch.Count);
        Assert.Equal([0, 2, 2, 6, 8], batch.RowOffsets.ToArray());
        Assert.Equal([8, 26, 3, 8, 15, 26, 1, 8], batch.AtomicNumbers.ToArray());
        Assert.Equal([5.0, 0, 7, 3], batch.NumAtoms.ToArray());
        Assert.Equal(0.6, batch.RowFractions(0)[0], 15);
        Assert.True(batch.IsEmpty(1));
        Assert.Throws<InvalidOperationException>(() => batch[1]);
        Assert.Equal(Composition.Parse("LiFePO4"), batch[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.RowFractions(4));
    }

    [Fact]
    public void GrowsAndClears()
    {
        var batch = new CompositionBatch(rowCapacity: 0);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(batch.TryAdd("Ba2Cu3YO7", out _));
        }

        Assert.Equal(10_000, batch.Count);
        Assert.Equal(40_000, batch.EntryCount);
        batch.Clear();
        Assert.Equal(0, batch.Count);
        Assert.Equal(0, batch.EntryCount);
        Assert.True(batch.TryAdd("NaCl", out _));
        Assert.Equal([11, 17], batch.RowAtomicNumbers(0).ToArray());
    }

    [Fact]
    public void AddingDoesNotAllocateOnceGrown()
    {
        var batch = new CompositionBatch(rowCapacity: 4096);
        batch.TryAdd("Ca5(PO4)3(OH)", out _);
        batch.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            batch.TryAdd("Ca5(PO4)3(OH)", out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
