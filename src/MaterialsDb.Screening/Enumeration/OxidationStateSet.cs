using MaterialsDb.Chemistry;

namespace MaterialsDb.Screening.Enumeration;

/// <summary>
/// Oxidation states by element, with the electronegativities the electronegativity test uses alongside them
/// (SMACT's own Pauling values for SMACT's sets, Magpie's for matminer's).
/// </summary>
public sealed class OxidationStateSet
{
    private readonly int[][] _states;
    private readonly double[] _electronegativity;

    /// <summary>Creates a set; <paramref name="overrides"/> replace the states of the elements they name.</summary>
    public OxidationStateSet(string name, int[][] statesByZ, double[] electronegativityByZ, IReadOnlyDictionary<int, int[]>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(statesByZ);
        ArgumentNullException.ThrowIfNull(electronegativityByZ);
        Name = name;
        _states = [.. statesByZ.Select(s => s.Distinct().Order().ToArray())];
        _electronegativity = electronegativityByZ;
        foreach (var (z, states) in overrides ?? new Dictionary<int, int[]>())
        {
            _states[z - 1] = [.. states.Distinct().Order()];
        }
    }

    /// <summary>Name of the set (<c>icsd24</c>, <c>smact14</c>, …).</summary>
    public string Name { get; }

    /// <summary>The oxidation states of element <paramref name="z"/>, ascending (empty when the set has none).</summary>
    public ReadOnlySpan<int> States(int z) => _states[z - 1];

    /// <summary>The electronegativity of element <paramref name="z"/>, NaN when unknown.</summary>
    public double Electronegativity(int z) => z - 1 < _electronegativity.Length ? _electronegativity[z - 1] : double.NaN;

    /// <summary>Throws when an element of <paramref name="palette"/> has no oxidation state in this set.</summary>
    /// <exception cref="MaterialsDbException">Names the elements without states.</exception>
    public void RequireStates(IEnumerable<int> palette)
    {
        var missing = palette.Where(z => _states[z - 1].Length == 0).Select(z => PeriodicTable.FromZ(z).Symbol).ToArray();
        if (missing.Length > 0)
        {
            throw new MaterialsDbException($"Oxidation-state set '{Name}' has no states for {string.Join(", ", missing)}; add an override for them, use another set, or set charge_neutral: false.");
        }
    }
}
