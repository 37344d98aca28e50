using MaterialsDb.Chemistry;

namespace MaterialsDb.Stability.Internal;

/// <summary>A chemical system as one bit per element (bit Z), so subsystems are bit subsets and keys cost no strings.</summary>
internal readonly record struct SystemMask(UInt128 Bits)
{
    // UInt128's own hash XORs its four 32-bit words, so elements Z and Z + 32 land on one bit and cancel: the
    // ternaries of the first 94 elements share a hash code three or four to one, and every lookup walked a chain. A
    // multiply by an odd constant per half spreads every bit into the high word kept here.
    public override int GetHashCode() =>
        (int)((((ulong)Bits * 0x9E3779B97F4A7C15UL) ^ ((ulong)(Bits >> 64) * 0xC2B2AE3D27D4EB4FUL)) >> 32);

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

    /// <summary>The system of these elements (atomic numbers, any order).</summary>
    public static SystemMask Of(ReadOnlySpan<byte> atomicNumbers)
    {
        UInt128 bits = 0;
        foreach (var z in atomicNumbers)
        {
            bits |= UInt128.One << z;
        }

        return new SystemMask(bits);
    }

    /// <summary>The system of a composition's elements.</summary>
    public static SystemMask Of(Composition composition) => Of(composition.AtomicNumbers);

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

    /// <summary>Every non-empty proper subsystem, largest bit pattern first.</summary>
    public Subsystems ProperSubsystems() => new(Bits);

    /// <summary>
    /// The proper subsystems as a struct that <c>foreach</c> walks without allocating: a whole-database build walks
    /// them for each of hundreds of thousands of systems, and an iterator object each was 190 MB of a 2,000,000-entry
    /// build.
    /// </summary>
    internal readonly struct Subsystems(UInt128 bits) : IEnumerable<SystemMask>
    {
        public Enumerator GetEnumerator() => new(bits);

        IEnumerator<SystemMask> IEnumerable<SystemMask>.GetEnumerator() => GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        internal struct Enumerator(UInt128 bits) : IEnumerator<SystemMask>
        {
            private UInt128 _next = (bits - 1) & bits;
            private UInt128 _current;

            public readonly SystemMask Current => new(_current);

            readonly object System.Collections.IEnumerator.Current => Current;

            public bool MoveNext()
            {
                if (_next == 0)
                {
                    return false;
                }

                _current = _next;
                _next = (_next - 1) & bits;
                return true;
            }

            public void Reset() => _next = (bits - 1) & bits;

            public readonly void Dispose()
            {
            }
        }
    }
}
