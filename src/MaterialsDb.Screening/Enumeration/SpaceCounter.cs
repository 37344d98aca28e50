namespace MaterialsDb.Screening.Enumeration;

/// <summary>Exact size of a candidate space before any chemical filter, without enumerating it.</summary>
public static class SpaceCounter
{
    /// <summary>
    /// S(k, N) = Σ_{d=1..N} μ(d)·⌊N/d⌋^k: the number of coefficient tuples of k elements with entries 1..N whose
    /// greatest common divisor is 1 (reduced formulas), by Möbius inversion.
    /// </summary>
    public static long ReducedTuples(int k, int maxCoefficient)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCoefficient, 1);
        long total = 0;
        for (var d = 1; d <= maxCoefficient; d++)
        {
            var mu = Mobius(d);
            if (mu != 0)
            {
                total += mu * checked((long)Math.Pow(maxCoefficient / d, k));
            }
        }

        return total;
    }

    /// <summary>
    /// Reduced formulas in the space before the chemical filters: Σ over k of (element combinations allowed) × S(k, N);
    /// with a <see cref="CandidateSpace.MaxAtoms"/> limit, by enumerating (exact either way).
    /// </summary>
    public static long Count(CandidateSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space.MaxAtoms is not null)
        {
            return CandidateEnumerator.Enumerate(space with { ChargeNeutral = false, ElectronegativityTest = false }, static (_, _) => { });
        }

        var palette = space.Palette.Distinct().ToArray();
        var required = space.Require.Distinct().Count();
        var optionalAny = space.RequireAny.Distinct().Where(z => !space.Require.Contains(z)).Count();
        var anySatisfied = space.RequireAny.Count == 0 || space.RequireAny.Any(space.Require.Contains);
        long total = 0;
        for (var k = space.MinElements; k <= space.MaxElements; k++)
        {
            var free = palette.Length - required;
            var combinations = Binomial(free, k - required);
            if (!anySatisfied)
            {
                // Subtract the combinations that avoid every element of require_any.
                combinations -= Binomial(free - optionalAny, k - required);
            }

            total += combinations * ReducedTuples(k, space.MaxCoefficient);
        }

        return total;
    }

    private static long Binomial(int n, int k)
    {
        if (k < 0 || n < 0 || k > n)
        {
            return 0;
        }

        long result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = checked(result * (n - k + i) / i);
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
