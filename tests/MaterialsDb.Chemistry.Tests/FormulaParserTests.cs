using MaterialsDb.Chemistry;

namespace MaterialsDb.Chemistry.Tests;

public sealed class FormulaParserTests
{
    public static TheoryData<string, string> ValidFormulas => new()
    {
        { "Fe2O3", "Fe:2 O:3" },
        { "Li0.5CoO2", "Li:0.5 Co:1 O:2" },
        { "Fe1e-3O", "Fe:0.001 O:1" },
        { "Fe2.5e+1O", "Fe:25 O:1" },
        { "K4[Fe(CN)6]", "K:4 Fe:1 C:6 N:6" },
        { "Ca5(PO4)3(OH)", "Ca:5 P:3 O:13 H:1" },
        { "{[(H)2]3}2", "H:12" },
        { "Mg{SO4}", "Mg:1 S:1 O:4" },
        { "  Fe 2 O 3  ", "Fe:2 O:3" },
        { "( Li ) 2 O", "Li:2 O:1" },
        { "CuSO4·5H2O", "Cu:1 S:1 O:9 H:10" },
        { "CuSO4•5H2O", "Cu:1 S:1 O:9 H:10" },
        { "CuSO4*5H2O", "Cu:1 S:1 O:9 H:10" },
        { "CuSO4 · 5 H2O", "Cu:1 S:1 O:9 H:10" },
        { "2H2O", "H:4 O:2" },
        { "Na2CO3·H2O2·0.5H2O", "Na:2 C:1 O:5.5 H:3" },
        { "CuSO4.5H2O", "Cu:1 S:1 O:5.5 H:2" },
        { "Fe2Eu", "Fe:2 Eu:1" },
        { "FeO.5", "Fe:1 O:0.5" },
        { "HHe", "H:1 He:1" },
        { "OOO", "O:3" },
        { "Fe1e-9O", "O:1" },
        { "Fe0O", "O:1" },
        { "Zr10Fe22.5Co67.5", "Zr:10 Fe:22.5 Co:67.5" },
        { "Og", "Og:1" },
    };

    [Theory]
    [MemberData(nameof(ValidFormulas))]
    public void Parses(string formula, string expected)
    {
        var composition = FormulaParser.Parse(formula);
        var pairs = expected.Split(' ').Select(p => p.Split(':')).ToArray();
        Assert.Equal(pairs.Length, composition.ElementCount);
        foreach (var p in pairs)
        {
            Assert.Equal(double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), composition[p[0]], 12);
        }
    }

    public static TheoryData<string, FormulaErrorKind, int, string> InvalidFormulas => new()
    {
        { "", FormulaErrorKind.Empty, 0, "empty" },
        { "   ", FormulaErrorKind.Empty, 0, "empty" },
        { "Xx2", FormulaErrorKind.UnknownElement, 0, "'Xx'" },
        { "FE2O3", FormulaErrorKind.UnknownElement, 1, "'E'" },
        { "LiFeQ4", FormulaErrorKind.UnknownElement, 4, "'Q'" },
        { "Fe2(O3", FormulaErrorKind.UnbalancedBracket, 3, "never closed" },
        { "Fe2O3)", FormulaErrorKind.UnbalancedBracket, 5, "no opening" },
        { "K4[Fe(CN)6)", FormulaErrorKind.UnbalancedBracket, 10, "expected ']'" },
        { "Fe()2", FormulaErrorKind.EmptyGroup, 2, "empty" },
        { "Fe1.2.3", FormulaErrorKind.InvalidAmount, 2, "not a number" },
        { "Fe1e", FormulaErrorKind.InvalidAmount, 2, "not a number" },
        { "Fe1e-", FormulaErrorKind.InvalidAmount, 2, "not a number" },
        { "Fe.O", FormulaErrorKind.InvalidAmount, 2, "not a number" },
        { "Fe1e400", FormulaErrorKind.InvalidAmount, 2, "not a number" },
        { "Fe-2", FormulaErrorKind.InvalidAmount, 2, "positive" },
        { "Fe2 3O", FormulaErrorKind.InvalidAmount, 4, "must follow" },
        { "fe2O3", FormulaErrorKind.UnexpectedCharacter, 0, "capital" },
        { "Fe2O3#", FormulaErrorKind.UnexpectedCharacter, 5, "'#'" },
        { "Fe2O3,", FormulaErrorKind.UnexpectedCharacter, 5, "','" },
        { "CuSO4·", FormulaErrorKind.UnexpectedCharacter, 5, "after it" },
        { "·H2O", FormulaErrorKind.UnexpectedCharacter, 0, "before it" },
        { "5", FormulaErrorKind.UnexpectedCharacter, 0, "number alone" },
        { "Fe0", FormulaErrorKind.NonPositiveTotal, 0, "zero" },
        { "(O)0", FormulaErrorKind.NonPositiveTotal, 0, "zero" },
        // Each multiplier is finite, their product is not: the amount would become Infinity.
        { "(((Fe)1e200)1e200)1e200", FormulaErrorKind.InvalidAmount, 12, "too large" },
        { "((Fe)1e300)1e300O", FormulaErrorKind.InvalidAmount, 11, "amount of Fe too large" },
        { "1e200(Fe1e200)", FormulaErrorKind.InvalidAmount, 0, "too large" },
        { "Fe1e308Fe1e308", FormulaErrorKind.InvalidAmount, 0, "finite number" },
        { "Fe1e308O1e308", FormulaErrorKind.InvalidAmount, 0, "finite number" },
    };

    [Theory]
    [MemberData(nameof(InvalidFormulas))]
    public void RejectsWithPositionAndReason(string formula, FormulaErrorKind kind, int position, string fragment)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.Parse(formula));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(position, e.Position);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains($"position {position}", e.Message, StringComparison.Ordinal);
        Assert.Contains(formula, e.Message, StringComparison.Ordinal);

        Assert.False(FormulaParser.TryParse(formula, out var composition, out var error));
        Assert.Null(composition);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void EveryAcceptedAmountIsFiniteWhateverTheNesting()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var text = "Fe";
            for (var depth = random.Next(1, 6); depth > 0; depth--)
            {
                text = $"({text}){Math.Pow(10, random.Next(0, 200)).ToString("0e0", System.Globalization.CultureInfo.InvariantCulture).Replace("e+", "e", StringComparison.Ordinal)}";
            }

            if (FormulaParser.TryParse(text, out var c, out _))
            {
                Assert.True(double.IsFinite(c.NumAtoms), text);
                Assert.All(c.AsPairs(), p => Assert.True(double.IsFinite(p.Value), text));
            }
        }
    }

    [Fact]
    public void LongFormulasAreShortenedInMessagesButNotInPositions()
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.Parse(new string('H', 5_000) + "#"));
        Assert.Equal(5_000, e.Position);
        Assert.True(e.Message.Length < 200, e.Message);
    }

    [Fact]
    public void RejectsOverlongFormula()
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.Parse(new string('H', FormulaParser.MaxLength + 1)));
        Assert.Equal(FormulaErrorKind.TooLong, e.Kind);
    }

    [Fact]
    public void LongFormulasUseThePooledPathAndStayExact()
    {
        // 400 characters: beyond the stack buffers, so the rented arrays are used.
        var formula = string.Concat(Enumerable.Repeat("(LiO)2", 60)) + "Fe((((((((((H))))))))))";
        var c = FormulaParser.Parse(formula);
        Assert.Equal(120, c["Li"]);
        Assert.Equal(120, c["O"]);
        Assert.Equal(1, c["H"]);
        Assert.Equal(242, c.NumAtoms);
    }

    [Fact]
    public void DeepNestingIsNotRecursive()
    {
        var formula = new string('(', 3000) + "H" + string.Concat(Enumerable.Repeat(")1", 3000));
        Assert.Equal(1, FormulaParser.Parse(formula)["H"]);
    }

    [Fact]
    public void ParseIntoWritesSortedDistinctElements()
    {
        Span<byte> z = stackalloc byte[FormulaParser.MaxDistinctElements];
        Span<double> amounts = stackalloc double[FormulaParser.MaxDistinctElements];
        var n = FormulaParser.ParseInto("OFeOHFe", z, amounts, out var error);
        Assert.False(error.IsError);
        Assert.Equal(3, n);
        Assert.Equal([1, 8, 26], z[..n].ToArray());
        Assert.Equal([1.0, 2.0, 2.0], amounts[..n].ToArray());
    }

    [Fact]
    public void ParseIntoReportsTooSmallBuffers()
    {
        var z = new byte[1];
        var amounts = new double[1];
        Assert.Throws<ArgumentException>(() => FormulaParser.ParseInto("FeO", z, amounts, out _));
    }

    [Fact]
    public void AmountsMatchTheRuntimeParser()
    {
        var random = new Random(12345);
        for (var i = 0; i < 20_000; i++)
        {
            var text = (i % 4) switch
            {
                0 => random.Next(1, 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                1 => (random.NextDouble() * Math.Pow(10, random.Next(-6, 20))).ToString("R", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant(),
                2 => $"{random.Next(0, 999)}.{random.Next(0, 99999):D5}e-{random.Next(0, 30)}",
                _ => $"0.{random.NextInt64(0, long.MaxValue):D19}{random.Next(0, 9999)}",
            };

            var c = FormulaParser.Parse("H" + text + "O");
            var expected = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            if (expected >= FormulaParser.AmountTolerance)
            {
                Assert.Equal(expected, c["H"]);
            }
        }
    }
}
