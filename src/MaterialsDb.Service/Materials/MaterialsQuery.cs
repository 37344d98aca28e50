using MaterialsDb.Chemistry;

namespace MaterialsDb.Service.Materials;

/// <summary>A validated materials query: a reduced formula, an exact chemical system, or elements that must all be present.</summary>
public sealed record MaterialsQuery(string? ReducedFormula, int[]? System, int[]? Elements, int Limit)
{
    /// <summary>Parses the query parameters; user text never reaches SQL except as parameters of validated values.</summary>
    /// <exception cref="ArgumentException">A bad formula or element symbol, named.</exception>
    public static MaterialsQuery Parse(string? formula, string? chemsys, string? elements, int limit)
    {
        if (formula is not null)
        {
            return FormulaParser.TryParse(formula, out var c, out var error)
                ? new MaterialsQuery(c.ReducedFormula, null, null, limit)
                : throw new ArgumentException($"formula: {error.Message}");
        }

        static int[] Symbols(string text, string field) => [.. text.Split(field == "chemsys" ? '-' : ',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => PeriodicTable.TryFromSymbol(s, out var e) ? e.Z : throw new ArgumentException($"{field}: '{s}' is not an element symbol"))
            .Distinct().Order()];
        return chemsys is not null
            ? new MaterialsQuery(null, Symbols(chemsys, "chemsys") is { Length: > 0 } s ? s : throw new ArgumentException("chemsys: no elements"), null, limit)
            : new MaterialsQuery(null, null, Symbols(elements!, "elements") is { Length: > 0 } e ? e : throw new ArgumentException("elements: no elements"), limit);
    }
}

/// <summary>One known entry.</summary>
public sealed record MaterialEntry(string Dataset, string Id, string Formula, string ReducedFormula, string Chemsys, double? EFormPerAtom);

/// <summary>The materials database the API answers from.</summary>
public interface IMaterialsSource
{
    Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, CancellationToken cancellationToken = default);
}
