using System.Globalization;
using System.Text;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Database;

/// <summary>
/// The formula fields an entry is searched by, in the forms the OPTIMADE specification defines: elements in
/// alphabetical order with their atomic fractions, the reduced formula with alphabetical symbols and integer counts,
/// the anonymous formula (counts in decreasing order labelled A, B, …) and the Hill formula of the amounts as given.
/// OPTIMADE formulas need integer counts: for amounts that no multiplier up to 1,000 makes integers they are null.
/// </summary>
public sealed class FormulaFields
{
    private const int MaxMultiplier = 1000;
    private const double Tolerance = 1e-6;

    private FormulaFields(Composition composition)
    {
        var pairs = composition.AsPairs().OrderBy(p => p.Key.Symbol, StringComparer.Ordinal).ToArray();
        Elements = [.. pairs.Select(p => p.Key.Symbol)];
        ElementRatios = [.. pairs.Select(p => p.Value / composition.NumAtoms)];
        var counts = IntegerCounts(pairs.Select(p => p.Value).ToArray());
        if (counts is null)
        {
            return;
        }

        var gcd = counts.Aggregate(0L, Gcd);
        var reduced = counts.Select(c => c / gcd).ToArray();
        OptimadeReduced = Write(Elements, reduced);
        var anonymous = new StringBuilder();
        var byCount = reduced.OrderDescending().ToArray();
        for (var i = 0; i < byCount.Length; i++)
        {
            anonymous.Append(AnonymousLabel(i)).Append(byCount[i] == 1 ? string.Empty : byCount[i].ToString(CultureInfo.InvariantCulture));
        }

        Anonymous = anonymous.ToString();
        var hillOrder = Enumerable.Range(0, Elements.Length)
            .OrderBy(i => Elements.Contains("C") ? Elements[i] switch { "C" => 0, "H" => 1, _ => 2 } : 2)
            .ThenBy(i => Elements[i], StringComparer.Ordinal).ToArray();
        Hill = Write([.. hillOrder.Select(i => Elements[i])], [.. hillOrder.Select(i => counts[i])]);
    }

    /// <summary>Element symbols, alphabetical.</summary>
    public string[] Elements { get; }

    /// <summary>Atomic fraction of each element of <see cref="Elements"/>; they sum to 1.</summary>
    public double[] ElementRatios { get; }

    /// <summary>OPTIMADE <c>chemical_formula_reduced</c>: <c>Fe2O3</c>, alphabetical, counts divided by their GCD.</summary>
    public string? OptimadeReduced { get; }

    /// <summary>OPTIMADE <c>chemical_formula_anonymous</c>: <c>A3B2</c> for Fe2O3.</summary>
    public string? Anonymous { get; }

    /// <summary>OPTIMADE <c>chemical_formula_hill</c> of the amounts as given: <c>CH4</c>, <c>Fe4O6</c>.</summary>
    public string? Hill { get; }

    /// <summary>The fields of a composition.</summary>
    public static FormulaFields Of(Composition composition) => new(composition ?? throw new ArgumentNullException(nameof(composition)));

    /// <summary>A, B, …, Z, Aa, Ba, …, Za, Ab, … as the OPTIMADE specification labels anonymous elements.</summary>
    public static string AnonymousLabel(int index)
    {
        var first = (char)('A' + (index % 26));
        var rest = index / 26;
        var sb = new StringBuilder().Append(first);
        while (rest > 0)
        {
            rest--;
            sb.Append((char)('a' + (rest % 26)));
            rest /= 26;
        }

        return sb.ToString();
    }

    private static long[]? IntegerCounts(double[] amounts)
    {
        for (var m = 1; m <= MaxMultiplier; m++)
        {
            var counts = new long[amounts.Length];
            var ok = true;
            for (var i = 0; i < amounts.Length && ok; i++)
            {
                var scaled = amounts[i] * m;
                counts[i] = (long)Math.Round(scaled);
                ok = counts[i] > 0 && Math.Abs(scaled - counts[i]) <= Tolerance * Math.Max(1, scaled);
            }

            if (ok)
            {
                return counts;
            }
        }

        return null;
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    private static string Write(string[] symbols, long[] counts)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < symbols.Length; i++)
        {
            sb.Append(symbols[i]);
            if (counts[i] != 1)
            {
                sb.Append(counts[i].ToString(CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
