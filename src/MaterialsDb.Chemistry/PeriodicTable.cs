using System.Collections.Frozen;

namespace MaterialsDb.Chemistry;

/// <summary>The 118 elements, indexed by atomic number; symbol lookups are exact and case-sensitive.</summary>
public static class PeriodicTable
{
    /// <summary>Highest atomic number known (oganesson).</summary>
    public const int MaxZ = 118;

    // Standard atomic weights (IUPAC 2021, abridged); mass numbers for the radioactive elements.
    private static readonly Element[] ByZ =
    [
        new(1, "H", "Hydrogen", 1.00794), new(2, "He", "Helium", 4.002602),
        new(3, "Li", "Lithium", 6.941), new(4, "Be", "Beryllium", 9.012182),
        new(5, "B", "Boron", 10.811), new(6, "C", "Carbon", 12.0107),
        new(7, "N", "Nitrogen", 14.0067), new(8, "O", "Oxygen", 15.9994),
        new(9, "F", "Fluorine", 18.9984032), new(10, "Ne", "Neon", 20.1797),
        new(11, "Na", "Sodium", 22.98976928), new(12, "Mg", "Magnesium", 24.305),
        new(13, "Al", "Aluminium", 26.9815386), new(14, "Si", "Silicon", 28.0855),
        new(15, "P", "Phosphorus", 30.973762), new(16, "S", "Sulfur", 32.065),
        new(17, "Cl", "Chlorine", 35.453), new(18, "Ar", "Argon", 39.948),
        new(19, "K", "Potassium", 39.0983), new(20, "Ca", "Calcium", 40.078),
        new(21, "Sc", "Scandium", 44.955912), new(22, "Ti", "Titanium", 47.867),
        new(23, "V", "Vanadium", 50.9415), new(24, "Cr", "Chromium", 51.9961),
        new(25, "Mn", "Manganese", 54.938045), new(26, "Fe", "Iron", 55.845),
        new(27, "Co", "Cobalt", 58.933195), new(28, "Ni", "Nickel", 58.6934),
        new(29, "Cu", "Copper", 63.546), new(30, "Zn", "Zinc", 65.409),
        new(31, "Ga", "Gallium", 69.723), new(32, "Ge", "Germanium", 72.64),
        new(33, "As", "Arsenic", 74.9216), new(34, "Se", "Selenium", 78.96),
        new(35, "Br", "Bromine", 79.904), new(36, "Kr", "Krypton", 83.798),
        new(37, "Rb", "Rubidium", 85.4678), new(38, "Sr", "Strontium", 87.62),
        new(39, "Y", "Yttrium", 88.90585), new(40, "Zr", "Zirconium", 91.224),
        new(41, "Nb", "Niobium", 92.90638), new(42, "Mo", "Molybdenum", 95.94),
        new(43, "Tc", "Technetium", 98), new(44, "Ru", "Ruthenium", 101.07),
        new(45, "Rh", "Rhodium", 102.9055), new(46, "Pd", "Palladium", 106.42),
        new(47, "Ag", "Silver", 107.8682), new(48, "Cd", "Cadmium", 112.411),
        new(49, "In", "Indium", 114.818), new(50, "Sn", "Tin", 118.71),
        new(51, "Sb", "Antimony", 121.76), new(52, "Te", "Tellurium", 127.6),
        new(53, "I", "Iodine", 126.90447), new(54, "Xe", "Xenon", 131.293),
        new(55, "Cs", "Caesium", 132.9054519), new(56, "Ba", "Barium", 137.327),
        new(57, "La", "Lanthanum", 138.90547), new(58, "Ce", "Cerium", 140.116),
        new(59, "Pr", "Praseodymium", 140.90765), new(60, "Nd", "Neodymium", 144.242),
        new(61, "Pm", "Promethium", 145), new(62, "Sm", "Samarium", 150.36),
        new(63, "Eu", "Europium", 151.964), new(64, "Gd", "Gadolinium", 157.25),
        new(65, "Tb", "Terbium", 158.92535), new(66, "Dy", "Dysprosium", 162.5),
        new(67, "Ho", "Holmium", 164.93032), new(68, "Er", "Erbium", 167.259),
        new(69, "Tm", "Thulium", 168.93421), new(70, "Yb", "Ytterbium", 173.04),
        new(71, "Lu", "Lutetium", 174.967), new(72, "Hf", "Hafnium", 178.49),
        new(73, "Ta", "Tantalum", 180.94788), new(74, "W", "Tungsten", 183.84),
        new(75, "Re", "Rhenium", 186.207), new(76, "Os", "Osmium", 190.23),
        new(77, "Ir", "Iridium", 192.217), new(78, "Pt", "Platinum", 195.084),
        new(79, "Au", "Gold", 196.966569), new(80, "Hg", "Mercury", 200.59),
        new(81, "Tl", "Thallium", 204.3833), new(82, "Pb", "Lead", 207.2),
        new(83, "Bi", "Bismuth", 208.9804), new(84, "Po", "Polonium", 209),
        new(85, "At", "Astatine", 210), new(86, "Rn", "Radon", 222),
        new(87, "Fr", "Francium", 223), new(88, "Ra", "Radium", 226),
        new(89, "Ac", "Actinium", 227), new(90, "Th", "Thorium", 232.03806),
        new(91, "Pa", "Protactinium", 231.03588), new(92, "U", "Uranium", 238.02891),
        new(93, "Np", "Neptunium", 237), new(94, "Pu", "Plutonium", 244),
        new(95, "Am", "Americium", 243), new(96, "Cm", "Curium", 247),
        new(97, "Bk", "Berkelium", 247), new(98, "Cf", "Californium", 251),
        new(99, "Es", "Einsteinium", 252), new(100, "Fm", "Fermium", 257),
        new(101, "Md", "Mendelevium", 258), new(102, "No", "Nobelium", 259),
        new(103, "Lr", "Lawrencium", 262), new(104, "Rf", "Rutherfordium", 267),
        new(105, "Db", "Dubnium", 268), new(106, "Sg", "Seaborgium", 269),
        new(107, "Bh", "Bohrium", 270), new(108, "Hs", "Hassium", 269),
        new(109, "Mt", "Meitnerium", 278), new(110, "Ds", "Darmstadtium", 281),
        new(111, "Rg", "Roentgenium", 282), new(112, "Cn", "Copernicium", 285),
        new(113, "Nh", "Nihonium", 286), new(114, "Fl", "Flerovium", 289),
        new(115, "Mc", "Moscovium", 290), new(116, "Lv", "Livermorium", 293),
        new(117, "Ts", "Tennessine", 294), new(118, "Og", "Oganesson", 294),
    ];

    private static readonly FrozenDictionary<string, Element> BySymbol =
        ByZ.ToFrozenDictionary(e => e.Symbol, StringComparer.Ordinal);

    // Parser fast path: index by the two ASCII letters of a symbol ('A'..'Z' × (none or 'a'..'z')).
    private static readonly byte[] ZByLetters = BuildLetterIndex();

    /// <summary>All elements in order of atomic number.</summary>
    public static IReadOnlyList<Element> Elements => ByZ;

    /// <summary>The element with atomic number <paramref name="z"/> (1..118).</summary>
    /// <exception cref="ArgumentOutOfRangeException">z is outside 1..118.</exception>
    public static Element FromZ(int z)
    {
        if ((uint)(z - 1) >= MaxZ)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "Atomic number must be between 1 and 118.");
        }

        return ByZ[z - 1];
    }

    /// <summary>The element with this exact, case-sensitive symbol (<c>Fe</c>, never <c>FE</c> or <c>fe</c>).</summary>
    /// <exception cref="MaterialsDbException">No element has this symbol.</exception>
    public static Element FromSymbol(string symbol) =>
        BySymbol.TryGetValue(symbol, out var e)
            ? e
            : throw new MaterialsDbException($"'{symbol}' is not an element symbol (symbols are case-sensitive, e.g. 'Fe').");

    /// <summary>Looks up an element by its exact symbol.</summary>
    public static bool TryFromSymbol(ReadOnlySpan<char> symbol, out Element element)
    {
        var z = AtomicNumberOf(symbol);
        element = z == 0 ? null! : ByZ[z - 1];
        return z != 0;
    }

    /// <summary>The atomic number for an exact symbol, or 0 when it is not an element. Allocation-free.</summary>
    public static int AtomicNumberOf(ReadOnlySpan<char> symbol)
    {
        if (symbol.Length is 0 or > 2)
        {
            return 0;
        }

        var first = symbol[0] - 'A';
        if ((uint)first >= 26)
        {
            return 0;
        }

        var second = 0;
        if (symbol.Length == 2)
        {
            second = symbol[1] - 'a' + 1;
            if ((uint)(second - 1) >= 26)
            {
                return 0;
            }
        }

        return ZByLetters[(first * 27) + second];
    }

    private static byte[] BuildLetterIndex()
    {
        var index = new byte[26 * 27];
        foreach (var e in ByZ)
        {
            var slot = ((e.Symbol[0] - 'A') * 27) + (e.Symbol.Length == 2 ? e.Symbol[1] - 'a' + 1 : 0);
            index[slot] = (byte)e.Z;
        }

        return index;
    }
}
