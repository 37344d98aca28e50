using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Screening.Tests;

public sealed class CandidateEnumeratorTests
{
    private static int Z(string symbol) => PeriodicTable.FromSymbol(symbol).Z;

    private static List<string> Run(CandidateSpace space)
    {
        var found = new List<string>();
        CandidateEnumerator.Enumerate(space, (z, c) => found.Add(CandidateEnumerator.Format(z, c)));
        return found;
    }

    private static OxidationStateSet Toy()
    {
        var states = new int[118][];
        Array.Fill(states, []);
        states[Z("Na") - 1] = [1];
        states[Z("Cl") - 1] = [-1, 1, 5];
        states[Z("O") - 1] = [-2];
        states[Z("Fe") - 1] = [2, 3];
        var eneg = new double[118];
        Array.Fill(eneg, double.NaN);
        eneg[Z("Na") - 1] = 0.93;
        eneg[Z("Cl") - 1] = 3.16;
        eneg[Z("O") - 1] = 3.44;
        eneg[Z("Fe") - 1] = 1.83;
        return new OxidationStateSet("toy", states, eneg);
    }

    [Fact]
    public void WithoutChargeNeutralityEveryReducedFormulaIsKept()
    {
        var found = Run(new CandidateSpace { Palette = [Z("Fe"), Z("Al")], MinElements = 2, MaxElements = 2, MaxCoefficient = 3, ChargeNeutral = false });
        // Pairs (a, b) in 1..3 with gcd 1: 9 − (2,2) − (3,3) = 7.
        Assert.Equal(["Al1Fe1", "Al1Fe2", "Al1Fe3", "Al2Fe1", "Al2Fe3", "Al3Fe1", "Al3Fe2"], found);
    }

    [Fact]
    public void ChargeNeutralityAndElectronegativity()
    {
        var space = new CandidateSpace { Palette = [Z("Na"), Z("Cl"), Z("O"), Z("Fe")], MinElements = 2, MaxElements = 2, MaxCoefficient = 4, OxidationStates = Toy() };
        var neutral = Run(space);
        Assert.Contains("O3Fe2", neutral);          // Fe(+3)
        Assert.Contains("O1Fe1", neutral);          // Fe(+2)
        Assert.Contains("Na1Cl1", neutral);
        Assert.Contains("O1Cl2", neutral);          // Cl(+1)
        Assert.DoesNotContain("O2Cl1", neutral);    // would need Cl(+4)
        Assert.DoesNotContain("Na1Fe1", neutral);   // two cations
        var pauling = Run(space with { ElectronegativityTest = true });
        Assert.All(pauling, f => Assert.Contains(f, neutral));
        Assert.Contains("O1Cl2", pauling);          // Cl (3.16) is less electronegative than O (3.44)

        // Cs(−1) with I(+1) balances, but the cation would be the more electronegative one.
        var states = new int[118][];
        Array.Fill(states, []);
        states[Z("Cs") - 1] = [-1];
        states[Z("I") - 1] = [1];
        var eneg = new double[118];
        eneg[Z("Cs") - 1] = 0.79;
        eneg[Z("I") - 1] = 2.66;
        var inverted = new CandidateSpace { Palette = [Z("Cs"), Z("I")], MaxElements = 2, MaxCoefficient = 2, OxidationStates = new OxidationStateSet("inverted", states, eneg) };
        Assert.Equal(["I1Cs1"], Run(inverted));
        Assert.Empty(Run(inverted with { ElectronegativityTest = true }));

        // A missing electronegativity fails the test.
        eneg[Z("Cs") - 1] = double.NaN;
        states[Z("Cs") - 1] = [1];
        states[Z("I") - 1] = [-1];
        var unknown = inverted with { OxidationStates = new OxidationStateSet("unknown", states, eneg) };
        Assert.Equal(["I1Cs1"], Run(unknown));
        Assert.Empty(Run(unknown with { ElectronegativityTest = true }));
    }

    [Fact]
    public void RequiredElementsAppearInEveryCandidate()
    {
        var found = Run(new CandidateSpace { Palette = [Z("Na"), Z("Cl"), Z("O"), Z("Fe")], Require = [Z("O")], MinElements = 2, MaxElements = 3, MaxCoefficient = 3, OxidationStates = Toy() });
        Assert.NotEmpty(found);
        Assert.All(found, f => Assert.Contains("O", f, StringComparison.Ordinal));
    }

    [Fact]
    public void AnElementWithoutStatesIsASpecError()
    {
        var e = Assert.Throws<MaterialsDbException>(() => Run(new CandidateSpace { Palette = [Z("Na"), Z("Ar")], OxidationStates = Toy(), MaxElements = 2 }));
        Assert.Contains("Ar", e.Message, StringComparison.Ordinal);
        Assert.Contains("toy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSpacesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Run(new CandidateSpace { Palette = [Z("Na")], MinElements = 2, MaxElements = 3, ChargeNeutral = false }));
        Assert.Throws<ArgumentException>(() => Run(new CandidateSpace { Palette = [Z("Na"), Z("Cl")], MaxCoefficient = 0, MaxElements = 2, ChargeNeutral = false }));
        Assert.Contains("Fe", Assert.Throws<ArgumentException>(() => Run(new CandidateSpace { Palette = [Z("Na"), Z("Cl")], Require = [Z("Fe")], MaxElements = 2, ChargeNeutral = false })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Run(new CandidateSpace { Palette = [Z("Na"), Z("Cl")], MaxElements = 2 }));
    }
}
