using MaterialsDb.Chemistry;

namespace MaterialsDb.Service.Materials;

/// <summary>
/// A validated materials query: exactly one of a reduced formula, an exact chemical system or elements that must all be
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

    /// <summary>Parses the query parameters.</summary>
    /// <exception cref="MaterialsDbException">Each bad parameter named as a field problem.</exception>
    public static MaterialsQuery Parse(string? formula, string? chemsys, string? elements, int limit)
    {
        var problems = new List<FieldProblem>();
        if ((formula is null ? 0 : 1) + (chemsys is null ? 0 : 1) + (elements is null ? 0 : 1) != 1)
        {
            throw new MaterialsDbException("Give exactly one of formula, chemsys and elements.", [new FieldProblem("formula", "give exactly one of formula, chemsys and elements")]);
        }

        if (limit is < 1 or > MaxLimit)
        {
            problems.Add(new FieldProblem("limit", $"must be 1 to {MaxLimit}"));
        }

        MaterialsQuery? query = null;
        if (formula is not null)
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

    /// <summary>True when an entry passes the ranges.</summary>
    public bool InRanges(double? eForm, int elements) =>
        (EFormMin is not { } lo || (eForm is { } e1 && e1 >= lo)) && (EFormMax is not { } hi || (eForm is { } e2 && e2 <= hi))
        && (NElementsMin is not { } nmin || elements >= nmin) && (NElementsMax is not { } nmax || elements <= nmax);
}

/// <summary>One known entry.</summary>
/// <param name="Dataset">Catalog dataset it comes from.</param>
/// <param name="Id">Stable id (<c>dataset:row</c>).</param>
/// <param name="Formula">As written in the dataset.</param>
/// <param name="ReducedFormula">Reduced formula.</param>
/// <param name="Chemsys">Chemical system, e.g. <c>Fe-O</c>.</param>
/// <param name="Nelements">Distinct elements.</param>
/// <param name="EFormPerAtom">Formation energy, eV/atom (null when the dataset has none).</param>
public sealed record MaterialEntry(string Dataset, string Id, string Formula, string ReducedFormula, string Chemsys, int Nelements, double? EFormPerAtom);

/// <summary>The materials database the API answers from.</summary>
public interface IMaterialsSource
{
    /// <summary>Entries matching the query, in a fixed order, from its offset, at most its limit.</summary>
    Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, CancellationToken cancellationToken = default);
}
