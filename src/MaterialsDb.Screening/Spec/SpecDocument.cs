using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaterialsDb.Screening.Spec;

// The screening spec as a document: field names, types and meanings. The JSON Schema (SpecSchema) is generated from
// these types, and SpecParser takes its lists of allowed fields from them, so the published schema and the parser
// cannot drift apart. Values are validated further by SpecParser (element symbols, ranges that depend on each other).

/// <summary>A screening spec (YAML or JSON).</summary>
[Description("A MaterialsDb screening spec: the candidate space, the models to predict with, constraints, ranking.")]
public sealed record SpecDocument(
    [property: Description("Name of the screening (printable text, at most 200 characters); names the result file.")] string Name,
    [property: Description("Where candidates come from: exactly one of enumerate, list, formulas.")] CandidatesDocument Candidates,
    [property: Description("Element symbols no candidate may contain.")] IReadOnlyList<string>? ExcludeElements = null,
    [property: Description("Ids of the models to predict with (GET /api/v1/models).")] IReadOnlyList<string>? Predict = null,
    [property: Description("Energy above the convex hull of a reference set of known phases, from a formation-energy model.")] StabilityDocument? Stability = null,
    [property: Description("Bounds per quantity: a predicted model id, e_above_hull, p_stable, hhi_production or hhi_reserve.")] IReadOnlyDictionary<string, BoundDocument>? Constraints = null,
    [property: Description("The order of the result.")] RankDocument? Rank = null,
    [property: Description("Ranked rows kept (1 to 1,000,000; default 1,000).")] int? Top = null);

/// <summary><c>candidates</c>.</summary>
public sealed record CandidatesDocument(
    [property: Description("Generate the candidates from an element palette with chemical filters.")] EnumerateDocument? Enumerate = null,
    [property: Description("A CSV or Parquet file with a 'formula' column: a local path for the CLI; for the service, the name of the file uploaded with the spec (multipart/form-data).")] string? List = null,
    [property: Description("The candidates written out (up to 100,000 formulas).")] IReadOnlyList<string>? Formulas = null);

/// <summary><c>candidates.enumerate</c>.</summary>
public sealed record EnumerateDocument(
    [property: Description("The palette: element symbols (case-sensitive, e.g. Fe).")] IReadOnlyList<string> Elements,
    [property: Description("Elements every candidate contains.")] IReadOnlyList<string>? Require = null,
    [property: Description("Elements of which every candidate contains at least one.")] IReadOnlyList<string>? RequireAny = null,
    [property: Description("[min, max] distinct elements per candidate (default [2, 3]).")] IReadOnlyList<int>? NElements = null,
    [property: Description("Largest integer amount, 1 to 64 (default 8); reduced formulas only.")] int? MaxCoefficient = null,
    [property: Description("Most atoms per formula unit, 1 to 1000.")] int? MaxAtoms = null,
    [property: Description("Keep only candidates with an oxidation-state assignment that sums to zero (default true).")] bool? ChargeNeutral = null,
    [property: Description("A named oxidation-state set (default " + Resources.OxidationStateSets.Default + "; the schema lists them) or a map from element symbol to its states.")] JsonElement? OxidationStates = null,
    [property: Description("Also require every cation to be less electronegative than every anion (SMACT's Pauling test).")] bool? ElectronegativityTest = null);

/// <summary><c>stability</c>.</summary>
public sealed record StabilityDocument(
    [property: Description("Catalog dataset id of known phases (default mp_e_form), or 'database': the caller's view of the shared materials database (service only); the CLI also takes a CSV path.")] string? Reference = null,
    [property: Description("Formation-energy model id, eV/atom (default formation-energy).")] string? Model = null,
    [property: Description("With reference: database, the energy scheme whose DFT entries form the hulls (default mp2020; GET /api/v1/schemes lists them).")] string? Scheme = null,
    [property: Description("With reference: database, read the database as of this version to reproduce an earlier result (default: the latest version visible to the caller at submission).")] long? DatabaseVersion = null,
    [property: Description("Candidates compete on one hull: the predicted formation energies of the candidates that reach the stability stage join the reference hull, and each is judged against that hull without itself (two passes over the space).")] bool? SelfConsistent = null,
    [property: Description("p_stable is the probability that e_above_hull ≤ this (eV/atom, default 0), from the formation-energy model's calibrated σ.")] double? PStableThreshold = null);

/// <summary>A constraint's bounds (at least one).</summary>
public sealed record BoundDocument(
    [property: Description("Lowest value kept.")] double? Min = null,
    [property: Description("Highest value kept.")] double? Max = null);

/// <summary><c>rank</c>: exactly one of by, objective, pareto.</summary>
public sealed record RankDocument(
    [property: Description("Lexicographic keys; a leading '-' reverses a key's order (ascending, except probabilities such as p_stable: highest first).")] IReadOnlyList<string>? By = null,
    [property: Description("A weighted sum of quantities, maximised.")] IReadOnlyDictionary<string, double>? Objective = null,
    [property: Description("Keys of a Pareto ranking (front 0 first); '-' maximises.")] IReadOnlyList<string>? Pareto = null,
    [property: Description("Rank first by the probability that every constraint holds.")] bool? Uncertainty = null);

/// <summary>Field names of the spec document, as they are written (snake_case).</summary>
public static class SpecFields
{
    /// <summary>The naming the document uses.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
    };

    /// <summary>Top-level fields.</summary>
    public static string[] TopLevel { get; } = Of<SpecDocument>();

    /// <summary>Fields of <c>candidates</c>.</summary>
    public static string[] Candidates { get; } = Of<CandidatesDocument>();

    /// <summary>Fields of <c>candidates.enumerate</c>.</summary>
    public static string[] Enumerate { get; } = Of<EnumerateDocument>();

    /// <summary>Fields of <c>stability</c>.</summary>
    public static string[] Stability { get; } = Of<StabilityDocument>();

    /// <summary>Fields of a constraint.</summary>
    public static string[] Bound { get; } = Of<BoundDocument>();

    /// <summary>Fields of <c>rank</c>.</summary>
    public static string[] Rank { get; } = Of<RankDocument>();

    private static string[] Of<T>() => [.. typeof(T).GetProperties().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))];
}
