using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Spec;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

public sealed class SpecParserTests
{
    [Theory]
    [InlineData("li-solid-electrolytes.yaml")]
    [InlineData("pv-absorbers.yaml")]
    [InlineData("pv-absorbers-low-supply-risk.yaml")]
    public void ExampleSpecsAreValid(string file)
    {
        var spec = SpecParser.Parse(File.ReadAllText(Path.Combine(SharedFiles.RepositoryRoot, "examples", file)));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
        Assert.NotNull(spec.Enumerate);
        Assert.NotNull(spec.Stability);
        Assert.NotNull(spec.Rank);
    }

    [Fact]
    public void ReadsEveryField()
    {
        var spec = SpecParser.Parse(File.ReadAllText(Path.Combine(SharedFiles.RepositoryRoot, "examples", "li-solid-electrolytes.yaml")));
        var e = spec.Enumerate!;
        Assert.Equal(12, e.Elements.Count);
        Assert.Equal([PeriodicTable.FromSymbol("Li").Z], e.Require);
        Assert.Equal(3, e.RequireAny.Count);
        Assert.Equal((3, 4, 8), (e.MinElements, e.MaxElements, e.MaxCoefficient));
        Assert.True(e.ChargeNeutral);
        Assert.Equal("icsd24", e.OxidationStateSet);
        Assert.Equal(["band-gap-pbe"], spec.Predict);
        Assert.Equal(new StabilitySpec("mp_e_form", "formation-energy"), spec.Stability);
        Assert.Equal(new Bound(3.0, null), spec.Constraints["band-gap-pbe"]);
        Assert.Equal(new Bound(null, 0.05), spec.Constraints["e_above_hull"]);
        Assert.Equal(["e_above_hull", "-band-gap-pbe"], spec.Rank!.By);
        Assert.True(spec.Rank.Uncertainty);
        Assert.Equal(1000, spec.Top);
    }

    [Fact]
    public void JsonIsAccepted()
    {
        var spec = SpecParser.Parse("""{"name": "x", "candidates": {"enumerate": {"elements": ["Fe", "O"], "n_elements": [2, 2], "oxidation_states": {"Fe": [2, 3], "O": [-2]}}}, "top": 5}""");
        Assert.Equal(5, spec.Top);
        Assert.Null(spec.Enumerate!.OxidationStateSet);
        Assert.Equal([2, 3], spec.Enumerate.OxidationStateOverrides[26]);
        Assert.Equal(ScreeningSpec.DefaultTop, SpecParser.Parse("name: y\ncandidates: {list: c.csv}\n").Top);
    }

    [Theory]
    [InlineData("candidates: {list: a.csv}", "name: is required")]
    [InlineData("name: x", "candidates: is required")]
    [InlineData("name: x\ncandidates: {list: a.csv, enumerate: {elements: [Fe]}}", "candidates: needs exactly one")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, Xx]}}", "candidates.enumerate.elements: 'Xx' is not an element")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], require: [Li]}}", "candidates.enumerate.require: Li not in 'elements'")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], n_elements: [3, 2]}}", "candidates.enumerate.n_elements")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], max_coefficient: 0}}", "candidates.enumerate.max_coefficient")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], oxidation_states: icsd99}}", "'icsd99' is not a set")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], oxidation_states: {Fe: [2]}}}", "gives no states for O")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], charge_neutral: maybe}}", "charge_neutral: 'maybe' must be true or false")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Fe, O], charge_neutral: false, electronegativity_test: true}}", "electronegativity_test: needs charge_neutral")]
    [InlineData("name: x\ncandidates: {list: a.csv}\nconstraints: {band-gap: {min: 1}}", "constraints.band-gap: is neither")]
    [InlineData("name: x\ncandidates: {list: a.csv}\npredict: [g]\nconstraints: {g: {min: 2, max: 1}}", "constraints.g: min 2 is above max 1")]
    [InlineData("name: x\ncandidates: {list: a.csv}\nconstraints: {e_above_hull: {max: 0.1}}", "constraints.e_above_hull: needs a 'stability' section")]
    [InlineData("name: x\ncandidates: {list: a.csv}\nrank: {by: [nope]}", "rank.by: 'nope'")]
    [InlineData("name: x\ncandidates: {list: a.csv}\nrank: {uncertainty: true}", "rank: needs exactly one")]
    [InlineData("name: x\ncandidates: {list: a.csv}\ntop: 0", "top: '0' must be a whole number")]
    [InlineData("name: x\ncandidates: {list: a.csv}\ntop: 99999999", "top:")]
    [InlineData("name: x\ncandidates: {list: a.csv}\ncolour: red", "colour: is not a field here")]
    [InlineData("name: [x\n", "not valid YAML or JSON")]
    [InlineData("", "a spec is a mapping")]
    public void ProblemsNameTheirField(string yaml, string fragment)
    {
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(yaml));
        Assert.Contains(e.Texts, p => p.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse("candidates: {enumerate: {elements: [Qq], max_coefficient: -1}}\ntop: x"));
        Assert.True(e.Texts.Count >= 4, string.Join(" | ", e.Texts));
    }

    [Fact]
    public void TheDatabaseReferenceIsTheServicesWithASchemeAndAnOptionalVersion()
    {
        const string Yaml = "name: t\ncandidates: {formulas: [Li2O]}\nstability: {reference: database, model: formation-energy, database_version: 7}";
        var spec = SpecParser.Parse(Yaml, SpecOrigin.Service);
        Assert.Equal(("mp2020", 7L, true), (spec.Stability!.Scheme, spec.Stability.DatabaseVersion, spec.Stability.UsesDatabase));

        var local = Assert.Throws<SpecException>(() => SpecParser.Parse(Yaml));
        Assert.Contains(local.Problems, p => p.Field == "stability.reference");
        var bad = Assert.Throws<SpecException>(() => SpecParser.Parse("name: t\ncandidates: {formulas: [Li2O]}\nstability: {reference: database, database_version: -1}", SpecOrigin.Service));
        Assert.Contains(bad.Problems, p => p.Field == "stability.database_version");
        var stray = Assert.Throws<SpecException>(() => SpecParser.Parse("name: t\ncandidates: {formulas: [Li2O]}\nstability: {reference: mp_e_form, scheme: mp2020}", SpecOrigin.Service));
        Assert.Contains(stray.Problems, p => p.Field == "stability.scheme");
    }
}
