using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Tests;

/// <summary><c>max_atoms</c>: at most that many atoms per formula unit.</summary>
public sealed class MaxAtomsTests
{
    [Theory]
    [InlineData(2, 3, 6, 4)]
    [InlineData(2, 4, 8, 9)]
    [InlineData(3, 3, 5, 3)]
    public void CountsEqualABruteForceCount(int min, int max, int maxCoefficient, int maxAtoms)
    {
        int[] palette = [3, 8, 11, 17, 26];
        var space = new CandidateSpace { Palette = palette, MinElements = min, MaxElements = max, MaxCoefficient = maxCoefficient, MaxAtoms = maxAtoms, ChargeNeutral = false };

        // Brute force: every combination, every coefficient tuple, reduced (gcd 1) and small enough.
        long expected = 0;
        for (var k = min; k <= max; k++)
        {
            var combinations = Combinations(palette.Length, k).Count();
            expected += combinations * Tuples(k, maxCoefficient).Count(t => Gcd(t) == 1 && t.Sum() <= maxAtoms);
        }

        var found = new List<int>();
        Assert.Equal(expected, CandidateEnumerator.Enumerate(space, (_, c) => found.Add(c.ToArray().Sum())));
        Assert.Equal(expected, SpaceCounter.Count(space));
        Assert.All(found, atoms => Assert.True(atoms <= maxAtoms));
    }

    [Fact]
    public void TheSpecFieldIsParsedAndChecked()
    {
        var spec = SpecParser.Parse("name: x\ncandidates: {enumerate: {elements: [Li, O], n_elements: [2, 2], max_atoms: 5}}\n");
        Assert.Equal(5, spec.Enumerate!.MaxAtoms);
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse("name: x\ncandidates: {enumerate: {elements: [Li, O, S], n_elements: [3, 3], max_atoms: 2}}\n"));
        Assert.Contains(e.Texts, p => p.StartsWith("candidates.enumerate.max_atoms: 2 atoms cannot hold 3 elements", StringComparison.Ordinal));
        e = Assert.Throws<SpecException>(() => SpecParser.Parse("name: x\ncandidates: {enumerate: {elements: [Li, O], max_atoms: many}}\n"));
        Assert.Contains(e.Texts, p => p.StartsWith("candidates.enumerate.max_atoms:", StringComparison.Ordinal));
    }

    private static IEnumerable<int[]> Combinations(int n, int k) =>
        k == 0 ? [[]] : Enumerable.Range(0, n).SelectMany(first => Combinations(n, k - 1).Where(rest => rest.All(r => r > first)).Select(rest => (int[])[first, .. rest]));

    private static IEnumerable<int[]> Tuples(int k, int max) =>
        k == 0 ? [[]] : Enumerable.Range(1, max).SelectMany(first => Tuples(k - 1, max).Select(rest => (int[])[first, .. rest]));

    private static int Gcd(int[] values) => values.Aggregate(0, (a, b) => b == 0 ? a : GcdOf(a, b));

    private static int GcdOf(int a, int b) => b == 0 ? a : GcdOf(b, a % b);
}
