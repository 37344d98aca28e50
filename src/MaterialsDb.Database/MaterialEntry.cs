using System.Text.Json;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Database;

/// <summary>
/// One revision of an entry. A change makes a new revision that supersedes the previous one; a retraction is a
/// revision marked <see cref="Retracted"/> (a tombstone); nothing is overwritten.
/// </summary>
public sealed record MaterialEntry
{
    /// <summary>The prefix of entry ids.</summary>
    public const string IdPrefix = "mdb-";

    /// <summary>The entry's number; its id is <c>mdb-&lt;number&gt;</c>, never reused.</summary>
    public required long Number { get; init; }

    /// <summary>1 for the first revision, one more for each change.</summary>
    public required int Revision { get; init; }

    /// <summary>The database version that made this revision.</summary>
    public required long Version { get; init; }

    /// <summary>The version whose change superseded this revision; null while it is the latest.</summary>
    public long? SupersededVersion { get; init; }

    /// <summary>True for a retraction's tombstone.</summary>
    public bool Retracted { get; init; }

    /// <summary>The formula as contributed.</summary>
    public required string Formula { get; init; }

    /// <summary>The parsed composition.</summary>
    public required Composition Composition { get; init; }

    /// <summary>The energy scheme of <see cref="EFormPerAtom"/> (<see cref="EnergySchemes"/>).</summary>
    public required string Scheme { get; init; }

    /// <summary>Formation energy, eV/atom.</summary>
    public double? EFormPerAtom { get; init; }

    /// <summary>Total energy, eV/atom.</summary>
    public double? TotalEnergyPerAtom { get; init; }

    /// <summary>Band gap, eV.</summary>
    public double? BandGap { get; init; }

    /// <summary>Further numeric properties with their units.</summary>
    public IReadOnlyDictionary<string, PropertyValue> Properties { get; init; } = NoProperties;

    /// <summary>DFT, experiment or ML.</summary>
    public required SourceKind SourceKind { get; init; }

    /// <summary>How the values were obtained.</summary>
    public MethodInfo Method { get; init; } = NoMethod;

    /// <summary>The contributing tenant (<see cref="Viewer.CatalogOwner"/> for catalog imports).</summary>
    public required string Owner { get; init; }

    /// <summary>Who may read it.</summary>
    public required Visibility Visibility { get; init; }

    /// <summary>Where it came from.</summary>
    public required Provenance Provenance { get; init; }

    /// <summary>The stable id, <c>mdb-&lt;n&gt;</c>.</summary>
    public string Id => IdPrefix + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The fields searched by (OPTIMADE forms), computed once.</summary>
    public FormulaFields Fields => _fields ??= FormulaFields.Of(Composition);

    private static readonly IReadOnlyDictionary<string, PropertyValue> NoProperties = new Dictionary<string, PropertyValue>();
    private static readonly MethodInfo NoMethod = new();

    private FormulaFields? _fields;

    /// <summary>Parses <c>mdb-&lt;n&gt;</c>; false for anything else.</summary>
    public static bool TryParseId(string? id, out long number)
    {
        number = 0;
        return id is not null && id.StartsWith(IdPrefix, StringComparison.Ordinal) && id.Length <= IdPrefix.Length + 18
            && long.TryParse(id.AsSpan(IdPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number) && number > 0;
    }
}

/// <summary>A numeric property value and its unit.</summary>
public sealed record PropertyValue(double Value, string Unit);

/// <summary>How a value was obtained.</summary>
/// <param name="Code">Program, e.g. VASP 6.4.</param>
/// <param name="Functional">Functional or run type, e.g. PBE, GGA+U, r2SCAN.</param>
/// <param name="HubbardU">U values (eV) by element symbol.</param>
/// <param name="Settings">Further settings as JSON (cut-offs, k-points, pseudopotentials).</param>
public sealed record MethodInfo(string? Code = null, string? Functional = null, IReadOnlyDictionary<string, double>? HubbardU = null, JsonElement? Settings = null);

/// <summary>Where an entry came from.</summary>
/// <param name="Label">The dataset or batch label.</param>
/// <param name="Reference">A DOI or citation.</param>
/// <param name="Licence">SPDX licence id.</param>
/// <param name="Contributor">The person or pipeline that contributed it.</param>
/// <param name="Created">When this revision was made.</param>
public sealed record Provenance(string? Label, string? Reference, string Licence, string? Contributor, DateTimeOffset Created);
