using System.Globalization;
using System.Text.RegularExpressions;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// The way pymatgen's Composition reads a formula (expand the innermost bracket group by string substitution until none
/// is left, then read element-amount pairs with a regex), as a baseline for the span parser. Benchmark use only.
/// </summary>
internal static partial class RegexFormulaParser
{
    public static Dictionary<string, double> Parse(string formula)
    {
        var f = formula;
        Match m;
        while ((m = GroupPattern().Match(f)).Success)
        {
            var factor = m.Groups[2].Length > 0 ? double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 1.0;
            var inner = Pairs(m.Groups[1].Value);
            var expanded = string.Concat(inner.Select(kv => kv.Key + (kv.Value * factor).ToString("R", CultureInfo.InvariantCulture)));
            f = string.Concat(f.AsSpan(0, m.Index), expanded, f.AsSpan(m.Index + m.Length));
        }

        return Pairs(f);
    }

    private static Dictionary<string, double> Pairs(string f)
    {
        var amounts = new Dictionary<string, double>();
        foreach (Match m in ElementPattern().Matches(f))
        {
            var amount = m.Groups[2].Length > 0 ? double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 1.0;
            amounts[m.Groups[1].Value] = amounts.GetValueOrDefault(m.Groups[1].Value) + amount;
        }

        return amounts;
    }

    [GeneratedRegex(@"\(([^\(\)]+)\)\s*([\.e\d]*)")]
    private static partial Regex GroupPattern();

    [GeneratedRegex(@"([A-Z][a-z]*)\s*([-*\.e\d]*)")]
    private static partial Regex ElementPattern();
}
