using MaterialsDb.Stability.Internal;

namespace MaterialsDb.Stability.Tests;

/// <summary>The chemical-system key every hull lookup hashes.</summary>
public sealed class SystemMaskTests
{
    // UInt128's own hash folds bit Z onto bit Z + 32: with it, 134,044 ternaries had 39,774 hash codes, and finding
    // which subsystems a 2,000,000-entry build needs took 11–16 s (1.2 s with the mask's own hash).
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SystemsOfTheFirst94ElementsHaveDistinctHashCodes(int size)
    {
        var masks = new List<SystemMask>();
        Subsets(1, size, 0);
        var codes = masks.Select(m => m.GetHashCode()).ToHashSet();

        Assert.True(codes.Count >= masks.Count * 0.999, $"{codes.Count} hash codes for {masks.Count} systems");

        void Subsets(int from, int left, UInt128 bits)
        {
            if (left == 0)
            {
                masks.Add(new SystemMask(bits));
                return;
            }

            for (var z = from; z <= 94; z++)
            {
                Subsets(z + 1, left - 1, bits | (UInt128.One << z));
            }
        }
    }

    [Fact]
    public void EqualSystemsHashAlike()
    {
        var a = SystemMask.Of([26, 3, 8, 15]);
        var b = SystemMask.Of([3, 8, 15, 26, 26]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, SystemMask.Of([3, 8, 15]));
    }
}
