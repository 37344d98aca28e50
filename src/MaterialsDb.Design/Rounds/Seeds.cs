namespace MaterialsDb.Design.Rounds;

/// <summary>
/// Seeds derived from a campaign's seed. <see cref="HashCode.Combine{T1,T2}"/> is salted per process, so it cannot
/// make results repeat from one run to the next; these mixes do.
/// </summary>
public static class Seeds
{
    /// <summary>A seed for part <paramref name="a"/>, <paramref name="b"/> of the work seeded by <paramref name="seed"/>.</summary>
    public static int Derive(int seed, int a, int b = 0) => (int)(Mix(((ulong)(uint)seed << 32) ^ Mix(((ulong)(uint)a << 32) | (uint)b)) & int.MaxValue);

    /// <summary>A uniform number in [0, 1) fixed by the seed and a key.</summary>
    public static double Uniform(int seed, ulong key) => (Mix(key ^ Mix((ulong)(uint)seed)) >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong x)
    {
        x += 0x9e3779b97f4a7c15UL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }
}
