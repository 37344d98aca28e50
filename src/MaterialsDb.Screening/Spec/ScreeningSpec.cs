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
public sealed record StabilitySpec(string Reference, string Model)
{
    /// <summary>The reference that names the shared materials database (service only).</summary>
    public const string DatabaseReference = "database";

    /// <summary>The default energy scheme of a database reference.</summary>
    public const string DefaultScheme = "mp2020";

    /// <summary>With <see cref="DatabaseReference"/>: the energy scheme of the hulls.</summary>
    public string? Scheme { get; init; }

    /// <summary>With <see cref="DatabaseReference"/>: the database version read (pinned, or fixed by the service at submission).</summary>
    public long? DatabaseVersion { get; init; }

    /// <summary>The candidates' own predicted energies join the reference hull (each judged without itself).</summary>
    public bool SelfConsistent { get; init; }

    /// <summary>p_stable is P(e_above_hull ≤ this), eV/atom.</summary>
    public double PStableThreshold { get; init; }

    /// <summary>Largest |p_stable_threshold| accepted (eV/atom): beyond it "stable" means nothing.</summary>
    public const double MaxPStableThreshold = 1.0;

    /// <summary>True when the reference is the shared materials database.</summary>
    public bool UsesDatabase => Reference == DatabaseReference;
}

/// <summary><c>rank</c>: exactly one of lexicographic keys, a weighted objective or Pareto keys; '-' marks descending.</summary>
public sealed record RankSpec(IReadOnlyList<string>? By, IReadOnlyDictionary<string, double>? Objective, IReadOnlyList<string>? Pareto, bool Uncertainty);

/// <summary>Where a spec came from, which decides what it may name.</summary>
public enum SpecOrigin
{
    /// <summary>A local file or library call: model folders, CSV references and candidate files on this machine may be named.</summary>
    Local,

    /// <summary>
    /// A request to the service: only catalog dataset ids, registered model ids and files uploaded with the request may be
    /// named, never a path on the server.
    /// </summary>
    Service,
}

/// <summary>
/// A validated screening spec (YAML or JSON). Field names are fixed so that specs move unchanged between the CLI, the
/// service and users' scripts. Exactly one of <see cref="Enumerate"/>, <see cref="List"/> and <see cref="Formulas"/> is set.
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
    int Top,
    IReadOnlyList<string>? Formulas = null,
    SpecOrigin Origin = SpecOrigin.Local)
{
    /// <summary>True when the candidates are given (a list file or inline formulas) rather than enumerated.</summary>
    public bool IsList => List is not null || Formulas is not null;

    /// <summary>Default number of ranked rows kept.</summary>
    public const int DefaultTop = 1000;

    /// <summary>Largest <c>top</c> accepted.</summary>
    public const int MaxTop = 1_000_000;

    /// <summary>
    /// The result column of a model id: lowercase letters, digits and '_' (<c>band-gap-pbe</c> → <c>band_gap_pbe</c>),
    /// so that SQL, pandas and Polars use it unquoted; the id itself stays in the file's metadata.
    /// </summary>
    public static string ColumnOf(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var column = new System.Text.StringBuilder(modelId.Length + 2);
        foreach (var c in modelId.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
            if (keep || (column.Length > 0 && column[^1] != '_'))
            {
                column.Append(keep ? c : '_');
            }
        }

        var text = column.ToString().TrimEnd('_');
        return text.Length == 0 || char.IsAsciiDigit(text[0]) ? "m_" + text : text;
    }

    /// <summary>Quantities a constraint or rank key may name besides the predicted model ids.</summary>
    public static IReadOnlyList<string> BuiltInQuantities { get; } = ["e_above_hull", "p_stable", "hhi_production", "hhi_reserve"];

    /// <summary>Quantities that need a stability section.</summary>
    public static IReadOnlyList<string> StabilityQuantities { get; } = ["e_above_hull", "p_stable"];

    /// <summary>Probabilities: rank keys that sort highest first unless prefixed with '-'.</summary>
    public static IReadOnlyList<string> Probabilities { get; } = ["p_stable", "p_constraints"];
}
