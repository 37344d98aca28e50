using MaterialsDb.Chemistry;

namespace MaterialsDb.Database;

/// <summary>
/// A validated materials query: at most one of a reduced formula, an exact chemical system or elements that must all be
/// present; optional ranges of formation energy and element count; a page (offset and size). User text reaches SQL
/// only as parameters of these validated values.
/// </summary>
public sealed record MaterialsQuery(string? ReducedFormula, int[]? System, int[]? Elements, int Limit)
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Entries to skip (the page's cursor).</summary>
    public int Offset { get; init; }

    /// <summary>Lowest formation energy (eV/atom), inclusive.</summary>
    public double? EFormMin { get; init; }

    /// <summary>Highest formation energy (eV/atom), inclusive.</summary>
    public double? EFormMax { get; init; }

    /// <summary>Fewest elements, inclusive.</summary>
    public int? NElementsMin { get; init; }

    /// <summary>Most elements, inclusive.</summary>
    public int? NElementsMax { get; init; }

    /// <summary>Only entries of this energy scheme.</summary>
    public string? Scheme { get; init; }

    /// <summary>Only entries of this source kind.</summary>
    public SourceKind? SourceKind { get; init; }

    /// <summary>Read the database as of this version (null: the latest).</summary>
    public long? AsOfVersion { get; init; }

    /// <summary>Parses the query parameters.</summary>
    /// <exception cref="MaterialsDbException">Each bad parameter named as a field problem.</exception>
    public static MaterialsQuery Parse(string? formula, string? chemsys, string? elements, int limit)
    {
        var problems = new List<FieldProblem>();
        if ((formula is null ? 0 : 1) + (chemsys is null ? 0 : 1) + (elements is null ? 0 : 1) > 1)
        {
            throw new MaterialsDbException("Give at most one of formula, chemsys and elements.", [new FieldProblem("formula", "give at most one of formula, chemsys and elements")]);
        }

        if (limit is < 1 or > MaxLimit)
        {
            problems.Add(new FieldProblem("limit", $"must be 1 to {MaxLimit}"));
        }

        MaterialsQuery? query = null;
        if (formula is null && chemsys is null && elements is null)
        {
            query = new MaterialsQuery(null, null, null, limit);
        }
        else if (formula is not null)
        {
            if (FormulaParser.TryParse(formula, out var c, out var error))
            {
                query = new MaterialsQuery(c.ReducedFormula, null, null, limit);
            }
            else
            {
                problems.Add(new FieldProblem("formula", error.Message));
            }
        }
        else
        {
            var field = chemsys is not null ? "chemsys" : "elements";
            var symbols = (chemsys ?? elements!).Split(chemsys is not null ? '-' : ',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var bad = symbols.Where(s => !PeriodicTable.TryFromSymbol(s, out _)).ToArray();
            if (bad.Length > 0)
            {
                problems.Add(new FieldProblem(field, $"{string.Join(", ", bad.Select(b => $"'{b}'"))} {(bad.Length == 1 ? "is not an element symbol" : "are not element symbols")}"));
            }
            else if (symbols.Length == 0)
            {
                problems.Add(new FieldProblem(field, "names no elements"));
            }
            else
            {
                int[] z = [.. symbols.Select(s => PeriodicTable.FromSymbol(s).Z).Distinct().Order()];
                query = chemsys is not null ? new MaterialsQuery(null, z, null, limit) : new MaterialsQuery(null, null, z, limit);
            }
        }

        return problems.Count > 0 || query is null ? throw new MaterialsDbException("Invalid materials query: " + string.Join("; ", problems) + ".", problems) : query;
    }

    /// <summary>True when an entry matches the query (not its page).</summary>
    public bool Matches(MaterialEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var c = entry.Composition;
        var matches = this switch
        {
            { System: { } system } => c.ElementCount == system.Length && system.All(z => c.AtomicNumbers.Contains((byte)z)),
            { Elements: { } elements } => elements.All(z => c.AtomicNumbers.Contains((byte)z)),
            _ => ReducedFormula is null || c.ReducedFormula == ReducedFormula,
        };
        double? eForm = entry.EFormPerAtom;
        return matches
            && (EFormMin is not { } lo || (eForm is { } e1 && e1 >= lo)) && (EFormMax is not { } hi || (eForm is { } e2 && e2 <= hi))
            && (NElementsMin is not { } nmin || c.ElementCount >= nmin) && (NElementsMax is not { } nmax || c.ElementCount <= nmax)
            && (Scheme is null || entry.Scheme == Scheme) && (SourceKind is not { } kind || entry.SourceKind == kind);
    }
}

