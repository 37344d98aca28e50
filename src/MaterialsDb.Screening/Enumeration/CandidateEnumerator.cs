using MaterialsDb.Chemistry;

namespace MaterialsDb.Screening.Enumeration;

/// <summary>Receives one enumerated candidate: atomic numbers ascending and their integer coefficients.</summary>
public delegate void CandidateHandler(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<int> coefficients);

/// <summary>
/// Enumerates candidate compositions with SMACT's semantics: a candidate passes the charge-neutrality filter when at
/// least one assignment of one oxidation state per element sums to zero with its coefficients, and the
/// electronegativity test when, for such an assignment, every cation (state &gt; 0) is strictly less electronegative
/// than every anion (state &lt; 0) — states of 0 ignored, a missing electronegativity failing.
/// </summary>
/// <remarks>
/// The electronegativity test depends on the oxidation states only, so it runs once per state assignment before any
/// coefficients are tried; a coefficient tuple stops at the first assignment that balances.
/// Order: element combinations by ascending atomic numbers, then coefficient tuples lexicographically.
/// </remarks>
public static class CandidateEnumerator
{
    /// <summary>Calls <paramref name="handler"/> for every candidate; returns how many there were.</summary>
    /// <exception cref="ArgumentException">Bad options.</exception>
    /// <exception cref="MaterialsDbException">An element of the palette has no oxidation states.</exception>
    public static long Enumerate(CandidateSpace options, CandidateHandler handler) => Enumerate(options, handler, null);

    /// <summary>
    /// Calls <paramref name="handler"/> for every candidate from <paramref name="start"/> on (that candidate included;
    /// null = the beginning), in the same order as a whole enumeration; returns how many there were. Resuming costs
    /// nothing: no candidate before the cursor is visited.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options, or a cursor that is not a position of this space.</exception>
    public static long Enumerate(CandidateSpace options, CandidateHandler handler, EnumerationCursor? start)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        var palette = Validate(options);
        var walker = new Walker(options, palette);
        int[]? first = null;
        if (start is { } cursor)
        {
            first = cursor.IndicesIn(palette);
            if (first.Length < options.MinElements || first.Length > options.MaxElements || cursor.Coefficients.Any(c => c < 1 || c > options.MaxCoefficient))
            {
                throw new ArgumentException($"Cursor {cursor} is not a position of this space ({options.MinElements} to {options.MaxElements} elements, coefficients 1 to {options.MaxCoefficient}).");
            }
        }

        long count = 0;
        for (var k = first?.Length ?? options.MinElements; k <= options.MaxElements; k++)
        {
            var from = first is not null && first.Length == k ? first : null;
            var resume = from is not null;
            foreach (var combination in Combinations(palette.Length, k, from))
            {
                // Only the cursor's own combination starts mid-way; the ones after it start from all ones.
                count += walker.Walk(combination, resume ? start!.Value.Coefficients : null, handler);
                resume = false;
            }
        }

        return count;
    }

    /// <summary>Candidates of one element combination (indices into the sorted, distinct palette), in enumeration order.</summary>
    internal static long EnumerateCombination(CandidateSpace options, int[] palette, int[] combination, CandidateHandler handler) =>
        new Walker(options, palette).Walk(combination, null, handler);

    /// <summary>The palette as the enumerator orders it: distinct atomic numbers, ascending; checks the options.</summary>
    internal static int[] SortedPalette(CandidateSpace options) => Validate(options);

    /// <summary>Every combination of <paramref name="k"/> of <paramref name="n"/> indices in lexicographic order, from <paramref name="from"/> (inclusive) when given.</summary>
    internal static IEnumerable<int[]> Combinations(int n, int k, int[]? from = null)
    {
        if (k > n)
        {
            yield break;
        }

        var index = from is null ? Enumerable.Range(0, k).ToArray() : (int[])from.Clone();
        while (true)
        {
            yield return index;
            var p = k - 1;
            while (p >= 0 && index[p] == n - k + p)
            {
                p--;
            }

            if (p < 0)
            {
                yield break;
            }

            index[p]++;
            for (var i = p + 1; i < k; i++)
            {
                index[i] = index[i - 1] + 1;
            }
        }
    }

    /// <summary>Walks the coefficient tuples of element combinations with one space's filters; reused across combinations.</summary>
    private sealed class Walker(CandidateSpace options, int[] palette)
    {
        private readonly byte[] _z = new byte[options.MaxElements];
        private readonly int[] _elements = new int[options.MaxElements];
        private readonly int[] _coefficients = new int[options.MaxElements];

        // Tuples of one combination, lexicographically from `start` (inclusive; null = all ones).
        public long Walk(int[] combination, int[]? start, CandidateHandler handler)
        {
            var k = combination.Length;
            for (var i = 0; i < k; i++)
            {
                _elements[i] = palette[combination[i]];
            }

            var elements = _elements[..k];
            if (!options.Require.All(r => Array.IndexOf(elements, r) >= 0)
                || (options.RequireAny.Count > 0 && !options.RequireAny.Any(r => Array.IndexOf(elements, r) >= 0)))
            {
                return 0;
            }

            for (var i = 0; i < k; i++)
            {
                _z[i] = (byte)elements[i];
            }

            // With the electronegativity test, whole assignments are checked; without it, partial charge sums suffice.
            var assignments = options.ChargeNeutral && options.ElectronegativityTest ? Assignments(elements, options) : null;
            if (assignments is { Count: 0 })
            {
                return 0;
            }

            var sums = options.ChargeNeutral && !options.ElectronegativityTest ? new PrefixCharges(elements, options.OxidationStates!, options.MaxCoefficient) : null;
            var coefficients = _coefficients;
            if (start is null)
            {
                Array.Fill(coefficients, 1, 0, k);
            }
            else
            {
                start.CopyTo(coefficients, 0);
            }

            // Odometer over coefficient tuples 1..max; the last coefficient turns fastest.
            long count = 0;
            var prefixChanged = true;
            while (true)
            {
                if (sums is not null && prefixChanged)
                {
                    sums.Update(coefficients.AsSpan(0, k - 1));
                    prefixChanged = false;
                }

                if (Gcd(coefficients.AsSpan(0, k)) == 1
                    && (options.MaxAtoms is not { } maxAtoms || Sum(coefficients.AsSpan(0, k)) <= maxAtoms)
                    && (assignments is null || Balances(assignments, coefficients, k))
                    && (sums is null || sums.Balances(coefficients[k - 1])))
                {
                    handler(_z.AsSpan(0, k), coefficients.AsSpan(0, k));
                    count++;
                }

                var p = k - 1;
                while (p >= 0 && coefficients[p] == options.MaxCoefficient)
                {
                    coefficients[p--] = 1;
                }

                if (p < 0)
                {
                    return count;
                }

                coefficients[p]++;
                prefixChanged |= p < k - 1;
            }
        }
    }

    /// <summary>A candidate written with every amount and elements by atomic number, e.g. <c>K1I3Pb1</c> (SMACT's style).</summary>
    public static string Format(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<int> coefficients)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < atomicNumbers.Length; i++)
        {
            sb.Append(PeriodicTable.FromZ(atomicNumbers[i]).Symbol).Append(coefficients[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static int Sum(ReadOnlySpan<int> values)
    {
        var sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static int[] Validate(CandidateSpace o)
    {
        var palette = o.Palette.Distinct().Order().ToArray();
        if (palette.Length == 0 || palette.Any(z => z < 1 || z > PeriodicTable.MaxZ))
        {
            throw new ArgumentException("The palette must list at least one element.");
        }

        if (o.MinElements < 1 || o.MaxElements < o.MinElements || o.MaxElements > palette.Length)
        {
            throw new ArgumentException($"Elements per candidate must satisfy 1 ≤ min ({o.MinElements}) ≤ max ({o.MaxElements}) ≤ palette size ({palette.Length}).");
        }

        if (o.MaxAtoms is { } atoms && atoms < o.MinElements)
        {
            throw new ArgumentException($"At most {atoms} atoms per formula unit cannot hold {o.MinElements} elements.");
        }

        if (o.MaxCoefficient < 1)
        {
            throw new ArgumentException($"The largest coefficient must be at least 1, not {o.MaxCoefficient}.");
        }

        var stray = o.Require.Concat(o.RequireAny).Where(r => Array.IndexOf(palette, r) < 0).Distinct().ToArray();
        if (stray.Length > 0)
        {
            throw new ArgumentException($"Required element(s) {string.Join(", ", stray.Select(z => PeriodicTable.FromZ(z).Symbol))} are not in the palette.");
        }

        if (o.ChargeNeutral)
        {
            (o.OxidationStates ?? throw new ArgumentException("Charge neutrality needs an oxidation-state set.")).RequireStates(palette);
        }

        return palette;
    }

    // Every assignment of one state per element that passes the electronegativity test (when asked for).
    private static List<int[]> Assignments(int[] elements, CandidateSpace options)
    {
        var set = options.OxidationStates!;
        var result = new List<int[]>();
        var index = new int[elements.Length];
        while (true)
        {
            var states = new int[elements.Length];
            for (var i = 0; i < elements.Length; i++)
            {
                states[i] = set.States(elements[i])[index[i]];
            }

            if (!options.ElectronegativityTest || PassesElectronegativity(elements, states, set))
            {
                result.Add(states);
            }

            var p = elements.Length - 1;
            while (p >= 0 && index[p] == set.States(elements[p]).Length - 1)
            {
                index[p--] = 0;
            }

            if (p < 0)
            {
                return result;
            }

            index[p]++;
        }
    }

    /// <summary>
    /// The charges reachable by the first k − 1 elements for their current coefficients (one state each), so that a
    /// coefficient of the last element balances when −c·s is reachable for one of its states s. Rebuilt only when a
    /// coefficient other than the last changes, i.e. once per N tuples.
    /// </summary>
    private sealed class PrefixCharges
    {
        private readonly int[][] _states;
        private readonly int _offset;
        private readonly int[] _stamp;
        private int _generation;
        private List<int> _frontier = [];
        private List<int> _next = [];

        public PrefixCharges(int[] elements, OxidationStateSet set, int maxCoefficient)
        {
            _states = [.. elements.Select(z => set.States(z).ToArray())];
            var maxAbs = _states.Sum(s => s.Length == 0 ? 0 : s.Max(Math.Abs)) * maxCoefficient;
            _offset = maxAbs;
            _stamp = new int[(2 * maxAbs) + 1];
        }

        public void Update(ReadOnlySpan<int> prefixCoefficients)
        {
            _frontier.Clear();
            _frontier.Add(0);
            for (var i = 0; i < prefixCoefficients.Length; i++)
            {
                _generation++;
                _next.Clear();
                foreach (var r in _frontier)
                {
                    foreach (var s in _states[i])
                    {
                        var v = r + (prefixCoefficients[i] * s);
                        if (_stamp[v + _offset] != _generation)
                        {
                            _stamp[v + _offset] = _generation;
                            _next.Add(v);
                        }
                    }
                }

                (_frontier, _next) = (_next, _frontier);
            }

            // Mark the final frontier under a fresh generation for membership tests.
            _generation++;
            foreach (var r in _frontier)
            {
                _stamp[r + _offset] = _generation;
            }
        }

        public bool Balances(int lastCoefficient)
        {
            foreach (var s in _states[^1])
            {
                var needed = -lastCoefficient * s;
                var index = needed + _offset;
                if ((uint)index < (uint)_stamp.Length && _stamp[index] == _generation)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static bool PassesElectronegativity(int[] elements, int[] states, OxidationStateSet set)
    {
        for (var i = 0; i < elements.Length; i++)
        {
            for (var j = i + 1; j < elements.Length; j++)
            {
                if (states[i] == 0 || states[j] == 0 || Math.Sign(states[i]) == Math.Sign(states[j]))
                {
                    continue;
                }

                double a = set.Electronegativity(elements[i]), b = set.Electronegativity(elements[j]);
                if (double.IsNaN(a) || double.IsNaN(b))
                {
                    return false;
                }

                // The cation must be strictly less electronegative than the anion.
                var (cation, anion) = states[i] > 0 ? (a, b) : (b, a);
                if (cation >= anion)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool Balances(List<int[]> assignments, int[] coefficients, int k)
    {
        foreach (var states in assignments)
        {
            var charge = 0;
            for (var i = 0; i < k; i++)
            {
                charge += coefficients[i] * states[i];
            }

            if (charge == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static int Gcd(ReadOnlySpan<int> values)
    {
        var g = 0;
        foreach (var v in values)
        {
            var (a, b) = (g, v);
            while (b != 0)
            {
                (a, b) = (b, a % b);
            }

            g = a;
        }

        return g;
    }
}
