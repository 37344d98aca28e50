using MaterialsDb.Database.Filters;

namespace MaterialsDb.Service.Tests;

/// <summary>The OPTIMADE filter grammar: precedence, operand order, tokens, and every refusal with its status.</summary>
public sealed class FilterParserTests
{
    [Fact]
    public void NotBindsBeforeAndBeforeOr()
    {
        var tree = FilterParser.Parse("NOT a=1 OR b=2 AND c=3");
        var or = Assert.IsType<OrNode>(tree);
        Assert.Equal("a", Assert.IsType<CompareNode>(Assert.IsType<NotNode>(or.Left).Inner).Property);
        var and = Assert.IsType<AndNode>(or.Right);
        Assert.Equal(("b", "c"), (((CompareNode)and.Left).Property, ((CompareNode)and.Right).Property));
    }

    [Theory]
    [InlineData("3 < nelements", FilterOperator.Greater)]
    [InlineData("3 <= nelements", FilterOperator.GreaterOrEqual)]
    [InlineData("3 > nelements", FilterOperator.Less)]
    [InlineData("3 >= nelements", FilterOperator.LessOrEqual)]
    [InlineData("3 = nelements", FilterOperator.Equal)]
    [InlineData("3 != nelements", FilterOperator.NotEqual)]
    public void AConstantFirstComparisonIsTurnedAround(string filter, FilterOperator expected)
    {
        var node = Assert.IsType<CompareNode>(FilterParser.Parse(filter));
        Assert.Equal(("nelements", expected, 3.0), (node.Property, node.Operator, node.Value.Number!.Value));
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("-1.", -1.0)]
    [InlineData(".5", 0.5)]
    [InlineData("+2E-1", 0.2)]
    [InlineData("1e3", 1000.0)]
    [InlineData("-0.25e+1", -2.5)]
    public void NumbersFollowTheGrammar(string number, double expected) =>
        Assert.Equal(expected, ((CompareNode)FilterParser.Parse("x = " + number)).Value.Number);

    [Fact]
    public void StringsUnescapeQuotesAndBackslashes()
    {
        Assert.Equal("a\"b\\c", ((CompareNode)FilterParser.Parse("x = \"a\\\"b\\\\c\"")).Value.Text);
        Assert.Equal("Fe₂O₃ ünïcode", ((CompareNode)FilterParser.Parse("x=\"Fe₂O₃ ünïcode\"")).Value.Text);
        Assert.Equal(string.Empty, ((FuzzyNode)FilterParser.Parse("x CONTAINS \"\"")).Text);
    }

    [Fact]
    public void TheOptionalWordsAndListsParse()
    {
        Assert.Equal(FuzzyKind.StartsWith, ((FuzzyNode)FilterParser.Parse("x STARTS \"a\"")).Kind);
        Assert.Equal(FuzzyKind.EndsWith, ((FuzzyNode)FilterParser.Parse("x ENDS WITH \"a\"")).Kind);
        var has = (HasNode)FilterParser.Parse("elements HAS ONLY \"Si\", =\"O\"");
        Assert.Equal((SetKind.Only, 2), (has.Kind, has.Values.Count));
        Assert.Equal(FilterOperator.GreaterOrEqual, ((LengthNode)FilterParser.Parse("elements LENGTH >= 2")).Operator);
        Assert.False(((KnownNode)FilterParser.Parse("x IS UNKNOWN")).Known);
        Assert.Equal(new ConstantNode(true), FilterParser.Parse("\"b\" > \"a\""));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("nelements", "expected an operator")]
    [InlineData("nelements = ", "expected a string or a number")]
    [InlineData("nelements = 1 AND", "expected a property")]
    [InlineData("(nelements = 1", "expected ')'")]
    [InlineData("nelements = 1)", "unexpected ')'")]
    [InlineData("x = \"open", "not closed")]
    [InlineData("x = \"a\\n\"", "backslash")]
    [InlineData("Elements HAS \"Fe\"", "not a keyword")]
    [InlineData("elementS HAS \"Fe\"", "lowercase")]
    [InlineData("nelements == 1", "expected a string or a number")]
    [InlineData("nelements = 1e", "is not a number")]
    [InlineData("nelements = 1x", "is not a number")]
    [InlineData("nelements IS NULL", "not a keyword")]
    [InlineData("x IS", "KNOWN or UNKNOWN")]
    [InlineData("elements HAS ALL", "expected a string or a number")]
    [InlineData("a = 1 b = 2", "unexpected the property 'b'")]
    [InlineData("NOT NOT a = 1", "expected a property")]
    [InlineData("x CONTAINS 3", "takes a string")]
    [InlineData("1 = \"a\"", "one is a string")]
    [InlineData("x = 1e999", "out of the range")]
    [InlineData("x = 'a'", "unexpected character")]
    public void BadFiltersAreRefusedWithTheirPlace(string filter, string why)
    {
        var e = Assert.Throws<FilterException>(() => FilterParser.Parse(filter));
        Assert.Equal(400, e.Status);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nelements = nsites")]
    [InlineData("elements HAS > \"Fe\"")]
    [InlineData("elements HAS ALL \"Fe\", < \"O\"")]
    [InlineData("elements:elements_ratios HAS \"Fe\":0.5")]
    public void UnsupportedOptionalFeaturesAre501(string filter) =>
        Assert.Equal(501, Assert.Throws<FilterException>(() => FilterParser.Parse(filter)).Status);

    [Fact]
    public void FiltersAreBoundedBeforeTheyRun()
    {
        var deep = new string('(', 40) + "a=1" + new string(')', 40);
        Assert.Contains("nests deeper", Assert.Throws<FilterException>(() => FilterParser.Parse(deep)).Message, StringComparison.Ordinal);
        var many = string.Join(" OR ", Enumerable.Repeat("a=1", FilterParser.MaxComparisons + 1));
        Assert.Contains("comparisons", Assert.Throws<FilterException>(() => FilterParser.Parse(many)).Message, StringComparison.Ordinal);
        var list = "elements HAS ANY " + string.Join(",", Enumerable.Repeat("\"Fe\"", FilterParser.MaxListValues + 1));
        Assert.Contains("HAS list", Assert.Throws<FilterException>(() => FilterParser.Parse(list)).Message, StringComparison.Ordinal);
        var longFilter = "x = \"" + new string('a', FilterParser.MaxLength) + "\"";
        Assert.Contains("at most", Assert.Throws<FilterException>(() => FilterParser.Parse(longFilter)).Message, StringComparison.Ordinal);
        Assert.IsType<CompareNode>(FilterParser.Parse(new string('(', 30) + "a=1" + new string(')', 30)));
    }

    [Theory]
    [InlineData("foo = 1", 400, "Unknown property 'foo'")]
    [InlineData("_mdb_foo = 1", 400, "Unknown property")]
    [InlineData("nelements = \"2\"", 400, "compare it with a number")]
    [InlineData("chemical_formula_reduced = 2", 400, "string in double quotes")]
    [InlineData("elements = \"Fe\"", 400, "use HAS")]
    [InlineData("elements HAS 1", 400, "HAS takes strings")]
    [InlineData("elements_ratios HAS \"Fe\"", 400, "HAS takes numbers")]
    [InlineData("nelements HAS 1", 400, "not a list")]
    [InlineData("nelements LENGTH 1", 400, "LENGTH applies to lists")]
    [InlineData("elements LENGTH \"2\"", 400, "compared with a number")]
    [InlineData("nelements CONTAINS \"2\"", 400, "apply to strings")]
    [InlineData("last_modified > \"yesterday\"", 400, "RFC 3339")]
    [InlineData("_mdb_e_above_hull < 0.1", 501, "cannot be filtered")]
    [InlineData("species HAS \"x\"", 501, "not supported")]
    [InlineData("species.name = \"x\"", 501, "nested")]
    public void FieldsAndTypesAreChecked(string filter, int status, string why)
    {
        var e = Assert.Throws<FilterException>(() => EntryFields.Bind(FilterParser.Parse(filter), new List<string>()));
        Assert.Equal(status, e.Status);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherProvidersFieldsAreUnknownWithAWarning()
    {
        var warnings = new List<string>();
        var bound = EntryFields.Bind(FilterParser.Parse("_exmpl_gap > 1 OR _exmpl_gap IS UNKNOWN OR _exmpl_gap > 2"), warnings);
        Assert.Equal(new OrNode(new OrNode(new ConstantNode(false), new ConstantNode(true)), new ConstantNode(false)), bound);
        Assert.Contains("_exmpl_gap", Assert.Single(warnings), StringComparison.Ordinal);
    }
}
