namespace MaterialsDb.Screening.Spec;

/// <summary>A range constraint on one quantity; either bound may be absent.</summary>
public sealed record Bound(double? Min, double? Max);

/// <summary><c>candidates.enumerate</c>: the composition space to generate.</summary>
public sealed record EnumerateSpec(
    IReadOnlyList<int> Elements,
    IReadOnlyList<int> Require,
    IReadOnlyList<int> RequireAny,
    int MinElements,
    int MaxElements,
    int MaxCoefficient,
    bool ChargeNeutral,
    string? OxidationStateSet,
    IReadOnlyDictionary<int, int[]> OxidationStateOverrides,
    bool ElectronegativityTest,
    int? MaxAtoms = null);

/// <summary><c>stability</c>: reference dataset and formation-energy model.</summary>
public sealed record StabilitySpec(string Reference, string Model);

/// <summary><c>rank</c>: exactly one of lexicographic keys, a weighted objective or Pareto keys; '-' marks descending.</summary>
public sealed record RankSpec(IReadOnlyList<string>? By, IReadOnlyDictionary<string, double>? Objective, IReadOnlyList<string>? Pareto, bool Uncertainty);

/// <summary>
/// A validated screening spec (YAML or JSON). Field names are fixed so that specs move unchanged between the CLI, the
/// service and users' scripts.
/// </summary>
public sealed record ScreeningSpec(
    string Name,
    EnumerateSpec? Enumerate,
    string? List,
    IReadOnlyList<int> ExcludeElements,
    IReadOnlyList<string> Predict,
    StabilitySpec? Stability,
    IReadOnlyDictionary<string, Bound> Constraints,
    RankSpec? Rank,
    int Top)
{
    /// <summary>Default number of ranked rows kept.</summary>
    public const int DefaultTop = 1000;

    /// <summary>Largest <c>top</c> accepted.</summary>
    public const int MaxTop = 1_000_000;

    /// <summary>Oxidation-state set names understood by <c>oxidation_states</c>.</summary>
    public static IReadOnlyList<string> OxidationStateSets { get; } = ["icsd24", "smact14", "icsd16", "pymatgen_sp", "magpie"];

    /// <summary>Quantities a constraint or rank key may name besides the predicted model ids.</summary>
    public static IReadOnlyList<string> BuiltInQuantities { get; } = ["e_above_hull", "hhi_production", "hhi_reserve"];
}
