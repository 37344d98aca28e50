namespace MaterialsDb.Chemistry;

/// <summary>
/// An immutable chemical composition: distinct elements (sorted by atomic number) with positive amounts.
/// </summary>
/// <remarks>
/// Equality and hashing compare <see cref="ReducedComposition"/>s, amounts within <see cref="FormulaParser.AmountTolerance"/>:
/// <c>Fe2O3</c> equals <c>Fe4O6</c>. For batches of millions use <see cref="CompositionBatch"/>, which stores the same
/// data as flat arrays instead of one object per composition.
/// </remarks>
public sealed partial class Composition : IEquatable<Composition>
{
    private readonly byte[] _z;
    private readonly double[] _amounts;

    // Kept once written (not part of equality): hulls sort their stable phases by it, for every system a phase is in.
    private string? _reducedFormula;
    private Composition? _reduced;
    private double _reductionFactor;

    // Callers guarantee: sorted by Z, distinct, every amount >= tolerance.
    internal Composition(byte[] atomicNumbers, double[] amounts)
    {
        _z = atomicNumbers;
        _amounts = amounts;
        var total = 0.0;
        foreach (var a in amounts)
        {
            total += a;
        }

        NumAtoms = total;
    }

    /// <summary>Parses a formula; see <see cref="FormulaParser"/> for the grammar.</summary>
    /// <exception cref="FormulaException">The formula is malformed.</exception>
    public static Composition Parse(string formula) => FormulaParser.Parse(formula);

    /// <summary>Builds a composition from element amounts; amounts of one element are summed.</summary>
    /// <exception cref="ArgumentException">An amount is negative or not finite, or the total is not positive.</exception>
    public static Composition FromAmounts(IEnumerable<KeyValuePair<Element, double>> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var sums = new SortedDictionary<int, double>();
        foreach (var (element, amount) in amounts)
        {
            if (!double.IsFinite(amount) || amount < 0)
            {
                throw new ArgumentException($"Amount of {element.Symbol} must be a finite number >= 0, not {amount}.", nameof(amounts));
            }

            sums[element.Z] = sums.GetValueOrDefault(element.Z) + amount;
        }

        var kept = sums.Where(kv => kv.Value >= FormulaParser.AmountTolerance).ToArray();
        if (kept.Length == 0)
        {
            throw new ArgumentException("A composition needs at least one element with a positive amount.", nameof(amounts));
        }

        return new Composition([.. kept.Select(kv => (byte)kv.Key)], [.. kept.Select(kv => kv.Value)]);
    }

    /// <summary>Number of distinct elements.</summary>
    public int ElementCount => _z.Length;

    /// <summary>Atomic numbers of the elements, ascending.</summary>
    public ReadOnlySpan<byte> AtomicNumbers => _z;

    /// <summary>Amounts, aligned with <see cref="AtomicNumbers"/>.</summary>
    public ReadOnlySpan<double> Amounts => _amounts;

    /// <summary>The elements, by ascending atomic number.</summary>
    public IEnumerable<Element> Elements => _z.Select(z => PeriodicTable.FromZ(z));

    /// <summary>Total number of atoms: the sum of the amounts as written (4 for <c>Li2O2</c>).</summary>
    public double NumAtoms { get; }

    /// <summary>Amount of <paramref name="element"/>, 0 when absent.</summary>
    public double this[Element element] => AmountOf(element.Z);

    /// <summary>Amount of the element with this symbol, 0 when absent.</summary>
    /// <exception cref="MaterialsDbException">The symbol is not an element.</exception>
    public double this[string symbol] => AmountOf(PeriodicTable.FromSymbol(symbol).Z);

    /// <summary>Atomic fraction of <paramref name="element"/>: its amount divided by <see cref="NumAtoms"/>.</summary>
    public double GetAtomicFraction(Element element) => AmountOf(element.Z) / NumAtoms;

    /// <summary>The composition scaled to one atom in total (amounts are atomic fractions).</summary>
    public Composition FractionalComposition => DivideBy(NumAtoms);

    /// <summary>
    /// The composition divided by <see cref="ReductionFactor"/>: by the greatest common divisor when every amount is an
    /// integer within 1e-8, otherwise unchanged (as pymatgen's <c>get_reduced_composition_and_factor</c>).
    /// </summary>
    public Composition ReducedComposition
    {
        get
        {
            EnsureReduced();
            return _reduced!;
        }
    }

    /// <summary>The factor this composition is of its reduced composition (2 for <c>Fe4O6</c>; 1 when amounts are not all integers).</summary>
    public double ReductionFactor
    {
        get
        {
            EnsureReduced();
            return _reductionFactor;
        }
    }

    /// <summary>Elements and amounts as pairs, by ascending atomic number.</summary>
    public IEnumerable<KeyValuePair<Element, double>> AsPairs()
    {
        for (var i = 0; i < _z.Length; i++)
        {
            yield return new(PeriodicTable.FromZ(_z[i]), _amounts[i]);
        }
    }

    /// <inheritdoc />
    public bool Equals(Composition? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (!_z.AsSpan().SequenceEqual(other._z))
        {
            return false;
        }

        var a = ReducedComposition._amounts;
        var b = other.ReducedComposition._amounts;
        for (var i = 0; i < a.Length; i++)
        {
            if (Math.Abs(a[i] - b[i]) > FormulaParser.AmountTolerance)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Composition);

    /// <summary>Hashes the element set only, so that compositions equal within the tolerance hash alike.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_z);
        return hash.ToHashCode();
    }

    /// <summary>Equality on reduced compositions within the tolerance.</summary>
    public static bool operator ==(Composition? left, Composition? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality on reduced compositions within the tolerance.</summary>
    public static bool operator !=(Composition? left, Composition? right) => !(left == right);

    private double AmountOf(int z)
    {
        var i = Array.IndexOf(_z, (byte)z);
        return i < 0 ? 0 : _amounts[i];
    }

    // Division rather than multiplication by a reciprocal keeps 6/3 exactly 2.
    private Composition DivideBy(double divisor)
    {
        var scaled = new double[_amounts.Length];
        for (var i = 0; i < scaled.Length; i++)
        {
            scaled[i] = _amounts[i] / divisor;
        }

        return new Composition(_z, scaled);
    }

    private void EnsureReduced()
    {
        if (_reduced is not null)
        {
            return;
        }

        var factor = ComputeReductionFactor(_amounts);
        _reductionFactor = factor;
        _reduced = factor == 1.0 ? this : DivideBy(factor);
    }

    /// <summary>The GCD of the amounts when all are integers within the tolerance, else 1.</summary>
    internal static double ComputeReductionFactor(ReadOnlySpan<double> amounts)
    {
        long gcd = 0;
        foreach (var a in amounts)
        {
            var rounded = Math.Round(a);
            if (Math.Abs(a - rounded) >= FormulaParser.AmountTolerance || rounded > long.MaxValue / 2)
            {
                return 1.0;
            }

            gcd = Gcd(gcd, (long)rounded);
        }

        return gcd <= 1 ? 1.0 : gcd;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
