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
    private readonly int[] _indexByZ;
    private readonly double[] _potentials;
    private readonly double[]?[] _inverseVertexMatrices;
    // The phases at each facet's vertices, n per facet in one array (a whole database has millions of facets).
    private readonly PhaseEntry[] _facetPhases;
    private readonly int _facetCount;

    private PhaseDiagram(byte[] system, IReadOnlyList<PhaseEntry> entries, IEnumerable<PhaseEntry> stable, PhaseEntry[] facetPhases, double[] potentials)
    {
        _system = system;
        Entries = entries;
        _facetPhases = facetPhases;
        _facetCount = facetPhases.Length / system.Length;
        _potentials = potentials;
        _inverseVertexMatrices = new double[]?[_facetCount];
        _indexByZ = new int[PeriodicTable.MaxZ + 1];
        Array.Fill(_indexByZ, -1);
        for (var i = 0; i < system.Length; i++)
        {
            _indexByZ[system[i]] = i;
        }

        StableEntries = [.. stable.OrderBy(e => e.Composition.AtomicNumbers.Length).ThenBy(e => e.ReducedFormula, StringComparer.Ordinal)];
        ChemicalSystem = string.Join('-', system.Select(z => PeriodicTable.FromZ(z).Symbol).Order(StringComparer.Ordinal));
    }

    /// <summary>Elements of the system by atomic number.</summary>
    public IReadOnlyList<Element> Elements => [.. _system.Select(z => PeriodicTable.FromZ(z))];

    /// <summary>The chemical system, e.g. <c>Fe-Li-O-P</c>.</summary>
    public string ChemicalSystem { get; }

    /// <summary>Every entry the hull was built from (the elemental reference states included).</summary>
    public IReadOnlyList<PhaseEntry> Entries { get; }

    /// <summary>The phases at the vertices of the lower hull.</summary>
    public IReadOnlyList<PhaseEntry> StableEntries { get; }

    /// <summary>Number of lower-hull facets.</summary>
    public int FacetCount => _facetCount;

    /// <summary>The lower hull's facets, each as its stable phases (their edges are a phase diagram's tie lines).</summary>
    public IReadOnlyList<IReadOnlyList<PhaseEntry>> Facets =>
        [.. Enumerable.Range(0, _facetCount).Select(f => (IReadOnlyList<PhaseEntry>)new ArraySegment<PhaseEntry>(_facetPhases, f * _system.Length, _system.Length))];

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

        var n = elements.Length;
        var references = elements.Select(z => ElementalReferences[z]).ToArray();

        // A canonical order (composition, energy, id) makes the hull independent of the input's row order.
        var data = entries.Select(e => (Entry: e, X: Fractions(e.Composition, elements)))
            .OrderBy(t => t.X, FractionComparer.Instance).ThenBy(t => t.Entry.EFormPerAtomEv).ThenBy(t => t.Entry.Id, StringComparer.Ordinal)
            .ToArray();
        var all = references.Concat(data.Select(t => t.Entry)).ToArray();

        // Points: the elements, the helper point above the simplex, then every entry below E = 0.
        var points = new List<double[]>();
        var owners = new List<PhaseEntry>();
        for (var i = 0; i < n; i++)
        {
            var x = new double[n];
            x[i] = 1;
            points.Add(Point(x, 0));
            owners.Add(references[i]);
        }

        var top = data.Length == 0 ? 1.0 : Math.Max(0, data.Max(t => t.Entry.EFormPerAtomEv)) + 1.0;
        points.Add(Point([.. Enumerable.Repeat(1.0 / n, n)], top));
        owners.Add(references[0]);
        foreach (var (entry, x) in data)
        {
            if (entry.EFormPerAtomEv < -LowerHull.Tolerance)
            {
                points.Add(Point(x, entry.EFormPerAtomEv));
                owners.Add(entry);
            }
        }

        var facets = n == 1
            ? [[points.Count > n + 1 ? ArgMinEnergy(points, n) : 0]]
            : LowerHull.LowerFacets([.. points], n);

        var potentials = new double[facets.Count * n];
        var phases = new PhaseEntry[facets.Count * n];

        // MathNet's LU on raw arrays, reused for every facet: a high-dimensional system has thousands of facets, and
        // building a Matrix per facet made these small solves the largest allocation of a whole-database build. The
        // inverses decompositions need are made on first use (most facets never decompose anything).
        var lu = new double[n * n];
        var pivots = new int[n];
        var energies = new double[n];
        var linearAlgebra = LinearAlgebraControl.Provider;
        var isVertex = new bool[points.Count];
        for (var f = 0; f < facets.Count; f++)
        {
            var vertices = facets[f];
            var phase = phases.AsSpan(f * n, n);
            for (var i = 0; i < n; i++)
            {
                phase[i] = owners[vertices[i]];
                isVertex[vertices[i]] = true;
            }

            // C (column-major) holds the vertices' atomic fractions over the full system as rows; w solves C w = E.
            for (var i = 0; i < n; i++)
            {
                var point = points[vertices[i]];
                for (var k = 0; k < n; k++)
                {
                    lu[(k * n) + i] = FractionOf(point, k, n);
                }

                energies[i] = point[n - 1];
            }

            linearAlgebra.LUFactor(lu, n, pivots);
            linearAlgebra.LUSolveFactored(1, lu, n, pivots, energies);
            energies.CopyTo(potentials, f * n);
        }

        // Every point has its own entry (the helper is never a lower vertex), so the marked points are the stable phases.
        var stable = Enumerable.Range(0, points.Count).Where(p => isVertex[p]).Select(p => owners[p]);
        return new PhaseDiagram(elements, all, stable, phases, potentials);
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
        var n = _system.Length;
        Span<double> x = stackalloc double[n];
        FractionsInto(composition, x);
        var hull = BestFacet(x, out var facet);
        var inverse = InverseOf(facet);

        // Plain loops and one array: the stability command asks this for every one of millions of rows.
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

        var normalized = new DecompositionPart[count];
        for (int i = 0, j = 0; i < n; i++)
        {
            if (weights[i] > DecompositionTolerance)
            {
                normalized[j++] = new DecompositionPart(_facetPhases[(facet * n) + i], weights[i] / total);
            }
        }

        Array.Sort(normalized, LargestFirst);
        return new StabilityResult(hull, eFormPerAtomEv - hull, normalized);
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
            var k = _indexByZ[z[i]];
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
        if (Volatile.Read(ref _inverseVertexMatrices[facet]) is { } known)
        {
            return known;
        }

        var n = _system.Length;
        var c = Matrix.Build.Dense(n, n);
        Span<double> x = stackalloc double[n];
        for (var i = 0; i < n; i++)
        {
            FractionsInto(_facetPhases[(facet * n) + i].Composition, x);
            for (var k = 0; k < n; k++)
            {
                c[i, k] = x[k];
            }
        }

        var inverse = c.Transpose().Inverse().ToRowMajorArray();
        return Interlocked.CompareExchange(ref _inverseVertexMatrices[facet], inverse, null) ?? inverse;
    }

    private static int ArgMinEnergy(List<double[]> points, int n)
    {
        var best = n + 1;
        for (var i = n + 2; i < points.Count; i++)
        {
            if (points[i][n - 1] < points[best][n - 1])
            {
                best = i;
            }
        }

        return best;
    }

    // Hull coordinates: the fractions of elements 1..n-1, then the energy.
    private static double[] Point(double[] x, double energy)
    {
        var n = x.Length;
        var p = new double[n];
        for (var k = 1; k < n; k++)
        {
            p[k - 1] = x[k];
        }

        p[n - 1] = energy;
        return p;
    }

    private static double FractionOf(double[] point, int k, int n)
    {
        if (k > 0)
        {
            return point[k - 1];
        }

        var rest = 0.0;
        for (var i = 0; i < n - 1; i++)
        {
            rest += point[i];
        }

        return 1 - rest;
    }

    private static double[] Fractions(Composition composition, byte[] system)
    {
        var x = new double[system.Length];
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

        return x;
    }

    private sealed class FractionComparer : IComparer<double[]>
    {
        public static readonly FractionComparer Instance = new();

        public int Compare(double[]? a, double[]? b)
        {
            for (var k = 0; k < a!.Length; k++)
            {
                var c = a[k].CompareTo(b![k]);
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }
    }
}
