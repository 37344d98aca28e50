using System.Globalization;

namespace MaterialsDb.Database.Filters;

/// <summary>The type of a field, as OPTIMADE names it.</summary>
public enum FieldType
{
    /// <summary>Text.</summary>
    String,

    /// <summary>Whole number.</summary>
    Integer,

    /// <summary>Floating-point number.</summary>
    Float,

    /// <summary>RFC 3339 date and time, compared as a time.</summary>
    Timestamp,

    /// <summary>List of strings.</summary>
    StringList,

    /// <summary>List of floats.</summary>
    FloatList,

    /// <summary>List of integers.</summary>
    IntegerList,

    /// <summary>List of lists or of dictionaries (structure fields composition-only entries leave null).</summary>
    NestedList,
}

/// <summary>
/// A field of an entry as the OPTIMADE <c>structures</c> endpoint serves and filters it: its value in memory and the SQL
/// expression over <c>materialsdb.entries</c> that gives the same value, so both stores filter alike.
/// </summary>
/// <param name="Name">The OPTIMADE name (provider fields start with <c>_mdb_</c>).</param>
/// <param name="Type">Its type.</param>
/// <param name="Description">What it holds.</param>
/// <param name="Unit">Its unit, if any.</param>
/// <param name="Sql">The SQL expression of its value.</param>
/// <param name="Value">Its value for an entry: string, double, long, DateTimeOffset, string[], double[] or null.</param>
public sealed record EntryField(string Name, FieldType Type, string Description, string? Unit, string Sql, Func<MaterialEntry, object?> Value)
{
    /// <summary>False for fields computed per response (energy above hull), which filters cannot name.</summary>
    public bool Queryable { get; init; } = true;

    /// <summary>False for fields returned only when <c>response_fields</c> names them.</summary>
    public bool InDefaultResponse { get; init; } = true;

    /// <summary>True for fields the OPTIMADE specification defines (not <c>_mdb_</c> ones).</summary>
    public bool Standard => !Name.StartsWith('_');

    /// <summary>True for list types.</summary>
    public bool IsList => Type is FieldType.StringList or FieldType.FloatList or FieldType.IntegerList or FieldType.NestedList;
}

/// <summary>
/// Every field of an entry served by the OPTIMADE provider, and the check of a filter against them: unknown
/// unprefixed or <c>_mdb_</c> fields and mismatched types are refused (400), other providers' fields are treated as
/// unknown with a warning, as the specification asks.
/// </summary>
public static class EntryFields
{
    /// <summary>This provider's prefix, without underscores.</summary>
    public const string Prefix = "mdb";

    /// <summary>The field computed per response from the caller's hull (not filterable).</summary>
    public const string EAboveHull = "_mdb_e_above_hull";

    private const string Null = "NULL";

    /// <summary>Every field, standard ones first.</summary>
    public static IReadOnlyList<EntryField> All { get; } =
    [
        new("id", FieldType.String, "The entry's stable id, mdb-<n>; never reused.", null, "('mdb-' || number)", e => e.Id),
        new("type", FieldType.String, "Always 'structures'.", null, "'structures'::text", _ => "structures"),
        new("immutable_id", FieldType.String, "The id of this revision, mdb-<n>@<revision>: it never changes.", null, "('mdb-' || number || '@' || revision)", e => $"{e.Id}@{e.Revision.ToString(CultureInfo.InvariantCulture)}"),
        new("last_modified", FieldType.Timestamp, "When this revision was made.", null, "(record->'provenance'->>'created')::timestamptz", e => e.Provenance.Created),
        new("elements", FieldType.StringList, "Element symbols, alphabetical.", null, "elements", e => e.Fields.Elements),
        new("nelements", FieldType.Integer, "Number of elements.", null, "nelements", e => (long)e.Composition.ElementCount),
        new("elements_ratios", FieldType.FloatList, "Atomic fraction of each element of 'elements'; they sum to 1.", null, "elements_ratios", e => e.Fields.ElementRatios),
        new("chemical_formula_descriptive", FieldType.String, "The formula as contributed.", null, "(record->>'formula')", e => e.Formula),
        new("chemical_formula_reduced", FieldType.String, "Reduced formula, elements alphabetical, counts divided by their greatest common divisor (null for non-integer amounts).", null, "optimade_reduced", e => e.Fields.OptimadeReduced),
        new("chemical_formula_hill", FieldType.String, "Hill formula of the amounts as contributed (null for non-integer amounts).", null, "formula_hill", e => e.Fields.Hill),
        new("chemical_formula_anonymous", FieldType.String, "Anonymous formula: counts in decreasing order, elements labelled A, B, ... (null for non-integer amounts).", null, "formula_anonymous", e => e.Fields.Anonymous),
        new("dimension_types", FieldType.IntegerList, "Periodicity per direction: unknown for a composition.", null, Null + "::int[]", _ => null),
        new("nperiodic_dimensions", FieldType.Integer, "Number of periodic dimensions: unknown for a composition.", null, Null + "::int", _ => null),
        new("lattice_vectors", FieldType.NestedList, "Lattice vectors: a composition has none.", "Å", Null, _ => null),
        new("cartesian_site_positions", FieldType.NestedList, "Site positions: a composition has none.", "Å", Null, _ => null),
        new("nsites", FieldType.Integer, "Number of sites: unknown for a composition.", null, Null + "::int", _ => null),
        new("species_at_sites", FieldType.StringList, "Species of each site: a composition has none.", null, Null + "::text[]", _ => null),
        new("species", FieldType.NestedList, "Species: a composition has none.", null, Null, _ => null),
        new("assemblies", FieldType.NestedList, "Assemblies: a composition has none.", null, Null, _ => null),
        new("structure_features", FieldType.StringList, "Structure features: none for a composition.", null, "'{}'::text[]", _ => Array.Empty<string>()),
        new("_mdb_formation_energy_per_atom", FieldType.Float, "Formation energy per atom in the entry's energy scheme.", "eV/atom", "e_form_per_atom", e => e.EFormPerAtom),
        new("_mdb_energy_scheme", FieldType.String, "The energy scheme of the formation energy (mp2020, oqmd, r2scan, experiment, ml); hulls mix one DFT scheme only.", null, "scheme", e => e.Scheme),
        new("_mdb_source_kind", FieldType.String, "dft, experiment or ml.", null, "source_kind", e => e.SourceKind.ToString().ToLowerInvariant()),
        new("_mdb_total_energy_per_atom", FieldType.Float, "Total energy per atom.", "eV/atom", "(record->>'total_energy_per_atom')::float8", e => e.TotalEnergyPerAtom),
        new("_mdb_band_gap", FieldType.Float, "Band gap.", "eV", "(record->>'band_gap')::float8", e => e.BandGap),
        new(EAboveHull, FieldType.Float, "Energy above the convex hull of the entry's scheme and chemical system in the caller's view at the response's database version (DFT entries only; returned when response_fields names it; not filterable).", "eV/atom", Null, _ => null) { Queryable = false, InDefaultResponse = false },
        new("_mdb_visibility", FieldType.String, "private (the owner only), cluster (every tenant) or public (anyone).", null, "visibility", e => e.Visibility.ToString().ToLowerInvariant()),
        new("_mdb_owner", FieldType.String, "The contributing tenant ('(catalog)' for catalog imports).", null, "owner", e => e.Owner),
        new("_mdb_revision", FieldType.Integer, "The revision number, 1 for the first.", null, "revision", e => (long)e.Revision),
        new("_mdb_database_version", FieldType.Integer, "The database version that made this revision.", null, "version", e => e.Version),
        new("_mdb_label", FieldType.String, "The dataset or batch label.", null, "(record->'provenance'->>'label')", e => e.Provenance.Label),
        new("_mdb_reference", FieldType.String, "A DOI or citation.", null, "(record->'provenance'->>'reference')", e => e.Provenance.Reference),
        new("_mdb_licence", FieldType.String, "SPDX licence id.", null, "(record->'provenance'->>'licence')", e => e.Provenance.Licence),
        new("_mdb_contributor", FieldType.String, "The person or pipeline that contributed it.", null, "(record->'provenance'->>'contributor')", e => e.Provenance.Contributor),
        new("_mdb_code", FieldType.String, "Program used, e.g. VASP 6.4.", null, "(record->'method'->>'code')", e => e.Method.Code),
        new("_mdb_functional", FieldType.String, "Functional or run type, e.g. PBE, GGA+U, r2SCAN.", null, "(record->'method'->>'functional')", e => e.Method.Functional),
    ];

    private static readonly Dictionary<string, EntryField> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The field of a name, if served.</summary>
    public static EntryField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>True for names with another provider's prefix (<c>_other_...</c>).</summary>
    public static bool IsOtherProvider(string name) =>
        name.StartsWith('_') && name.IndexOf('_', 1) is > 1 and var end && name[1..end] != Prefix;

    /// <summary>A timestamp constant, at the microsecond precision both stores keep.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset time)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time) && text.Contains('T', StringComparison.OrdinalIgnoreCase))
        {
            time = Microseconds(time);
            return true;
        }

        return false;
    }

    /// <summary>A time cut to whole microseconds (PostgreSQL's precision).</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>
    /// Checks a filter against the fields: refuses unknown fields of this provider or of the specification and type
    /// mismatches (400), comparisons on fields that cannot be filtered (501); replaces comparisons on other
    /// providers' fields by their value for an unknown property, and says so in <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="FilterException">The filter names a field it may not, or compares it with the wrong type.</exception>
    public static FilterNode Bind(FilterNode filter, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(warnings);
        switch (filter)
        {
            case AndNode and:
                return new AndNode(Bind(and.Left, warnings), Bind(and.Right, warnings));
            case OrNode or:
                return new OrNode(Bind(or.Left, warnings), Bind(or.Right, warnings));
            case NotNode not:
                return new NotNode(Bind(not.Inner, warnings));
            case ConstantNode:
                return filter;
        }

        var property = filter switch
        {
            CompareNode c => c.Property,
            KnownNode k => k.Property,
            FuzzyNode f => f.Property,
            HasNode h => h.Property,
            LengthNode l => l.Property,
            _ => throw new ArgumentException($"Unknown filter node {filter.GetType().Name}.", nameof(filter)),
        };
        if (IsOtherProvider(property))
        {
            var warning = $"'{property}' is another provider's field; this provider treats it as unknown (comparisons on it are false, IS UNKNOWN is true).";
            if (!warnings.Contains(warning))
            {
                warnings.Add(warning);
            }

            return new ConstantNode(filter is KnownNode known && !known.Known);
        }

        var field = Find(property);
        if (field is null)
        {
            var top = property.Split('.')[0];
            throw Find(top) is not null
                ? new FilterException(501, $"Filtering on nested properties ('{property}') is not supported by this provider.")
                : new FilterException(400, $"Unknown property '{property}'; the queryable properties are listed at /info/structures.");
        }

        if (!field.Queryable && filter is not KnownNode)
        {
            throw new FilterException(501, $"'{property}' is computed per response and cannot be filtered on.");
        }

        switch (filter)
        {
            case CompareNode c:
                CheckScalar(field, c.Value, $"{property} {c.Operator.Sql().Replace("<>", "!=", StringComparison.Ordinal)} {c.Value}");
                break;
            case FuzzyNode when field.Type != FieldType.String:
                throw new FilterException(400, $"'{property}' is {Describe(field.Type)}; CONTAINS, STARTS and ENDS apply to strings.");
            case HasNode h:
                CheckList(field, h.Values);
                break;
            case LengthNode l when !field.IsList || l.Value.Number is null:
                throw new FilterException(400, field.IsList ? $"LENGTH of '{property}' is compared with a number, not {l.Value}." : $"'{property}' is {Describe(field.Type)}; LENGTH applies to lists.");
        }

        return filter;
    }

    /// <summary>"a string", "a list of floats", ...</summary>
    public static string Describe(FieldType type) => type switch
    {
        FieldType.String => "a string",
        FieldType.Integer => "an integer",
        FieldType.Float => "a float",
        FieldType.Timestamp => "a timestamp",
        FieldType.StringList => "a list of strings",
        FieldType.FloatList => "a list of floats",
        FieldType.IntegerList => "a list of integers",
        _ => "a list of lists or dictionaries",
    };

    private static void CheckScalar(EntryField field, FilterValue value, string comparison)
    {
        var ok = field.Type switch
        {
            FieldType.String => value.Text is not null,
            FieldType.Integer or FieldType.Float => value.Number is not null,
            FieldType.Timestamp => value.Text is not null && TryParseTimestamp(value.Text, out _),
            _ => throw new FilterException(400, $"'{field.Name}' is {Describe(field.Type)}; use HAS, HAS ALL, HAS ANY, HAS ONLY or LENGTH ({comparison})."),
        };
        if (!ok)
        {
            var expected = field.Type switch
            {
                FieldType.String => "a string in double quotes",
                FieldType.Timestamp => "an RFC 3339 time in double quotes, e.g. \"2026-01-31T12:00:00Z\"",
                _ => "a number",
            };
            throw new FilterException(400, $"'{field.Name}' is {Describe(field.Type)}; compare it with {expected} ({comparison}).");
        }
    }

    private static void CheckList(EntryField field, IReadOnlyList<FilterValue> values)
    {
        switch (field.Type)
        {
            case FieldType.NestedList:
                throw new FilterException(501, $"HAS on '{field.Name}' ({Describe(field.Type)}) is not supported by this provider.");
            case FieldType.StringList when values.Any(v => v.Text is null):
            case FieldType.FloatList or FieldType.IntegerList when values.Any(v => v.Number is null):
                throw new FilterException(400, $"'{field.Name}' is {Describe(field.Type)}; HAS takes {(field.Type == FieldType.StringList ? "strings" : "numbers")}.");
            case FieldType.String or FieldType.Integer or FieldType.Float or FieldType.Timestamp:
                throw new FilterException(400, $"'{field.Name}' is {Describe(field.Type)}, not a list; HAS applies to lists.");
        }
    }
}
