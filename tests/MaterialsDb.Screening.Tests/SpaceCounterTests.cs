using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Screening.Tests;

public sealed class SpaceCounterTests
{
    [Fact]
    public void BinariesOf103ElementsMatchSmactsPublishedCount()
    {
        Assert.Equal(43, SpaceCounter.ReducedTuples(2, 8));
        var space = new CandidateSpace { Palette = [.. Enumerable.Range(1, 103)], MinElements = 2, MaxElements = 2, MaxCoefficient = 8, ChargeNeutral = false };
        Assert.Equal(225_879, SpaceCounter.Count(space));
    }

    [Theory]
    [InlineData(1, 5, 1)]
    [InlineData(2, 6, 23)]
    [InlineData(3, 6, 181)]
    [InlineData(4, 3, 79)]
    public void ReducedTuplesEqualBruteForce(int k, int n, long expected)
    {
        long brute = 0;
        foreach (var tuple in Tuples(k, n))
        {
            if (tuple.Aggregate(0, Gcd) == 1)
            {
                brute++;
            }
        }

        Assert.Equal(expected, brute);
        Assert.Equal(brute, SpaceCounter.ReducedTuples(k, n));
    }

    [Fact]
    public void HugeSpacesSaturateInsteadOfOverflowing()
    {
        // 118 elements, up to 40 per candidate, coefficients to 64: far beyond 64-bit counts (this used to throw).
        var space = new CandidateSpace { Palette = [.. Enumerable.Range(1, 118)], MinElements = 1, MaxElements = 40, MaxCoefficient = 64, ChargeNeutral = false };
        Assert.Equal(long.MaxValue, SpaceCounter.UpperBound(space));
        Assert.Equal(long.MaxValue, SpaceCounter.ReducedTuples(40, 64));

        // Exact where doubles are not: 63^9 needs 54 bits.
        Assert.Equal(Brute(2, 63), SpaceCounter.ReducedTuples(2, 63));
        Assert.Equal(SpaceCounter.ReducedTuples(9, 63), Mobius9(63));

        static long Brute(int k, int n) => (long)Enumerable.Range(1, n).SelectMany(a => Enumerable.Range(1, n).Select(b => Gcd(a, b))).Count(g => g == 1);

        // Σ μ(d)·⌊63/d⌋^9 with exact integers.
        static long Mobius9(int n)
        {
            System.Numerics.BigInteger total = 0;
            for (var d = 1; d <= n; d++)
            {
                total += MobiusOf(d) * System.Numerics.BigInteger.Pow(n / d, 9);
            }

            return (long)total;
        }

        static int MobiusOf(int d)
        {
            var result = 1;
            for (var p = 2; p * p <= d; p++)
            {
                if (d % p == 0)
                {
                    d /= p;
                    if (d % p == 0)
                    {
                        return 0;
                    }

                    result = -result;
                }
            }

            return d > 1 ? -result : result;
        }
    }

    [Fact]
    public void CountEqualsTheEnumerationWithoutFilters()
    {
        int Z(string s) => PeriodicTable.FromSymbol(s).Z;
        var spaces = new[]
        {
            new CandidateSpace { Palette = [Z("Li"), Z("Fe"), Z("O"), Z("P"), Z("S")], MinElements = 1, MaxElements = 4, MaxCoefficient = 5, ChargeNeutral = false },
            new CandidateSpace { Palette = [Z("Li"), Z("Fe"), Z("O"), Z("P"), Z("S")], Require = [Z("Li")], MinElements = 2, MaxElements = 3, MaxCoefficient = 4, ChargeNeutral = false },
            new CandidateSpace { Palette = [Z("Li"), Z("Fe"), Z("O"), Z("P"), Z("S")], Require = [Z("Li")], RequireAny = [Z("O"), Z("S")], MinElements = 2, MaxElements = 4, MaxCoefficient = 4, ChargeNeutral = false },
            new CandidateSpace { Palette = [Z("Li"), Z("Fe"), Z("O"), Z("P"), Z("S")], Require = [Z("Li")], RequireAny = [Z("Li"), Z("S")], MinElements = 2, MaxElements = 3, MaxCoefficient = 3, ChargeNeutral = false },
        };
        foreach (var space in spaces)
        {
            var enumerated = CandidateEnumerator.Enumerate(space, static (_, _) => { });
            Assert.Equal(enumerated, SpaceCounter.Count(space));
        }

        var found = new List<string>();
        CandidateEnumerator.Enumerate(spaces[2], (z, c) => found.Add(CandidateEnumerator.Format(z, c)));
        Assert.All(found, f => Assert.True(f.Contains("O", StringComparison.Ordinal) || f.Contains("S", StringComparison.Ordinal)));
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    private static IEnumerable<int[]> Tuples(int k, int n) =>
        k == 0 ? [[]] : Tuples(k - 1, n).SelectMany(t => Enumerable.Range(1, n).Select(v => (int[])[.. t, v]));
}
