using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Engine;

/// <summary>
/// The numbers computed per candidate, in output order: each model's mean and standard deviation (the predicted ones,
/// then the stability model if it is not among them), then (with a stability section) energy above hull, its
/// standard deviation, the hull energy and the probability of stability, then the supply-risk indices, the probability that every constraint holds
/// and the rank score.
/// </summary>
public sealed class Quantities
{
    /// <summary>Energy above the hull of the reference.</summary>
    public const string EAboveHull = "e_above_hull";

    /// <summary>Probability that the energy above hull is at most the spec's threshold, from its σ.</summary>
    public const string PStable = "p_stable";

    /// <summary>Hull energy at the candidate's composition.</summary>
    public const string HullEnergy = "hull_energy";

    /// <summary>Mass-weighted HHI of production.</summary>
    public const string HhiProduction = "hhi_production";

    /// <summary>Mass-weighted HHI of reserves.</summary>
    public const string HhiReserve = "hhi_reserve";

    /// <summary>Probability that every constraint holds, from each prediction's mean and σ.</summary>
    public const string Probability = "p_constraints";

    /// <summary>The rank score: the objective, the Pareto front, or the first rank key's value.</summary>
    public const string Score = "score";

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>The layout for <paramref name="spec"/>.</summary>
    public Quantities(ScreeningSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        StabilityModel = spec.Stability?.Model;
        Models = [.. spec.Predict.Append(StabilityModel).OfType<string>().Distinct()];
        foreach (var id in Models)
        {
            Add(id);
            Add(id + "_std");
        }

        if (spec.Stability is not null)
        {
            Add(EAboveHull);
            Add(EAboveHull + "_std");
            Add(HullEnergy);
            Add(PStable);
        }

        Add(HhiProduction);
        Add(HhiReserve);
        Add(Probability);
        Add(Score);
    }

    /// <summary>Model ids with a column each: the predicted ones, then the stability model.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>The formation-energy model of the stability section, if any.</summary>
    public string? StabilityModel { get; }

    /// <summary>Column names in order.</summary>
    public List<string> Names { get; } = [];

    /// <summary>Number of quantities.</summary>
    public int Count => Names.Count;

    /// <summary>Index of a quantity.</summary>
    public int this[string name] => _index[name];

    /// <summary>Index of a quantity, or −1.</summary>
    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    /// <summary>Index of the standard deviation that belongs to <paramref name="name"/>, or −1 when it has none.</summary>
    public int StdOf(string name) => IndexOf(name + "_std");

    private void Add(string name)
    {
        _index[name] = Names.Count;
        Names.Add(name);
    }
}
