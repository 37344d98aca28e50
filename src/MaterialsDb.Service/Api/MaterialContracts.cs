using System.Text.Json;
using MaterialsDb.Database;

namespace MaterialsDb.Service.Api;

/// <summary>An entry revision as the API shows it.</summary>
public sealed record MaterialView(
    string Id, int Revision, long Version, bool Retracted, string Formula, string ReducedFormula, string Chemsys, IReadOnlyList<string> Elements,
    int Nelements, IReadOnlyList<double> ElementRatios, string? ChemicalFormulaReduced, string? ChemicalFormulaAnonymous, string? ChemicalFormulaHill,
    string Scheme, double? EFormPerAtom, double? TotalEnergyPerAtom, double? BandGap, IReadOnlyDictionary<string, PropertyValue> Properties,
    string SourceKind, MethodInfo Method, string Owner, string Visibility, Provenance Provenance)
{
    /// <summary>Field names for <c>fields=</c>.</summary>
    public static readonly string[] FieldNames =
    [
        "id", "revision", "version", "retracted", "formula", "reduced_formula", "chemsys", "elements", "nelements", "element_ratios",
        "chemical_formula_reduced", "chemical_formula_anonymous", "chemical_formula_hill", "scheme", "e_form_per_atom", "total_energy_per_atom",
        "band_gap", "properties", "source_kind", "method", "owner", "visibility", "provenance",
    ];

    public static MaterialView Of(MaterialEntry e) => new(
        e.Id, e.Revision, e.Version, e.Retracted, e.Formula, e.Composition.ReducedFormula, e.Composition.ChemicalSystem, e.Fields.Elements,
        e.Composition.ElementCount, e.Fields.ElementRatios, e.Fields.OptimadeReduced, e.Fields.Anonymous, e.Fields.Hill, e.Scheme, e.EFormPerAtom,
        e.TotalEnergyPerAtom, e.BandGap, e.Properties, e.SourceKind.ToString().ToLowerInvariant(),
        e.Method, e.Owner, e.Visibility.ToString().ToLowerInvariant(), e.Provenance);
}

/// <summary>A JSON contribution: rows, and values for rows that give none.</summary>
public sealed record ContributionDocument(
    IReadOnlyList<ContributionRow> Entries, string? Scheme = null, string? Visibility = null, string? SourceKind = null,
    string? Label = null, string? Reference = null, string? Licence = null, string? Contributor = null);

/// <summary>What a contribution was given.</summary>
public sealed record ContributionResponse(IReadOnlyList<string> Ids, long Version, int Count, bool Replayed);

/// <summary>An energy scheme.</summary>
public sealed record SchemeView(string Name, string SourceKind, bool Hulls, string Description, string? CatalogDataset);

/// <summary>The schemes and the database version the caller sees.</summary>
public sealed record SchemesResponse(IReadOnlyList<SchemeView> Data, long DatabaseVersion);

/// <summary>A hull: its stable phases and every entry's place relative to it.</summary>
/// <param name="Chemsys">The chemical system.</param>
/// <param name="Scheme">The energy scheme of every entry.</param>
/// <param name="DatabaseVersion">The database version read.</param>
/// <param name="Stable">Phases on the hull.</param>
/// <param name="Entries">Every entry of the system, by energy above hull.</param>
/// <param name="Facets">The hull's facets as ids of stable phases (a phase diagram's tie lines are their edges).</param>
public sealed record HullResponse(string Chemsys, string Scheme, long DatabaseVersion, IReadOnlyList<HullEntryView> Stable, IReadOnlyList<HullEntryView> Entries, IReadOnlyList<IReadOnlyList<string>>? Facets = null);

/// <summary>One entry of a hull.</summary>
public sealed record HullEntryView(string Id, string ReducedFormula, double EFormPerAtom, double EAboveHull, double HullEnergy, IReadOnlyList<DecompositionView> Decomposition);

/// <summary>One phase of a decomposition and its share of the atoms.</summary>
public sealed record DecompositionView(string Id, string ReducedFormula, double Fraction);

/// <summary>A batch of formulas with formation energies to place against hulls.</summary>
public sealed record StabilityRequest(IReadOnlyList<StabilityRow> Entries, string? Scheme = null, long? DatabaseVersion = null);

/// <summary>One formula and its formation energy (eV/atom).</summary>
public sealed record StabilityRow(string? Formula, double? EFormPerAtom);

/// <summary>The answers, in request order.</summary>
public sealed record StabilityResponse(string Scheme, long DatabaseVersion, IReadOnlyList<StabilityResultView> Data);

/// <summary>One answer.</summary>
public sealed record StabilityResultView(string Formula, string ReducedFormula, double EFormPerAtom, double EAboveHull, double HullEnergy, IReadOnlyList<DecompositionView> Decomposition);
