using MaterialsDb.Chemistry;

namespace MaterialsDb.Stability.Internal;

/// <summary>A chemical system as one bit per element (bit Z), so subsystems are bit subsets and keys cost no strings.</summary>
internal readonly record struct SystemMask(UInt128 Bits)
{
    /// <summary>Number of elements.</summary>
    public int Count => (int)UInt128.PopCount(Bits);

    /// <summary>The system of these atomic numbers (repeats ignored).</summary>
    /// <exception cref="ArgumentException">A number is not an element's.</exception>
    public static SystemMask Of(IEnumerable<int> system)
    {
        ArgumentNullException.ThrowIfNull(system);
        UInt128 bits = 0;
        foreach (var z in system)
        {
            bits |= UInt128.One << PeriodicTable.FromZ(z).Z;
        }

        return new SystemMask(bits);
    }

    /// <summary>The system of a composition's elements.</summary>
    public static SystemMask Of(Composition composition)
    {
        UInt128 bits = 0;
        foreach (var z in composition.AtomicNumbers)
        {
            bits |= UInt128.One << z;
        }

        return new SystemMask(bits);
    }

    /// <summary>True when every element of <paramref name="other"/> is one of this system's.</summary>
    public bool Contains(SystemMask other) => (other.Bits & ~Bits) == 0;

    /// <summary>The atomic numbers, ascending.</summary>
    public int[] AtomicNumbers() => Array.ConvertAll(Elements(), z => (int)z);

    /// <summary>The atomic numbers as bytes, ascending (a hull's system).</summary>
    public byte[] Elements()
    {
        var zs = new byte[Count];
        var rest = Bits;
        for (var i = 0; rest != 0; i++)
        {
            zs[i] = (byte)UInt128.TrailingZeroCount(rest);
            rest &= rest - 1;
        }

        return zs;
    }

    /// <summary>Every non-empty proper subsystem.</summary>
    public IEnumerable<SystemMask> ProperSubsystems()
    {
        var bits = Bits;
        for (var sub = (bits - 1) & bits; sub != 0; sub = (sub - 1) & bits)
        {
            yield return new SystemMask(sub);
        }
    }
}
