using MaterialsDb.Chemistry;

namespace MaterialsDb.Design.Space;

/// <summary>
/// Identity and distance of compositions by their atomic fractions: Fe2O3 and Fe4O6 are one composition, and a
/// campaign never proposes a composition it has observed or already proposed.
/// </summary>
public static class CompositionKey
{
    /// <summary>Fractions are compared to this many decimals.</summary>
    public const int Decimals = 6;

    /// <summary>
    /// A 64-bit key of the composition's atomic fractions rounded to <see cref="Decimals"/> decimals. The sum of one
    /// mixed word per element makes it independent of element order.
    /// </summary>
    public static ulong Of(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions)
    {
        ulong key = 0;
        for (var i = 0; i < atomicNumbers.Length; i++)
        {
            var q = (ulong)Math.Round(fractions[i] * 1e6);
            if (q != 0)
            {
                key += Mix(((ulong)atomicNumbers[i] << 40) ^ q);
            }
        }

        return key;
    }

    /// <summary>The key of a formula's composition (the formula must parse).</summary>
    /// <exception cref="FormulaException">The formula does not parse.</exception>
    public static ulong OfFormula(string formula)
    {
        var c = Composition.Parse(formula);
        Span<double> fractions = stackalloc double[c.ElementCount];
        for (var i = 0; i < fractions.Length; i++)
        {
            fractions[i] = c.Amounts[i] / c.NumAtoms;
        }

        return Of(c.AtomicNumbers, fractions);
    }

    /// <summary>
    /// Half the L1 distance between two compositions' atomic fractions (0: the same, 1: no element in common): the
    /// share of atoms that would have to change.
    /// </summary>
    public static double Distance(ReadOnlySpan<byte> za, ReadOnlySpan<double> fa, ReadOnlySpan<byte> zb, ReadOnlySpan<double> fb)
    {
        double sum = 0;
        for (var i = 0; i < za.Length; i++)
        {
            var j = zb.IndexOf(za[i]);
            sum += Math.Abs(fa[i] - (j < 0 ? 0 : fb[j]));
        }

        for (var j = 0; j < zb.Length; j++)
        {
            if (!za.Contains(zb[j]))
            {
                sum += fb[j];
            }
        }

        return sum / 2;
    }

    // SplitMix64's finaliser: a bijection that spreads every input bit over the word.
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }
}
