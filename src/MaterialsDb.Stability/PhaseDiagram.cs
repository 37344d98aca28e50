using System.Buffers;
using System.Numerics;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability.Internal;
using MathNet.Numerics.Providers.LinearAlgebra;
using Matrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;

namespace MaterialsDb.Stability;

/// <summary>
/// The lower convex hull of formation energy per atom over the composition simplex of one chemical system, built
/// from every entry whose elements lie in the system plus each element at 0 eV/atom (its reference state).
/// Immutable and safe to query from many threads.
/// </summary>
/// <remarks>
/// Each lower facet is stored as its chemical-potential vector w (w · c = E at the facet's vertices), so the hull
/// energy at atomic fractions x is max over facets of w · x — the hull is the upper envelope of its facet planes.
/// Batched queries evaluate that maximum for several compositions per vector instruction.
/// </remarks>
public sealed class PhaseDiagram
{
    /// <summary>Energy above hull (eV/atom) at or below which a composition counts as stable.</summary>
    public const double StabilityTolerance = 1e-8;

    /// <summary>Source of the synthetic entries that stand for each element's reference state (0 eV/atom).</summary>
    public const string ElementalReferenceSource = "elemental reference";

    /// <summary>Barycentric weights below this are dropped from decompositions.</summary>
    public const double DecompositionTolerance = 1e-10;

    // Each element's reference state, made once (immutable, so every hull shares them).
    private static readonly PhaseEntry[] ElementalReferences = [.. Enumerable.Range(0, PeriodicTable.MaxZ + 1)
        .Select(z => z == 0 ? null! : new PhaseEntry(PeriodicTable.FromZ(z).Symbol, FormulaParser.Parse(PeriodicTable.FromZ(z).Symbol), 0.0, ElementalReferenceSource))];

    private readonly byte[] _system;
    private readonly PhaseEntry[] _entries;
    private readonly double[] _potentials;
    // The indices into _entries of each facet's vertices, n per facet in one array: a whole database has millions of
    // facets, and indices (unlike references) are nothing the garbage collector has to trace.
    private readonly int[] _facetVertices;
    private readonly int _facetCount;
    // Made on the first decomposition (most hulls never decompose anything), then one slot per facet.
    private double[]?[]? _inverseVertexMatrices;
    private string? _chemicalSystem;
    private readonly PhaseEntry[] _stable;
    private readonly int _wholeSystemStart;

    private PhaseDiagram(byte[] system, PhaseEntry[] entries, PhaseEntry[] stable, int[] facetVertices, double[] potentials)
    {
        _system = system;
        _entries = entries;
        _facetVertices = facetVertices;
        _facetCount = facetVertices.Length / system.Length;
        _potentials = potentials;
        _stable = stable;

        // Stable phases are sorted by element count, so those with every element of the system come last.
        _wholeSystemStart = stable.Length;
        while (_wholeSystemStart > 0 && stable[_wholeSystemStart - 1] is var e
            && e.Composition.AtomicNumbers.Length == system.Length && !ReferenceEquals(e, ElementalReferences[e.Composition.AtomicNumbers[0]]))
        {
            _wholeSystemStart--;
        }
    }

    /// <summary>Elements of the system by atomic number.</summary>
    public IReadOnlyList<Element> Elements => [.. _system.Select(z => PeriodicTable.FromZ(z))];

    /// <summary>The chemical system, e.g. <c>Fe-Li-O-P</c>.</summary>
    public string ChemicalSystem => _chemicalSystem ??= string.Join('-', _system.Select(z => PeriodicTable.FromZ(z).Symbol).Order(StringComparer.Ordinal));

    /// <summary>Every entry the hull was built from (the elemental reference states included).</summary>
    public IReadOnlyList<PhaseEntry> Entries => _entries;

    /// <summary>The phases at the vertices of the lower hull.</summary>
    public IReadOnlyList<PhaseEntry> StableEntries => _stable;

    /// <summary>
    /// The stable phases with every element of the system (no elemental reference state): what this hull adds to the
    /// hulls of the larger systems that contain it.
    /// </summary>
    internal ReadOnlySpan<PhaseEntry> StableOfWholeSystem => _stable.AsSpan(_wholeSystemStart);

    /// <summary>Number of lower-hull facets.</summary>
    public int FacetCount => _facetCount;

    /// <summary>The lower hull's facets, each as its stable phases (their edges are a phase diagram's tie lines).</summary>
    public IReadOnlyList<IReadOnlyList<PhaseEntry>> Facets =>
        [.. Enumerable.Range(0, _facetCount).Select(f => (IReadOnlyList<PhaseEntry>)[.. _facetVertices.AsSpan(f * _system.Length, _system.Length).ToArray().Select(v => _entries[v])])];

    /// <summary>Builds the hull of <paramref name="system"/> (atomic numbers) from the entries that lie in it.</summary>
    /// <exception cref="ArgumentException">The system is empty or an entry has an element outside it.</exception>
    public static PhaseDiagram Build(IEnumerable<int> system, IEnumerable<PhaseEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(entries);
        var elements = system.Distinct().Order().Select(z => (byte)PeriodicTable.FromZ(z).Z).ToArray();
        if (elements.Length == 0)
        {
            throw new ArgumentException("A chemical system needs at least one element.", nameof(system));
        }

        return BuildOf(elements, entries as PhaseEntry[] ?? [.. entries]);
    }

    /// <summary>Builds the hull of a system given as its atomic numbers, ascending, from entries that lie in it.</summary>
    internal static PhaseDiagram BuildOf(byte[] elements, PhaseEntry[] given)
    {
        // Every entry's atomic fractions in one flat array (m rows of n): a whole-database build sorts millions.
        var fractions = ArrayPool<double>.Shared.Rent(Math.Max(1, given.Length * elements.Length));
        var order = ArrayPool<int>.Shared.Rent(given.Length);
        try
        {
            return Build(elements, given, fractions, order);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(fractions);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private static PhaseDiagram Build(byte[] elements, PhaseEntry[] given, double[] fractions, int[] order)
    {
        var n = elements.Length;
        var m = given.Length;
        for (var i = 0; i < m; i++)
        {
            FractionsOf(given[i].Composition, elements, fractions.AsSpan(i * n, n));
            order[i] = i;
        }

        // A canonical order (composition, energy, id) makes the hull independent of the input's row order.
        order.AsSpan(0, m).Sort((a, b) => CompareCanonical(given, fractions, n, a, b));

        // The entries: the elements' reference states first, then the given ones in canonical order.
        var all = new PhaseEntry[n + m];
        for (var i = 0; i < n; i++)
        {
            all[i] = ElementalReferences[elements[i]];
        }

        for (var i = 0; i < m; i++)
        {
            all[n + i] = given[order[i]];
        }

        // Points (n per row: the fractions of elements 1..n−1, then the energy): the elements, the helper point above
        // the simplex, then every entry below E = 0. owners[p] is the point's index in `all`.
        var top = 1.0;
        foreach (var e in given)
        {
            top = Math.Max(top, e.EFormPerAtomEv + 1.0);
        }

        var coords = ArrayPool<double>.Shared.Rent((n + 1 + m) * n);
        var owners = ArrayPool<int>.Shared.Rent(n + 1 + m);
        var present = ArrayPool<ulong>.Shared.Rent(n + 1 + m);
        try
        {
            var count = 0;
            for (var i = 0; i < n; i++)
            {
                var point = coords.AsSpan(count * n, n);
                point.Clear();
                if (i > 0)
                {
                    point[i - 1] = 1;
                }

                present[count] = 1UL << i;
                owners[count++] = i;
            }

            var helper = coords.AsSpan(count * n, n);
            helper.Fill(1.0 / n);
            helper[n - 1] = top;
            present[count] = ulong.MaxValue;
            owners[count++] = 0;
            for (var i = 0; i < m; i++)
            {
                var entry = all[n + i];
                if (entry.EFormPerAtomEv < -LowerHull.Tolerance)
                {
                    var point = coords.AsSpan(count * n, n);
                    fractions.AsSpan((order[i] * n) + 1, n - 1).CopyTo(point);
                    point[n - 1] = entry.EFormPerAtomEv;
                    present[count] = Present(fractions.AsSpan(order[i] * n, n));
                    owners[count++] = n + i;
                }
            }

            var facets = n == 1
                ? [owners[count > n + 1 ? ArgMinEnergy(coords, count, n) : 0]]
                : LowerHull.LowerFacets(coords, present, count, n);
            if (n > 1)
            {
                for (var i = 0; i < facets.Length; i++)
                {
                    facets[i] = owners[facets[i]];
                }
            }

            return new PhaseDiagram(elements, all, StablePhases(all, facets), facets, Potentials(all, facets, elements));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(coords);
            ArrayPool<int>.Shared.Return(owners);
            ArrayPool<ulong>.Shared.Return(present);
        }
    }

    // Each facet's chemical-potential vector w, solving C w = E for the vertex matrix C (rows: the vertices' atomic
    // fractions over the full system). MathNet's LU on raw arrays, reused for every facet: a high-dimensional system
    // has thousands of facets, and a Matrix per facet was the largest allocation of a whole-database build.
    private static double[] Potentials(PhaseEntry[] all, int[] facets, byte[] elements)
    {
        var n = elements.Length;
        var potentials = new double[facets.Length];
        var scratch = SolveScratch.For(n);
        var (lu, energies, x, pivots) = (scratch.Lu, scratch.Energies, scratch.X, scratch.Pivots);
        var linearAlgebra = LinearAlgebraControl.Provider;
        for (var f = 0; f < facets.Length / n; f++)
        {
            // Column-major: lu[k * n + i] is vertex i's fraction of element k.
            for (var i = 0; i < n; i++)
            {
                var entry = all[facets[(f * n) + i]];
                FractionsOf(entry.Composition, elements, x.AsSpan(0, n));
                FractionsAsHullPointDoes(x.AsSpan(0, n));
                for (var k = 0; k < n; k++)
                {
                    lu[(k * n) + i] = x[k];
                }

                energies[i] = entry.EFormPerAtomEv;
            }

            linearAlgebra.LUFactor(lu, n, pivots);
            linearAlgebra.LUSolveFactored(1, lu, n, pivots, energies);
            energies.AsSpan(0, n).CopyTo(potentials.AsSpan(f * n, n));
        }

        return potentials;
    }

    // MathNet's LU takes whole arrays of the exact size, so each thread keeps one set per size it met (a whole
    // database builds hundreds of thousands of hulls).
    private sealed class SolveScratch(int n)
    {
        [ThreadStatic]
        private static SolveScratch?[]? BySize;

        public double[] Lu { get; } = new double[n * n];

        public double[] Energies { get; } = new double[n];

        public double[] X { get; } = new double[n];

        public int[] Pivots { get; } = new int[n];

        public static SolveScratch For(int n)
        {
            var sizes = BySize ??= new SolveScratch?[65];
            return sizes[n] ??= new SolveScratch(n);
        }
    }

    // The first fraction as the hull's points carry it: not stored, but one minus the others (summed in order), so
    // that the potentials are computed from exactly the numbers the hull was.
    private static void FractionsAsHullPointDoes(Span<double> x)
    {
        var rest = 0.0;
        for (var k = 1; k < x.Length; k++)
        {
            rest += x[k];
        }

        x[0] = 1 - rest;
    }

    // The phases at hull vertices, fewest elements first, then by reduced formula (ties: the entries' canonical order).
    private static PhaseEntry[] StablePhases(PhaseEntry[] all, int[] facets)
    {
        var isVertex = ArrayPool<bool>.Shared.Rent(all.Length);
        var stable = ArrayPool<int>.Shared.Rent(all.Length);
        try
        {
            isVertex.AsSpan(0, all.Length).Clear();
            foreach (var v in facets)
            {
                isVertex[v] = true;
            }

            var count = 0;
            for (var i = 0; i < all.Length; i++)
            {
                if (isVertex[i])
                {
                    stable[count++] = i;
                }
            }

            stable.AsSpan(0, count).Sort((a, b) => CompareStable(all, a, b));
            var phases = new PhaseEntry[count];
            for (var i = 0; i < count; i++)
            {
                phases[i] = all[stable[i]];
            }

            return phases;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(isVertex);
            ArrayPool<int>.Shared.Return(stable);
        }
    }

    /// <summary>Hull energy (eV/atom) at a composition of this system.</summary>
    /// <exception cref="ArgumentException">The composition has an element outside the system.</exception>
    public double GetHullEnergy(Composition composition)
    {
        Span<double> x = stackalloc double[_system.Length];
        FractionsInto(composition, x);
        return BestFacet(x, out _);
    }

    /// <summary>Energy above the hull (eV/atom; negative below it).</summary>
    public double GetEAboveHull(Composition composition, double eFormPerAtomEv) => eFormPerAtomEv - GetHullEnergy(composition);

    /// <summary>The full answer for one composition: hull energy, energy above hull and decomposition.</summary>
    public StabilityResult GetDecompositionAndEAboveHull(Composition composition, double eFormPerAtomEv)
    {
        Span<double> x = stackalloc double[_system.Length];
        FractionsInto(composition, x);
        var parts = new DecompositionPart[_system.Length];
        var count = Decompose(x, parts, out var hull);
        Array.Resize(ref parts, count);
        return new StabilityResult(hull, eFormPerAtomEv - hull, parts);
    }

    /// <summary>
    /// <see cref="GetDecompositionAndEAboveHull"/> without allocating, for millions of rows: the composition as atomic
    /// numbers and atomic fractions (a <see cref="CompositionBatch"/> row), the stable phases it decomposes into written
    /// largest first into <paramref name="parts"/> (at least as long as the system has elements).
    /// </summary>
    /// <returns>How many parts were written.</returns>
    /// <exception cref="ArgumentException">An element is outside the system, or <paramref name="parts"/> is too short.</exception>
    public int Decompose(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions, Span<DecompositionPart> parts, out double hullEnergy)
    {
        Span<double> x = stackalloc double[_system.Length];
        x.Clear();
        for (var i = 0; i < atomicNumbers.Length; i++)
        {
            var k = _system.AsSpan().IndexOf(atomicNumbers[i]);
            if (k < 0)
            {
                throw new ArgumentException($"{PeriodicTable.FromZ(atomicNumbers[i]).Symbol} is not in the {ChemicalSystem} system.", nameof(atomicNumbers));
            }

            x[k] = fractions[i];
        }

        return Decompose(x, parts, out hullEnergy);
    }

    // The decomposition of a composition given by its atomic fractions in system order.
    private int Decompose(ReadOnlySpan<double> x, Span<DecompositionPart> parts, out double hullEnergy)
    {
        var n = _system.Length;
        if (parts.Length < n)
        {
            throw new ArgumentException($"Room for {parts.Length} parts; the {ChemicalSystem} system may need {n}.", nameof(parts));
        }

        hullEnergy = BestFacet(x, out var facet);
        var inverse = InverseOf(facet);

        // Plain loops and no allocation: the stability command asks this for every one of millions of rows.
        Span<double> weights = stackalloc double[n];
        var count = 0;
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            var weight = 0.0;
            for (var k = 0; k < n; k++)
            {
                weight += inverse[(i * n) + k] * x[k];
            }

            weights[i] = weight;
            if (weight > DecompositionTolerance)
            {
                count++;
                total += weight;
            }
        }

        for (int i = 0, j = 0; i < n; i++)
        {
            if (weights[i] > DecompositionTolerance)
            {
                parts[j++] = new DecompositionPart(_entries[_facetVertices[(facet * n) + i]], weights[i] / total);
            }
        }

        parts[..count].Sort(LargestFirst);
        return count;
    }

    /// <summary>
    /// Energies above hull for many compositions of this system at once.
    /// <paramref name="fractions"/> is element-major: the atomic fractions of element k (system order, see
    /// <see cref="Elements"/>) for every query, at <c>[k * count .. (k + 1) * count)</c>.
    /// </summary>
    public void GetEAboveHull(ReadOnlySpan<double> fractions, ReadOnlySpan<double> eFormPerAtomEv, Span<double> eAboveHull, Span<double> hullEnergy, bool useSimd = true)
    {
        var count = eFormPerAtomEv.Length;
        var n = _system.Length;
        if (fractions.Length < count * n || eAboveHull.Length < count || hullEnergy.Length < count)
        {
            throw new ArgumentException($"Buffers too small for {count} queries over {n} elements.");
        }

        var q = 0;
        if (useSimd && Vector.IsHardwareAccelerated && n <= MaxVectorElements)
        {
            q = HullEnergiesVector(fractions, count, hullEnergy);
        }

        Span<double> x = stackalloc double[n];
        for (; q < count; q++)
        {
            for (var k = 0; k < n; k++)
            {
                x[k] = fractions[(k * count) + q];
            }

            hullEnergy[q] = BestFacet(x, out _);
        }

        for (var i = 0; i < count; i++)
        {
            eAboveHull[i] = eFormPerAtomEv[i] - hullEnergy[i];
        }
    }

    /// <summary>Atomic fractions of <paramref name="composition"/> over this system, in system order.</summary>
    public void FractionsInto(Composition composition, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(composition);
        destination.Clear();
        var z = composition.AtomicNumbers;
        var amounts = composition.Amounts;
        for (var i = 0; i < z.Length; i++)
        {
            var k = _system.AsSpan().IndexOf(z[i]);
            if (k < 0)
            {
                throw new ArgumentException($"{composition.ReducedFormula} has {PeriodicTable.FromZ(z[i]).Symbol}, which is not in the {ChemicalSystem} system.", nameof(composition));
            }

            destination[k] = amounts[i] / composition.NumAtoms;
        }
    }

    private const int MaxVectorElements = 16;

    // The scalar twin of HullEnergiesVector: the same products and sums in the same order.
    private double BestFacet(ReadOnlySpan<double> x, out int facet)
    {
        var n = x.Length;
        var best = double.NegativeInfinity;
        facet = 0;
        for (var f = 0; f < _facetCount; f++)
        {
            var w = _potentials.AsSpan(f * n, n);
            var e = 0.0;
            for (var k = 0; k < n; k++)
            {
                e += w[k] * x[k];
            }

            if (e > best)
            {
                best = e;
                facet = f;
            }
        }

        return best;
    }

    // Vector<double>.Count queries per step; returns how many queries it handled (a whole number of vectors).
    private int HullEnergiesVector(ReadOnlySpan<double> fractions, int count, Span<double> hullEnergy)
    {
        var n = _system.Length;
        var width = Vector<double>.Count;
        Span<Vector<double>> x = stackalloc Vector<double>[MaxVectorElements];
        var q = 0;
        for (; q + width <= count; q += width)
        {
            for (var k = 0; k < n; k++)
            {
                x[k] = new Vector<double>(fractions.Slice((k * count) + q, width));
            }

            var best = new Vector<double>(double.NegativeInfinity);
            for (var f = 0; f < _facetCount; f++)
            {
                var w = _potentials.AsSpan(f * n, n);
                var e = Vector<double>.Zero;
                for (var k = 0; k < n; k++)
                {
                    e += new Vector<double>(w[k]) * x[k];
                }

                best = Vector.ConditionalSelect(Vector.GreaterThan(e, best), e, best);
            }

            best.CopyTo(hullEnergy.Slice(q, width));
        }

        return q;
    }

    // Largest share first, ties by reduced formula.
    private static readonly Comparison<DecompositionPart> LargestFirst = static (a, b) =>
        b.Fraction.CompareTo(a.Fraction) is var c && c != 0 ? c : string.CompareOrdinal(a.Phase.ReducedFormula, b.Phase.ReducedFormula);

    // (Cᵀ)⁻¹ for a facet's vertex matrix C (rows: the vertices' atomic fractions), row-major: it maps a composition to
    // its weights on the facet's phases. Made once per facet, on the first decomposition that lands there; a race
    // makes it twice and keeps one.
    private double[] InverseOf(int facet)
    {
        var inverses = Volatile.Read(ref _inverseVertexMatrices)
            ?? Interlocked.CompareExchange(ref _inverseVertexMatrices, new double[]?[_facetCount], null)
            ?? _inverseVertexMatrices!;
        if (Volatile.Read(ref inverses[facet]) is { } known)
        {
            return known;
        }

        var n = _system.Length;
        var c = Matrix.Build.Dense(n, n);
        Span<double> x = stackalloc double[n];
        for (var i = 0; i < n; i++)
        {
            FractionsInto(_entries[_facetVertices[(facet * n) + i]].Composition, x);
            for (var k = 0; k < n; k++)
            {
                c[i, k] = x[k];
            }
        }

        var inverse = c.Transpose().Inverse().ToRowMajorArray();
        return Interlocked.CompareExchange(ref inverses[facet], inverse, null) ?? inverse;
    }

    // The point (rows of n in coords) of lowest energy among the entries' points, which follow the n elements and the helper.
    private static int ArgMinEnergy(double[] coords, int count, int n)
    {
        var best = n + 1;
        for (var i = n + 2; i < count; i++)
        {
            if (coords[(i * n) + n - 1] < coords[(best * n) + n - 1])
            {
                best = i;
            }
        }

        return best;
    }

    // A bit per element of the system with a non-zero fraction.
    private static ulong Present(ReadOnlySpan<double> x)
    {
        ulong bits = 0;
        for (var k = 0; k < x.Length; k++)
        {
            if (x[k] != 0)
            {
                bits |= 1UL << k;
            }
        }

        return bits;
    }

    private static void FractionsOf(Composition composition, byte[] system, Span<double> x)
    {
        x.Clear();
        var z = composition.AtomicNumbers;
        for (var i = 0; i < z.Length; i++)
        {
            var k = Array.IndexOf(system, z[i]);
            if (k < 0)
            {
                throw new ArgumentException($"Entry {composition.ReducedFormula} has {PeriodicTable.FromZ(z[i]).Symbol}, outside the system.");
            }

            x[k] = composition.Amounts[i] / composition.NumAtoms;
        }
    }

    private static int CompareStable(PhaseEntry[] all, int a, int b) =>
        all[a].Composition.AtomicNumbers.Length.CompareTo(all[b].Composition.AtomicNumbers.Length) is var c && c != 0 ? c
        : string.CompareOrdinal(all[a].ReducedFormula, all[b].ReducedFormula) is var r && r != 0 ? r
        : a.CompareTo(b);

    // Composition's fractions (lexicographically), then energy, then id; the given order last, so equal keys keep it.
    private static int CompareCanonical(PhaseEntry[] entries, double[] fractions, int n, int a, int b)
    {
        var x = fractions.AsSpan(a * n, n);
        var y = fractions.AsSpan(b * n, n);
        for (var k = 0; k < n; k++)
        {
            var c = x[k].CompareTo(y[k]);
            if (c != 0)
            {
                return c;
            }
        }

        var e = entries[a].EFormPerAtomEv.CompareTo(entries[b].EFormPerAtomEv);
        if (e != 0)
        {
            return e;
        }

        var id = string.CompareOrdinal(entries[a].Id, entries[b].Id);
        return id != 0 ? id : a.CompareTo(b);
    }
}
