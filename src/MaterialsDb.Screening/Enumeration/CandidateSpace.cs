namespace MaterialsDb.Screening.Enumeration;

/// <summary>
/// What to enumerate: every combination of <see cref="MinElements"/> … <see cref="MaxElements"/> elements of the
/// palette that contains all of <see cref="Require"/>, with integer coefficients 1 … <see cref="MaxCoefficient"/>
/// (and at most <see cref="MaxAtoms"/> atoms per formula unit), reduced formulas only, kept when they pass the
/// chemical filters.
/// </summary>
public sealed record CandidateSpace
{
    /// <summary>Atomic numbers to draw elements from.</summary>
    public required IReadOnlyList<int> Palette { get; init; }

    /// <summary>Atomic numbers every candidate must contain.</summary>
    public IReadOnlyList<int> Require { get; init; } = [];

    /// <summary>Atomic numbers of which every candidate must contain at least one (none: no condition).</summary>
    public IReadOnlyList<int> RequireAny { get; init; } = [];

    /// <summary>Fewest elements per candidate.</summary>
    public int MinElements { get; init; } = 2;

    /// <summary>Most elements per candidate.</summary>
    public int MaxElements { get; init; } = 3;

    /// <summary>Largest stoichiometric coefficient.</summary>
    public int MaxCoefficient { get; init; } = 6;

    /// <summary>Most atoms per formula unit (sum of the coefficients); null = no limit beyond <see cref="MaxCoefficient"/>.</summary>
    public int? MaxAtoms { get; init; }

    /// <summary>Keep only candidates with an oxidation-state assignment summing to zero (SMACT's <c>neutral_ratios</c>).</summary>
    public bool ChargeNeutral { get; init; } = true;

    /// <summary>Also require, for that assignment, every cation to be less electronegative than every anion (SMACT's <c>pauling_test</c>).</summary>
    public bool ElectronegativityTest { get; init; }

    /// <summary>The oxidation states (required when <see cref="ChargeNeutral"/>).</summary>
    public OxidationStateSet? OxidationStates { get; init; }
}
