using System.Globalization;
using System.Text;
using MaterialsDb.Chemistry.Internal;

namespace MaterialsDb.Chemistry;

// The string forms of a composition. They follow pymatgen's conventions so that users see the formulas they know.
public sealed partial class Composition
{
    // pymatgen's threshold for writing the two most electronegative elements as a polyanion group.
    private const double PolyanionElectronegativityGap = 1.65;

    /// <summary>
    /// The formula with elements ordered by Pauling electronegativity (as pymatgen's <c>formula</c>), amounts as held,
    /// ones omitted: <c>LiFePO4</c>, <c>Fe4O6</c>.
    /// </summary>
    public string Formula => Write(_z, _amounts, FormulaOrder.ByElectronegativity(_z));

    /// <summary>
    /// The reduced formula as pymatgen writes it: <c>Fe2O3</c> for <c>Fe4O6</c>; elements ordered by electronegativity
    /// (ties by symbol); when the two most electronegative elements differ by less than 1.65 and form a group that
    /// reduces further, that group is written as a polyanion (<c>Ca3(PO4)2</c>); a few molecules keep their conventional
    /// form (<c>O2</c>, <c>H2</c>, <c>N2</c>, <c>F2</c>, <c>Cl2</c>, <c>H2O2</c>, alkali peroxides such as <c>Li2O2</c>).
    /// Compositions with non-integer amounts are written as they are.
    /// </summary>
    public string ReducedFormula => _reducedFormula ??= WriteReducedFormula();

    private string WriteReducedFormula()
    {
        if (!AmountsAreIntegers())
        {
            return Formula;
        }

        var formula = WriteReduced(_z, _amounts, ReductionFactor);
        return FormulaOrder.SpecialFormulas.TryGetValue(formula, out var special) ? special : formula;
    }

    /// <summary>The chemical system: element symbols in alphabetical order joined by <c>-</c> (<c>Fe-Li-O-P</c>).</summary>
    public string ChemicalSystem
    {
        get
        {
            // Plain loops, not LINQ: the file commands ask this for every one of millions of rows.
            Span<int> order = stackalloc int[_z.Length];
            var length = Math.Max(0, _z.Length - 1);
            for (var i = 0; i < order.Length; i++)
            {
                var symbol = PeriodicTable.FromZ(_z[i]).Symbol;
                length += symbol.Length;
                var j = i;
                for (; j > 0 && string.CompareOrdinal(PeriodicTable.FromZ(_z[order[j - 1]]).Symbol, symbol) > 0; j--)
                {
                    order[j] = order[j - 1];
                }

                order[j] = i;
            }

            Span<char> text = stackalloc char[length];
            var at = 0;
            for (var i = 0; i < order.Length; i++)
            {
                if (i > 0)
                {
                    text[at++] = '-';
                }

                var symbol = PeriodicTable.FromZ(_z[order[i]]).Symbol;
                symbol.CopyTo(text[at..]);
                at += symbol.Length;
            }

            return new string(text);
        }
    }

    /// <summary>The Hill formula: C first, then H, then the rest alphabetically; without carbon, all alphabetically.</summary>
    public string HillFormula => Write(_z, _amounts, FormulaOrder.Hill(_z));

    /// <summary>
    /// The anonymized formula: reduced amounts in ascending order labelled A, B, C, … (<c>A2B3</c> for Fe2O3).
    /// </summary>
    public string AnonymizedFormula
    {
        get
        {
            var amounts = ReducedComposition._amounts.Order().ToArray();
            var sb = new StringBuilder();
            for (var i = 0; i < amounts.Length; i++)
            {
                sb.Append(FormulaOrder.AnonymousLabel(i));
                AppendAmount(sb, amounts[i]);
            }

            return sb.ToString();
        }
    }

    /// <summary>Same as <see cref="Formula"/>.</summary>
    public override string ToString() => Formula;

    /// <summary>
    /// Formats an amount as pymatgen's <c>formula_double_format</c>: nothing for 1, an integer when within 1e-8 of one,
    /// otherwise rounded to 8 decimals.
    /// </summary>
    public static void AppendAmount(StringBuilder sb, double amount)
    {
        ArgumentNullException.ThrowIfNull(sb);
        var rounded = Math.Round(amount);
        if (Math.Abs(amount - rounded) < FormulaParser.AmountTolerance)
        {
            if (rounded != 1)
            {
                // A whole number as an integer: the same digits as the "0" format, without parsing a format per call.
                if (Math.Abs(rounded) < 1e15)
                {
                    sb.Append((long)rounded);
                }
                else
                {
                    sb.Append(rounded.ToString("0", CultureInfo.InvariantCulture));
                }
            }
        }
        else
        {
            sb.Append(Math.Round(amount, 8).ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private bool AmountsAreIntegers() => _amounts.All(a => Math.Abs(a - Math.Round(a)) < FormulaParser.AmountTolerance);

    // pymatgen's reduce_formula, including its polyanion rule.
    private static string WriteReduced(ReadOnlySpan<byte> z, ReadOnlySpan<double> amounts, double factor)
    {
        var order = FormulaOrder.ByElectronegativity(z);
        var sb = new StringBuilder(order.Length * 4);
        var plain = order.Length;
        string? polyanion = null;
        if (order.Length >= 3)
        {
            int last = order[^1], secondLast = order[^2];
            if (FormulaOrder.Electronegativity(z[last]) - FormulaOrder.Electronegativity(z[secondLast]) < PolyanionElectronegativityGap)
            {
                byte[] polyZ = z[secondLast] < z[last] ? [z[secondLast], z[last]] : [z[last], z[secondLast]];
                double[] polyAmounts = z[secondLast] < z[last]
                    ? [amounts[secondLast] / factor, amounts[last] / factor]
                    : [amounts[last] / factor, amounts[secondLast] / factor];
                var polyFactor = ComputeReductionFactor(polyAmounts);
                if (polyFactor != 1.0)
                {
                    var inner = WriteReduced(polyZ, polyAmounts, polyFactor);
                    polyanion = $"({inner}){polyFactor.ToString("0", CultureInfo.InvariantCulture)}";
                    plain -= 2;
                }
            }
        }

        for (var k = 0; k < plain; k++)
        {
            sb.Append(PeriodicTable.FromZ(z[order[k]]).Symbol);
            AppendAmount(sb, amounts[order[k]] / factor);
        }

        return sb.Append(polyanion).ToString();
    }

    private static string Write(byte[] z, double[] amounts, int[] order)
    {
        var sb = new StringBuilder(order.Length * 4);
        foreach (var i in order)
        {
            sb.Append(PeriodicTable.FromZ(z[i]).Symbol);
            AppendAmount(sb, amounts[i]);
        }

        return sb.ToString();
    }
}
