using System.Collections.Frozen;

namespace MaterialsDb.Chemistry.Internal;

/// <summary>Element orders used to write formulas.</summary>
internal static class FormulaOrder
{
    // Pauling electronegativities by Z (pymatgen's values); NaN where pymatgen has none (He, Ne, Ar, Z > 103).
    private static readonly double[] Pauling =
    [
        2.20, double.NaN, 0.98, 1.57, 2.04, 2.55, 3.04, 3.44, 3.98, double.NaN,
        0.93, 1.31, 1.61, 1.90, 2.19, 2.58, 3.16, double.NaN, 0.82, 1.00,
        1.36, 1.54, 1.63, 1.66, 1.55, 1.83, 1.88, 1.91, 1.90, 1.65,
        1.81, 2.01, 2.18, 2.55, 2.96, 3.00, 0.82, 0.95, 1.22, 1.33,
        1.60, 2.16, 1.90, 2.20, 2.28, 2.20, 1.93, 1.69, 1.78, 1.96,
        2.05, 2.10, 2.66, 2.60, 0.79, 0.89, 1.10, 1.12, 1.13, 1.14,
        1.13, 1.17, 1.20, 1.20, 1.10, 1.22, 1.23, 1.24, 1.25, 1.10,
        1.27, 1.30, 1.50, 2.36, 1.90, 2.20, 2.20, 2.28, 2.54, 2.00,
        1.62, 2.33, 2.02, 2.00, 2.20, 2.20, 0.70, 0.90, 1.10, 1.30,
        1.50, 1.38, 1.36, 1.28, 1.30, 1.30, 1.30, 1.30, 1.30, 1.30,
        1.30, 1.30, 1.30,
    ];

    /// <summary>Reduced formulas that pymatgen writes in their molecular form.</summary>
    public static readonly FrozenDictionary<string, string> SpecialFormulas = new Dictionary<string, string>
    {
        ["LiO"] = "Li2O2",
        ["NaO"] = "Na2O2",
        ["KO"] = "K2O2",
        ["HO"] = "H2O2",
        ["CsO"] = "Cs2O2",
        ["RbO"] = "Rb2O2",
        ["O"] = "O2",
        ["N"] = "N2",
        ["F"] = "F2",
        ["Cl"] = "Cl2",
        ["H"] = "H2",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Electronegativity of an element, +∞ when unknown so that such elements come last.</summary>
    public static double Electronegativity(int z) => z - 1 < Pauling.Length && !double.IsNaN(Pauling[z - 1]) ? Pauling[z - 1] : double.PositiveInfinity;

    /// <summary>Indices into <paramref name="z"/> ordered by electronegativity, ties by symbol (pymatgen's key <c>[X, symbol]</c>).</summary>
    public static int[] ByElectronegativity(ReadOnlySpan<byte> z)
    {
        var zs = z.ToArray();
        var order = Enumerable.Range(0, zs.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = Electronegativity(zs[a]).CompareTo(Electronegativity(zs[b]));
            return c != 0 ? c : string.CompareOrdinal(PeriodicTable.FromZ(zs[a]).Symbol, PeriodicTable.FromZ(zs[b]).Symbol);
        });
        return order;
    }

    /// <summary>Indices into <paramref name="z"/> in Hill order: C, H, then alphabetical (all alphabetical without C).</summary>
    public static int[] Hill(byte[] z)
    {
        var hasCarbon = Array.IndexOf(z, (byte)6) >= 0;
        var order = Enumerable.Range(0, z.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var ra = HillRank(z[a], hasCarbon);
            var rb = HillRank(z[b], hasCarbon);
            return ra != rb ? ra.CompareTo(rb) : string.CompareOrdinal(PeriodicTable.FromZ(z[a]).Symbol, PeriodicTable.FromZ(z[b]).Symbol);
        });
        return order;
    }

    /// <summary>A, B, …, Z, then Aa, Ab, … for compositions of more than 26 elements.</summary>
    public static string AnonymousLabel(int index) =>
        index < 26 ? ((char)('A' + index)).ToString() : $"{(char)('A' + (index / 26) - 1)}{(char)('a' + (index % 26))}";

    private static int HillRank(int z, bool hasCarbon) => !hasCarbon ? 2 : z == 6 ? 0 : z == 1 ? 1 : 2;
}
