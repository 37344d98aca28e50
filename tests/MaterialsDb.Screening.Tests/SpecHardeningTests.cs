using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Tests;

/// <summary>Specs as an attacker or a careless script would write them: each gets a spec error naming the problem, never a crash.</summary>
public sealed class SpecHardeningTests
{
    private const string Valid = "name: x\ncandidates: {enumerate: {elements: [Na, Cl], n_elements: [2, 2]}}\n";

    [Theory]
    [InlineData(40_000)]
    [InlineData(33)]
    public void DeepNestingIsRefusedBeforeTheTreeIsBuilt(int depth)
    {
        // 40,000 levels overflowed the YAML loader's stack and killed the process.
        var text = "name: x\ncandidates: {enumerate: {elements: " + new string('[', depth) + "Li" + new string(']', depth) + "}}\n";
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(text));
        Assert.Contains($"nested deeper than {SpecParser.MaxDepth} levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepJsonIsRefusedToo()
    {
        var text = "{\"name\": \"x\", \"candidates\": " + string.Concat(Enumerable.Repeat("{\"a\": ", 50_000)) + "1" + new string('}', 50_000) + "}";
        Assert.Contains("nested deeper", Assert.Throws<SpecException>(() => SpecParser.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingWithinTheLimitStillParsesToFieldErrors()
    {
        // 10 levels is legal YAML: the spec is refused for its shape, with the field named, not for its depth.
        var text = "name: x\ncandidates: {enumerate: {elements: " + new string('[', 10) + "Li" + new string(']', 10) + "}}\n";
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(text));
        Assert.Contains(e.Texts, t => t.StartsWith("candidates.enumerate.elements:", StringComparison.Ordinal));
    }

    [Fact]
    public void OversizedSpecsAndTooManyValuesAreRefused()
    {
        var huge = Valid + "# " + new string('x', SpecParser.MaxLength) + "\n";
        Assert.Contains("characters long; the limit is", Assert.Throws<SpecException>(() => SpecParser.Parse(huge)).Message, StringComparison.Ordinal);

        var many = "name: x\ncandidates: {formulas: [" + string.Join(",", Enumerable.Repeat("1", SpecParser.MaxNodes + 1)) + "]}\n";
        Assert.Contains("more than", Assert.Throws<SpecException>(() => SpecParser.Parse(many)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiDocumentYamlIsRefused()
    {
        // It used to screen the first document silently.
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(Valid + "---\n" + Valid));
        Assert.Contains("a second YAML document starts at line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasesAreRefused()
    {
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse("name: x\nels: &a [Na, Cl]\ncandidates: {enumerate: {elements: *a}}\n"));
        Assert.Contains("aliases (*a) are not accepted", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\nb", "control characters")]
    [InlineData("a\rContent-Type: x", "control characters")]
    [InlineData("a\u0000b", "control characters")]
    [InlineData("   ", "is blank")]
    public void NamesMustBePrintable(string name, string expected)
    {
        var text = "{\"name\": " + System.Text.Json.JsonSerializer.Serialize(name) + ", \"candidates\": {\"formulas\": [\"NaCl\"]}}";
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(text));
        Assert.Contains(e.Texts, t => t.StartsWith("name:", StringComparison.Ordinal) && t.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Ökologie")]
    [InlineData("材料 \"screen\" 1")]
    public void NonAsciiNamesAndQuotesAreFine(string name) =>
        Assert.Equal(name, SpecParser.Parse("{\"name\": " + System.Text.Json.JsonSerializer.Serialize(name) + ", \"candidates\": {\"formulas\": [\"NaCl\"]}}").Name);

    [Fact]
    public void ALongNameIsRefused() =>
        Assert.Contains("characters long", Assert.Throws<SpecException>(() => SpecParser.Parse($"name: {new string('n', 201)}\ncandidates: {{formulas: [NaCl]}}\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void ComplexKeysAreUnknownFieldsNotCrashes()
    {
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse("name: x\ncandidates: {formulas: [NaCl]}\nconstraints: {? [a, b] : {max: 1}}\n"));
        Assert.Contains(e.Texts, t => t.StartsWith("constraints.", StringComparison.Ordinal));
    }

    [Fact]
    public void InlineFormulasAreACandidateList()
    {
        var spec = SpecParser.Parse("name: mine\ncandidates: {formulas: [NaCl, LiFePO4, 'K4[Fe(CN)6]']}\n");
        Assert.True(spec.IsList);
        Assert.Null(spec.List);
        Assert.Equal(["NaCl", "LiFePO4", "K4[Fe(CN)6]"], spec.Formulas);
        Assert.Contains("needs 1 to", Assert.Throws<SpecException>(() => SpecParser.Parse("name: x\ncandidates: {formulas: []}\n")).Message, StringComparison.Ordinal);
        Assert.Contains("exactly one of", Assert.Throws<SpecException>(() => SpecParser.Parse("name: x\ncandidates: {formulas: [NaCl], list: a.csv}\n")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stability: {reference: /etc/passwd}", "stability.reference: '/etc/passwd' is not a catalog dataset id")]
    [InlineData("stability: {reference: ../../secret.csv}", "stability.reference: '../../secret.csv' is not a catalog dataset id")]
    [InlineData("predict: [/abs/model/dir]", "predict[0]: '/abs/model/dir' is not a model id")]
    [InlineData("predict: [band-gap-pbe, ../models/x]", "predict[1]: '../models/x' is not a model id")]
    [InlineData("predict: [..]", "predict[0]: '..' is not a model id")]
    [InlineData("stability: {model: /tmp/m}", "stability.model: '/tmp/m' is not a model id")]
    public void TheServiceNeverAcceptsServerPaths(string line, string expected)
    {
        var text = "name: x\ncandidates: {formulas: [NaCl]}\n" + line + "\n";
        SpecParser.Parse(text);   // a local spec may name files
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(text, SpecOrigin.Service));
        Assert.Contains(e.Texts, t => t.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AServiceListMustNameAnUploadedFile()
    {
        var text = "name: x\ncandidates: {list: /srv/data/candidates.csv}\n";
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse(text, SpecOrigin.Service));
        Assert.Contains("no file of that name was uploaded", e.Message, StringComparison.Ordinal);

        var spec = SpecParser.Parse("name: x\ncandidates: {list: mine.csv}\n", SpecOrigin.Service, ["mine.csv"]);
        Assert.Equal("mine.csv", spec.List);
        Assert.Equal(SpecOrigin.Service, spec.Origin);
    }

    [Fact]
    public void CatalogIdsAndModelIdsAreFineForTheService()
    {
        var spec = SpecParser.Parse(Valid + "predict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\n", SpecOrigin.Service);
        Assert.Equal("formation-energy", spec.Stability!.Model);
    }
}
