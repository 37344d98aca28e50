using System.Globalization;
using System.Text.RegularExpressions;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Database;

/// <summary>
/// Turns contributed rows into entries, or refuses the batch naming every bad row (<c>row 12: e_form_per_atom</c>).
/// A DFT scheme's rows need a formation energy; experiment and ml rows need it or a band gap or a property.
/// Plausible values: |formation energy| ≤ 10 eV/atom, a finite total energy, 0 ≤ band gap ≤ 30 eV, Hubbard U 0–20
/// eV, finite property values with a unit; a known scheme whose source kind matches; a licence as an SPDX id and a
/// reference or label, so every value can be traced.
/// </summary>
public static partial class ContributionValidator
{
    /// <summary>Most rows one contribution may carry.</summary>
    public const int MaxRows = 100_000;

    /// <summary>Longest text field.</summary>
    public const int MaxTextLength = 2_000;

    private const double MaxBandGap = 30, MaxHubbardU = 20;

    // Shared by the rows that give none (entries are immutable).
    private static readonly IReadOnlyDictionary<string, PropertyValue> NoProperties = new Dictionary<string, PropertyValue>();
    private static readonly MethodInfo NoMethod = new();
    private static readonly IReadOnlyDictionary<string, double> NoU = new Dictionary<string, double>();

    /// <summary>Validates a batch; returns one entry draft per row (numbers and versions are given when stored).</summary>
    /// <exception cref="ContributionException">Any row is bad; every problem is listed.</exception>
    public static IReadOnlyList<MaterialEntry> Validate(IReadOnlyList<ContributionRow> rows, ContributionDefaults defaults, string owner, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (rows.Count == 0)
        {
            throw new ContributionException("The contribution has no rows.", [new FieldProblem("rows", "no rows")]);
        }

        if (rows.Count > MaxRows)
        {
            throw new ContributionException($"A contribution may carry at most {MaxRows:N0} rows, not {rows.Count:N0}; split it.", [new FieldProblem("rows", $"more than {MaxRows:N0} rows")]);
        }

        var problems = new List<FieldProblem>();
        CheckDefaults(defaults, problems);

        // Each entry's formula fields are computed here, so the store's writer only writes. (One thread: spread over
        // the cores this allocation-heavy loop was slower per row, and a node's other requests want those cores.)
        var drafts = new MaterialEntry?[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            drafts[i] = Validate(rows[i], defaults, owner, created, $"row {i + 1}", problems);
            _ = drafts[i]?.Fields;
        }

        var entries = drafts.OfType<MaterialEntry>().ToList();

        if (problems.Count > 0)
        {
            var shown = string.Join("; ", problems.Take(5));
            throw new ContributionException($"The contribution was refused, nothing was stored: {problems.Count:N0} problem{(problems.Count == 1 ? string.Empty : "s")}: {shown}{(problems.Count > 5 ? "; …" : string.Empty)}.", problems);
        }

        return entries;
    }

    /// <summary>Applies an owner's change to the latest revision, validating the new values; returns the new revision's draft.</summary>
    /// <exception cref="ContributionException">A new value is bad.</exception>
    public static MaterialEntry Apply(MaterialEntry current, MaterialChange change, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(change);
        var problems = new List<FieldProblem>();
        var scheme = EnergySchemes.Find(current.Scheme)!;
        var visibility = current.Visibility;
        if (change.Visibility is not null && !TryParseEnum<Visibility>(change.Visibility, out visibility))
        {
            problems.Add(new FieldProblem("visibility", $"'{change.Visibility}' is not one of private, cluster, public"));
        }

        var next = current with
        {
            Revision = current.Revision + 1,
            Version = 0,
            SupersededVersion = null,
            EFormPerAtom = change.EFormPerAtom ?? current.EFormPerAtom,
            TotalEnergyPerAtom = change.TotalEnergyPerAtom ?? current.TotalEnergyPerAtom,
            BandGap = change.BandGap ?? current.BandGap,
            Properties = change.Properties ?? current.Properties,
            Method = change.Method ?? current.Method,
            Visibility = visibility,
            Provenance = current.Provenance with
            {
                Reference = change.Reference ?? current.Provenance.Reference,
                Licence = change.Licence ?? current.Provenance.Licence,
                Label = change.Label ?? current.Provenance.Label,
                Contributor = change.Contributor ?? current.Provenance.Contributor,
                Created = created,
            },
        };
        CheckValues(next.EFormPerAtom, next.TotalEnergyPerAtom, next.BandGap, next.Properties, next.Method, scheme, string.Empty, problems);
        CheckLicence(next.Provenance.Licence, string.Empty, problems);
        CheckText(string.Empty, problems, ("reference", change.Reference), ("label", change.Label), ("contributor", change.Contributor));
        return problems.Count > 0
            ? throw new ContributionException("The change was refused: " + string.Join("; ", problems) + ".", problems)
            : next;
    }

    private static MaterialEntry? Validate(ContributionRow row, ContributionDefaults defaults, string owner, DateTimeOffset created, string at, List<FieldProblem> problems)
    {
        var before = problems.Count;
        Composition? composition = null;
        if (string.IsNullOrWhiteSpace(row.Formula))
        {
            problems.Add(new FieldProblem($"{at}: formula", "missing"));
        }
        else if (row.Formula.Length > 200)
        {
            problems.Add(new FieldProblem($"{at}: formula", "longer than 200 characters"));
        }
        else if (!FormulaParser.TryParse(row.Formula, out composition, out var error))
        {
            problems.Add(new FieldProblem($"{at}: formula", error.Message));
        }

        var schemeName = row.Scheme ?? defaults.Scheme;
        var scheme = EnergySchemes.Find(schemeName);
        if (schemeName is null)
        {
            problems.Add(new FieldProblem($"{at}: scheme", "missing; name the energy scheme (" + string.Join(", ", EnergySchemes.All.Select(s => s.Name)) + ")"));
        }
        else if (scheme is null)
        {
            problems.Add(new FieldProblem($"{at}: scheme", $"'{schemeName}' is not a known scheme (" + string.Join(", ", EnergySchemes.All.Select(s => s.Name)) + ")"));
        }

        var kind = scheme?.Kind ?? SourceKind.Dft;
        if ((row.SourceKind ?? defaults.SourceKind) is { } kindText)
        {
            if (!TryParseEnum(kindText, out kind))
            {
                problems.Add(new FieldProblem($"{at}: source_kind", $"'{kindText}' is not one of dft, experiment, ml"));
            }
            else if (scheme is not null && kind != scheme.Kind)
            {
                problems.Add(new FieldProblem($"{at}: source_kind", $"'{kindText}' does not match scheme '{scheme.Name}', which holds {scheme.Kind.ToString().ToLowerInvariant()} values only"));
            }
        }

        var visibility = Visibility.Private;
        if ((row.Visibility ?? defaults.Visibility) is { } visibilityText && !TryParseEnum(visibilityText, out visibility))
        {
            problems.Add(new FieldProblem($"{at}: visibility", $"'{visibilityText}' is not one of private, cluster, public"));
        }

        // A DFT entry exists for its energy (hulls are built from it); a measured or predicted entry may carry only a
        // band gap or other properties (a campaign's yield strengths), but it must carry something.
        if (row.EFormPerAtom is null && (scheme is null || scheme.HasHulls))
        {
            problems.Add(new FieldProblem($"{at}: e_form_per_atom", "missing"));
        }
        else if (row.EFormPerAtom is null && row.BandGap is null && row.TotalEnergyPerAtom is null && row.Properties is not { Count: > 0 })
        {
            problems.Add(new FieldProblem($"{at}: e_form_per_atom", $"missing; a '{scheme!.Name}' entry needs e_form_per_atom, band_gap or a property"));
        }

        CheckValues(row.EFormPerAtom, row.TotalEnergyPerAtom, row.BandGap, row.Properties, row.Method, scheme, at + ": ", problems);
        var licence = row.Licence ?? defaults.Licence;
        CheckLicence(licence, at + ": ", problems);
        var reference = row.Reference ?? defaults.Reference;
        var label = row.Label ?? defaults.Label;
        if (string.IsNullOrWhiteSpace(reference) && string.IsNullOrWhiteSpace(label))
        {
            problems.Add(new FieldProblem($"{at}: reference", "missing; give a reference (DOI) or a label for the dataset or batch"));
        }

        var contributor = row.Contributor ?? defaults.Contributor;
        CheckText(at + ": ", problems, ("reference", reference), ("label", label), ("contributor", contributor));
        if (problems.Count > before)
        {
            return null;
        }

        return new MaterialEntry
        {
            Number = 0,
            Revision = 1,
            Version = 0,
            Formula = row.Formula!.Trim(),
            Composition = composition!,
            Scheme = scheme!.Name,
            EFormPerAtom = row.EFormPerAtom,
            TotalEnergyPerAtom = row.TotalEnergyPerAtom,
            BandGap = row.BandGap,
            Properties = row.Properties ?? NoProperties,
            SourceKind = kind,
            Method = row.Method ?? NoMethod,
            Owner = owner,
            Visibility = visibility,
            Provenance = new Provenance(label, reference, licence!, contributor, created),
        };
    }

    private static void CheckDefaults(ContributionDefaults defaults, List<FieldProblem> problems)
    {
        if (defaults.Scheme is { } s && EnergySchemes.Find(s) is null)
        {
            problems.Add(new FieldProblem("scheme", $"'{s}' is not a known scheme (" + string.Join(", ", EnergySchemes.All.Select(x => x.Name)) + ")"));
        }
    }

    private static void CheckValues(double? eForm, double? total, double? gap, IReadOnlyDictionary<string, PropertyValue>? properties, MethodInfo? method, EnergyScheme? scheme, string at, List<FieldProblem> problems)
    {
        if (eForm is { } e && (!double.IsFinite(e) || Math.Abs(e) > EnergySchemes.MaxAbsFormationEnergy))
        {
            problems.Add(new FieldProblem($"{at}e_form_per_atom", double.IsFinite(e)
                ? string.Create(CultureInfo.InvariantCulture, $"{e} eV/atom is not plausible for scheme '{scheme?.Name}' (|E_f| ≤ {EnergySchemes.MaxAbsFormationEnergy} eV/atom; per formula unit or kJ/mol?)")
                : $"{e} is not a finite number"));
        }

        if (total is { } t && !double.IsFinite(t))
        {
            problems.Add(new FieldProblem($"{at}total_energy_per_atom", $"{t} is not a finite number"));
        }

        if (gap is { } g && !(g >= 0 && g <= MaxBandGap))
        {
            problems.Add(new FieldProblem($"{at}band_gap", string.Create(CultureInfo.InvariantCulture, $"{g} eV is not a band gap (0 to {MaxBandGap} eV)")));
        }

        foreach (var (name, value) in properties ?? NoProperties)
        {
            if (!PropertyName().IsMatch(name))
            {
                problems.Add(new FieldProblem($"{at}properties", $"'{Clip(name)}' is not a property name (lower case letters, digits, '_', up to 64)"));
            }
            else if (value is null || !double.IsFinite(value.Value) || string.IsNullOrWhiteSpace(value.Unit) || value.Unit.Length > 32)
            {
                problems.Add(new FieldProblem($"{at}properties.{name}", "needs a finite value and a unit (up to 32 characters)"));
            }
        }

        if (properties is { Count: > 64 })
        {
            problems.Add(new FieldProblem($"{at}properties", "more than 64 properties"));
        }

        foreach (var (symbol, u) in method?.HubbardU ?? NoU)
        {
            if (!PeriodicTable.TryFromSymbol(symbol, out _))
            {
                problems.Add(new FieldProblem($"{at}method.hubbard_u", $"'{Clip(symbol)}' is not an element symbol"));
            }
            else if (!(u >= 0 && u <= MaxHubbardU))
            {
                problems.Add(new FieldProblem($"{at}method.hubbard_u.{symbol}", string.Create(CultureInfo.InvariantCulture, $"{u} eV is not a U value (0 to {MaxHubbardU} eV)")));
            }
        }

        if (method?.Settings is { } settings && settings.GetRawText().Length > 20_000)
        {
            problems.Add(new FieldProblem($"{at}method.settings", "larger than 20,000 characters"));
        }

        CheckText(at, problems, ("method.code", method?.Code), ("method.functional", method?.Functional));
    }

    private static void CheckLicence(string? licence, string at, List<FieldProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(licence))
        {
            problems.Add(new FieldProblem($"{at}licence", "missing; give an SPDX licence id such as CC-BY-4.0"));
        }
        else if (!SpdxExpression().IsMatch(licence))
        {
            problems.Add(new FieldProblem($"{at}licence", $"'{Clip(licence)}' is not an SPDX licence id or expression (e.g. CC-BY-4.0, CC0-1.0, LicenseRef-internal)"));
        }
    }

    private static void CheckText(string at, List<FieldProblem> problems, params (string Field, string? Value)[] fields)
    {
        foreach (var (field, value) in fields)
        {
            if (value is { Length: > MaxTextLength })
            {
                problems.Add(new FieldProblem($"{at}{field}", $"longer than {MaxTextLength:N0} characters"));
            }
        }
    }

    internal static bool TryParseEnum<T>(string text, out T value)
        where T : struct, Enum =>
        EnumNames<T>.Lower.TryGetValue(text, out value)
        || (Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !char.IsDigit(text.TrimStart()[0]));

    // The lower-case names, looked up first: the common spelling needs no parsing.
    private static class EnumNames<T>
        where T : struct, Enum
    {
        public static readonly Dictionary<string, T> Lower = Enum.GetValues<T>().ToDictionary(v => v.ToString().ToLowerInvariant(), StringComparer.Ordinal);
    }

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex PropertyName();

    // One id or a simple expression of ids (AND / OR / WITH), e.g. "CC-BY-4.0", "MIT OR Apache-2.0".
    [GeneratedRegex("^[A-Za-z0-9.+-]{1,64}( (AND|OR|WITH) [A-Za-z0-9.+-]{1,64}){0,4}$")]
    private static partial Regex SpdxExpression();
}
