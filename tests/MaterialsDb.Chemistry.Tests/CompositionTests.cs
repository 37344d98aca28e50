using MaterialsDb.Chemistry;

namespace MaterialsDb.Chemistry.Tests;

public sealed class CompositionTests
{
    [Theory]
    [InlineData("Fe4O6", "Fe2O3", 2)]
    [InlineData("Fe2O3", "Fe2O3", 1)]
    [InlineData("Li2O2", "Li2O2", 2)]
    [InlineData("O2", "O2", 2)]
    [InlineData("H4", "H2", 4)]
    [InlineData("H2O2", "H2O2", 2)]
    [InlineData("LiFePO4", "LiFePO4", 1)]
    [InlineData("Li0.5CoO2", "Li0.5CoO2", 1)]
    [InlineData("Zr10Fe22.5Co67.5", "Zr10Fe22.5Co67.5", 1)]
    [InlineData("Ba2Cu6Y2O14", "BaYCu3O7", 2)]
    [InlineData("Ba4Y2Cu6O14", "Ba2YCu3O7", 2)]
    [InlineData("Si2Cu2", "CuSi", 2)]
    [InlineData("C6H12O6", "H2CO", 6)]
    [InlineData("Ca3P2O8", "Ca3(PO4)2", 1)]
    [InlineData("Ca6P4O16", "Ca3(PO4)2", 2)]
    [InlineData("Fe2S3O12", "Fe2(SO4)3", 1)]
    public void ReducesLikePymatgen(string formula, string reduced, double factor)
    {
        var c = Composition.Parse(formula);
        Assert.Equal(reduced, c.ReducedFormula);
        Assert.Equal(factor, c.ReductionFactor);
        Assert.Equal(c.NumAtoms / factor, c.ReducedComposition.NumAtoms, 12);
    }

    [Fact]
    public void ReducesIntegersWithinTolerance()
    {
        var c = Composition.Parse("Fe2.000000001O3");
        Assert.Equal(1, c.ReducedComposition.ReductionFactor);
        Assert.Equal("Fe2O3", c.ReducedFormula);
        Assert.Equal(1, Composition.Parse("Fe2.0001O4").ReductionFactor);
    }

    [Fact]
    public void ComputesFractionsAndAtoms()
    {
        var c = Composition.Parse("Li2O2");
        Assert.Equal(4, c.NumAtoms);
        Assert.Equal(0.5, c.GetAtomicFraction(PeriodicTable.FromSymbol("Li")));
        Assert.Equal(0, c.GetAtomicFraction(PeriodicTable.FromSymbol("Fe")));
        var f = c.FractionalComposition;
        Assert.Equal(1, f.NumAtoms, 15);
        Assert.Equal(0.5, f["O"]);
    }

    [Theory]
    [InlineData("LiFePO4", "Fe-Li-O-P")]
    [InlineData("Fe2O3", "Fe-O")]
    [InlineData("O2", "O")]
    [InlineData("NaCl", "Cl-Na")]
    public void WritesChemicalSystemAlphabetically(string formula, string chemsys) =>
        Assert.Equal(chemsys, Composition.Parse(formula).ChemicalSystem);

    [Fact]
    public void ChemicalSystemSortsSymbolsOrdinallyForAnyElements()
    {
        // Symbols in ordinal order, whatever the atomic numbers say (B before Ba, Cl before Co before Cs).
        var random = new Random(7);
        for (var trial = 0; trial < 2000; trial++)
        {
            var elements = Enumerable.Range(1, 103).OrderBy(_ => random.Next()).Take(random.Next(1, 12)).Select(PeriodicTable.FromZ).ToArray();
            var composition = Composition.FromAmounts(elements.Select(e => new KeyValuePair<Element, double>(e, random.Next(1, 9))));
            Assert.Equal(string.Join('-', elements.Select(e => e.Symbol).Order(StringComparer.Ordinal)), composition.ChemicalSystem);
        }
    }

    [Theory]
    [InlineData("C6H12O6", "C6H12O6")]
    [InlineData("H2O", "H2O")]
    [InlineData("Fe2O3", "Fe2O3")]
    [InlineData("NaCl", "ClNa")]
    [InlineData("CH3COOH", "C2H4O2")]
    [InlineData("K4[Fe(CN)6]", "C6FeK4N6")]
    public void WritesHillFormula(string formula, string hill) =>
        Assert.Equal(hill, Composition.Parse(formula).HillFormula);

    [Theory]
    [InlineData("Fe2O3", "A2B3")]
    [InlineData("Fe4O6", "A2B3")]
    [InlineData("LiFePO4", "ABCD4")]
    [InlineData("NaCl", "AB")]
    [InlineData("Li0.5CoO2", "A0.5BC2")]
    public void WritesAnonymizedFormula(string formula, string anonymized) =>
        Assert.Equal(anonymized, Composition.Parse(formula).AnonymizedFormula);

    [Fact]
    public void EqualityIsOnTheReducedComposition()
    {
        var a = Composition.Parse("Fe2O3");
        var b = Composition.Parse("Fe4O6");
        var c = Composition.Parse("O3Fe2.000000001");
        Assert.Equal(a, b);
        Assert.True(a == c);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.GetHashCode(), c.GetHashCode());
        Assert.NotEqual(a, Composition.Parse("Fe3O4"));
        Assert.NotEqual(a, Composition.Parse("Fe2O3N"));
        Assert.False(a.Equals(null));
        Assert.Single(new HashSet<Composition> { a, b, c });
    }

    [Fact]
    public void OrdersFormulaByElectronegativity()
    {
        Assert.Equal("LiFePO4", Composition.Parse("O4PFeLi").Formula);
        Assert.Equal("Fe4O6", Composition.Parse("O6Fe4").Formula);
        Assert.Equal("NaCl", Composition.Parse("ClNa").ToString());
    }

    [Fact]
    public void BuildsFromAmounts()
    {
        var fe = PeriodicTable.FromSymbol("Fe");
        var o = PeriodicTable.FromSymbol("O");
        var c = Composition.FromAmounts([new(o, 1), new(fe, 2), new(o, 2)]);
        Assert.Equal(Composition.Parse("Fe2O3"), c);
        Assert.Throws<ArgumentException>(() => Composition.FromAmounts([new(fe, -1)]));
        Assert.Throws<ArgumentException>(() => Composition.FromAmounts([new(fe, double.NaN)]));
        Assert.Throws<ArgumentException>(() => Composition.FromAmounts([new(fe, 0)]));
    }

    [Fact]
    public void IndexerRejectsUnknownSymbols() =>
        Assert.Throws<MaterialsDbException>(() => Composition.Parse("Fe")["FE"]);
}
