using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Engine;

/// <summary>
/// The numbers computed per candidate, in output order: each predicted model's mean and standard deviation, then
/// (with a stability section) formation energy, its standard deviation, energy above hull and hull energy, then the
/// supply-risk indices and the probability that every constraint holds.
/// </summary>
public sealed class Quantities
{
    /// <summary>Built-in column names.</summary>
    public const string FormationEnergy = "formation_energy";

    /// <summary>Energy above the hull of the reference.</summary>
    public const string EAboveHull = "e_above_hull";

    /// <summary>Hull energy at the candidate's composition.</summary>
    public const string HullEnergy = "hull_energy";

    /// <summary>Mass-weighted HHI of production.</summary>
    public const string HhiProduction = "hhi_production";

    /// <summary>Mass-weighted HHI of reserves.</summary>
    public const string HhiReserve = "hhi_reserve";

    /// <summary>Probability that every constraint holds, from each prediction's mean and σ.</summary>
    public const string Probability = "p_constraints";

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>The layout for <paramref name="spec"/>.</summary>
    public Quantities(ScreeningSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var id in spec.Predict.Distinct())
        {
            Add(id);
            Add(id + "_std");
        }

        if (spec.Stability is not null)
        {
            Add(FormationEnergy);
            Add(FormationEnergy + "_std");
            Add(EAboveHull);
            Add(HullEnergy);
        }

        Add(HhiProduction);
        Add(HhiReserve);
        Add(Probability);
    }

    /// <summary>Column names in order.</summary>
    public List<string> Names { get; } = [];

    /// <summary>Number of quantities.</summary>
    public int Count => Names.Count;

    /// <summary>Index of a quantity.</summary>
    public int this[string name] => _index[name];

    /// <summary>Index of a quantity, or −1.</summary>
    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    /// <summary>Index of the standard deviation that belongs to <paramref name="name"/>, or −1 when it has none.</summary>
    public int StdOf(string name) => name == EAboveHull ? IndexOf(FormationEnergy + "_std") : IndexOf(name + "_std");

    private void Add(string name)
    {
        _index[name] = Names.Count;
        Names.Add(name);
    }
}
