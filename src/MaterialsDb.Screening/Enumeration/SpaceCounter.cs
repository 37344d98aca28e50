namespace MaterialsDb.Screening.Enumeration;

/// <summary>Exact size of a candidate space before any chemical filter, without enumerating it.</summary>
public static class SpaceCounter
{
    /// <summary>
    /// S(k, N) = Σ_{d=1..N} μ(d)·⌊N/d⌋^k: the number of coefficient tuples of k elements with entries 1..N whose
    /// greatest common divisor is 1 (reduced formulas), by Möbius inversion. Exact integer arithmetic; a count beyond
    /// <see cref="long.MaxValue"/> saturates there.
    /// </summary>
    public static long ReducedTuples(int k, int maxCoefficient)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCoefficient, 1);
        // S(k, N) ≥ N^k·(2 − ζ(k)) ≥ 0.35·N^k for k ≥ 2 (and = N for k = 1): a leading term this large is beyond any
        // count we report. Below it every term is exact in 128 bits.
        if (Power(maxCoefficient, k) >= PowerCap)
        {
            return long.MaxValue;
        }

        Int128 total = 0;
        for (var d = 1; d <= maxCoefficient; d++)
        {
            var mu = Mobius(d);
            if (mu != 0)
            {
                total += mu * Power(maxCoefficient / d, k);
            }
        }

        return Saturate(total);
    }

    /// <summary>
    /// Reduced formulas in the space before the chemical filters: Σ over k of (element combinations allowed) × S(k, N);
    /// with a <see cref="CandidateSpace.MaxAtoms"/> limit, by enumerating (exact either way).
    /// </summary>
    public static long Count(CandidateSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return space.MaxAtoms is not null
            ? CandidateEnumerator.Enumerate(space with { ChargeNeutral = false, ElectronegativityTest = false }, static (_, _) => { })
            : UpperBound(space);
    }

    /// <summary>
    /// The closed-form count of reduced formulas ignoring <see cref="CandidateSpace.MaxAtoms"/> (so an upper bound of
    /// the space's size; exact without it), computed in microseconds whatever the size; saturates at <see cref="long.MaxValue"/>.
    /// </summary>
    public static long UpperBound(CandidateSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var palette = space.Palette.Distinct().ToArray();
        var required = space.Require.Distinct().Count();
        var optionalAny = space.RequireAny.Distinct().Where(z => !space.Require.Contains(z)).Count();
        var anySatisfied = space.RequireAny.Count == 0 || space.RequireAny.Any(space.Require.Contains);
        Int128 total = 0;
        for (var k = space.MinElements; k <= space.MaxElements; k++)
        {
            var free = palette.Length - required;
            var combinations = Binomial(free, k - required);
            if (!anySatisfied)
            {
                // Subtract the combinations that avoid every element of require_any.
                combinations -= Binomial(free - optionalAny, k - required);
            }

            total += (Int128)Saturate(combinations) * ReducedTuples(k, space.MaxCoefficient);
            if (total >= long.MaxValue)
            {
                return long.MaxValue;
            }
        }

        return Saturate(total);
    }

    private static readonly Int128 PowerCap = (Int128)long.MaxValue * 8;

    // b^k, or PowerCap once it gets there (b ≤ 64 keeps every step below 2^127).
    private static Int128 Power(int b, int k)
    {
        Int128 result = 1;
        for (var i = 0; i < k && result < PowerCap; i++)
        {
            result *= b;
        }

        return result < PowerCap ? result : PowerCap;
    }

    private static long Saturate(Int128 value) => value >= long.MaxValue ? long.MaxValue : (long)value;

    private static Int128 Binomial(int n, int k)
    {
        if (k < 0 || n < 0 || k > n)
        {
            return 0;
        }

        Int128 result = 1;
        for (var i = 1; i <= k; i++)
        {
            // Exact at every step (a product of i consecutive integers is divisible by i!); C(118, 59) < 2^127.
            result = result * (n - k + i) / i;
        }

        return result;
    }

    private static int Mobius(int n)
    {
        var result = 1;
        for (var p = 2; p * p <= n; p++)
        {
            if (n % p == 0)
            {
                n /= p;
                if (n % p == 0)
                {
                    return 0;
                }

                result = -result;
            }
        }

        return n > 1 ? -result : result;
    }
}
