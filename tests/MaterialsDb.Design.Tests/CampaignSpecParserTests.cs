using MaterialsDb.Design.Spec;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Design.Tests;

/// <summary>Campaign specs: what they mean, and every problem named at its field.</summary>
public sealed class CampaignSpecParserTests
{
    private const string Steel = """
        name: maraging
        seed: 11
        space:
          continuous:
            basis: weight
            unit: percent
            balance: Fe
            elements: {C: [0, 0.5], Ni: [0, 20], Co: [0, 15], Mo: [0, 5], Ti: [0, 2]}
            step: 0.01
            max_elements: 5
        objectives:
          - {property: yield_strength, goal: max, units: MPa}
        constraints:
          hhi_production: {max: 3000}
          yield_strength: {min: 1000, probability: 0.8}
        observations: {dataset: steels_yield, sample: 40}
        acquisition: {function: ucb, kappa: 1.5, batch: 8}
        """;

    private static IReadOnlyList<string> Problems(string text) => Assert.Throws<SpecException>(() => CampaignSpecParser.Parse(text)).Texts;

    [Fact]
    public void AContinuousSteelCampaign()
    {
        var spec = CampaignSpecParser.Parse(Steel);
        Assert.Equal("maraging", spec.Name);
        Assert.Equal(11, spec.Seed);
        var space = Assert.IsType<ContinuousSpace>(spec.Continuous);
        Assert.True(space.WeightBasis && space.Percent);
        Assert.Equal(26, space.Balance);
        Assert.Equal(0.0001, space.Step, 12);
        Assert.Equal(0.2, space.Elements.Single(e => e.Z == 28).Max, 12);
        Assert.Equal(5, space.MaxElements);
        Assert.Null(spec.Discrete);
        Assert.Equal(Goal.Max, spec.Objectives.Single().Goal);
        Assert.Equal(3000, spec.HhiProduction!.Max);
        Assert.Equal(0.8, spec.Constraints.Single().Probability);
        Assert.Equal(["yield_strength"], spec.Properties);
        Assert.Equal(new AcquisitionSpec(AcquisitionKind.Ucb, 1.5, 8, 0.02), spec.Acquisition);
        Assert.Equal(40, spec.Observations!.Sample);
        Assert.Equal(SurrogateModel.Trees, spec.Surrogate.Model);
        Assert.Equal(SurrogateModel.Linear, CampaignSpecParser.Parse(Steel + "\nsurrogate: {model: linear, featurizer: fractions}").Surrogate.Model);
        Assert.Equal(0, spec.Surrogate.Focus);
        Assert.Equal(2, CampaignSpecParser.Parse(Steel + "\nsurrogate: {model: linear, focus: 2}").Surrogate.Focus);
        Assert.Equal(1.5, CampaignSpecParser.Parse(Steel + "\nsurrogate: {focus: 1.5}").Surrogate.Focus);
    }

    [Fact]
    public void ADiscreteSpaceIsAScreeningAndItsProblemsAreReportedUnderSpace()
    {
        var spec = CampaignSpecParser.Parse("""
            name: absorbers
            space:
              candidates: {enumerate: {elements: [Cu, Zn, Sn, S, Se], n_elements: [2, 4], max_coefficient: 4}}
              constraints: {hhi_production: {max: 5000}}
              max_pool: 5000
            objectives: [{property: band_gap, goal: window, window: [1.1, 1.5]}]
            """);
        Assert.NotNull(spec.Discrete!.Enumerate);
        Assert.Equal(5000, spec.Discrete.Top);
        Assert.Equal(5000, spec.MaxPool);
        Assert.Equal((1.1, 1.5), (spec.Objectives[0].Low, spec.Objectives[0].High));
        Assert.Equal(0.05, spec.Acquisition.MinDistance);

        var problems = Problems("""
            name: x
            space: {candidates: {enumerate: {elements: [Cu, Xx]}}}
            objectives: [{property: gap, goal: max}]
            """);
        Assert.Contains(problems, p => p.StartsWith("space.candidates.enumerate.elements: 'Xx'", StringComparison.Ordinal));
    }

    [Fact]
    public void ObservationsMayBeAQueryOfTheSharedDatabase()
    {
        var spec = CampaignSpecParser.Parse("""
            name: from-db
            space: {continuous: {balance: Fe, elements: {Ni: [0, 0.3]}}}
            objectives: [{property: strength, goal: max, units: MPa}]
            observations: {database: {scheme: experiment, elements: [Fe, Ni], version: 12}, columns: {strength: yield_strength}, sample: 30}
            """, SpecOrigin.Service, []);
        Assert.Equal(new DatabaseObservationQuery("experiment", null, "Fe,Ni", null, 12), spec.Observations!.Database);
        Assert.Equal("yield_strength", spec.Observations.Columns["strength"]);
        Assert.Equal(30, spec.Observations.Sample);
    }

    [Theory]
    [InlineData("objectives: [{property: gap, goal: up}]", "objectives[0].goal: 'up' must be max, min or window")]
    [InlineData("objectives: [{property: gap, goal: window}]", "objectives[0].window: goal window needs window: [low, high]")]
    [InlineData("objectives: [{property: Gap, goal: max}]", "objectives[0].property: 'Gap' is not a property name")]
    [InlineData("objectives: [{property: gap, goal: max}]\nacquisition: {function: magic}", "acquisition.function: 'magic' is not one of: ei, ucb, pi, explore, greedy, random, ehvi")]
    [InlineData("objectives: [{property: gap, goal: max}]\nacquisition: {function: ehvi}", "acquisition.function: ehvi needs two objectives")]
    [InlineData("objectives: [{property: a, goal: max}, {property: b, goal: min}]\nacquisition: {function: ei}", "acquisition.function: with two objectives use ehvi")]
    [InlineData("objectives: [{property: gap, goal: max}]\nacquisition: {batch: 0}", "acquisition.batch: must be a whole number from 1 to 1,000")]
    [InlineData("objectives: [{property: gap, goal: max}]\nconstraints: {hhi_production: {max: 1, probability: 0.5}}", "constraints.hhi_production.probability: hhi_production is computed exactly")]
    [InlineData("objectives: [{property: gap, goal: max}]\nconstraints: {gap: {min: 1, probability: 1.5}}", "constraints.gap.probability: must be between 0 and 1")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {csv: a.csv, dataset: expt_gap}", "observations: needs exactly one of 'csv', 'dataset' and 'database'")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {csv: a.csv, database: {scheme: experiment}}", "observations: needs exactly one of 'csv', 'dataset' and 'database'")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {chemsys: Fe-Ni}}", "observations.database.scheme: is required")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: \"Robert'); DROP TABLE\"}}", "observations.database.scheme: 'Robert'); DROP TABLE' is not a scheme name")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: experiment, chemsys: Fe-Qq}}", "observations.database.chemsys: 'Qq' is not an element symbol")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: experiment, elements: [Fe, Xy]}}", "observations.database.elements: 'Xy' is not an element symbol")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: experiment, chemsys: Fe-Ni, formula: FeNi}}", "observations.database: give at most one of")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: experiment, formula: Fe2Zz}}", "observations.database.formula: ")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: experiment, version: 0}}", "observations.database.version: must be a whole number from 1")]
    [InlineData("objectives: [{property: gap, goal: max}]\nobservations: {database: {scheme: experiment, where: x}}", "observations.database.where: is not a field here")]
    [InlineData("objectives: [{property: gap, goal: max}]\nsurrogate: {featurizer: nope}", "surrogate.featurizer: 'nope' is not a preset")]
    [InlineData("objectives: [{property: gap, goal: max}]\nsurrogate: {model: gp}", "surrogate.model: 'gp' is not one of: trees, linear")]
    [InlineData("objectives: [{property: gap, goal: max}]\nsurrogate: {focus: 9}", "surrogate.focus: must be in [0, 8]")]
    [InlineData("objectives: [{property: gap, goal: max}]\nsurrogate: {model: linear, focus: -1}", "surrogate.focus: must be in [0, 8]")]
    [InlineData("objectives: [{property: gap, goal: max}]\nsurrogate: {model: linear, focus: .nan}", "surrogate.focus: ")]
    [InlineData("objectives: [{property: gap, goal: max}]\nbudget: 3", "budget: is not a field here")]
    public void EveryProblemNamesItsField(string tail, string expected)
    {
        var text = "name: x\nspace: {continuous: {balance: Fe, elements: {Ni: [0, 0.3]}}}\n" + tail;
        Assert.Contains(Problems(text), p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("space: {continuous: {balance: Qq, elements: {Ni: [0, 0.3]}}}", "space.continuous.balance: 'Qq' is not an element symbol")]
    [InlineData("space: {continuous: {balance: Fe, elements: {Ni: [0.4, 0.3]}}}", "space.continuous.elements.Ni: must be [min, max]")]
    [InlineData("space: {continuous: {balance: Fe, elements: {Ni: [0.6, 0.7], Co: [0.5, 0.6]}}}", "space.continuous.elements: no composition within these ranges sums to one")]
    [InlineData("space: {continuous: {balance: Fe, elements: {Ni: [0.1, 0.2], Co: [0.1, 0.2]}, max_elements: 2}}", "space.continuous.max_elements: 3 elements have a minimum above zero")]
    [InlineData("space: {continuous: {balance: Fe, elements: {Ni: [0, 0.3]}, basis: volume}}", "space.continuous.basis: 'volume' must be atomic or weight")]
    [InlineData("space: {candidates: {formulas: [NaCl]}, continuous: {balance: Fe, elements: {Ni: [0, 1]}}}", "space: needs exactly one of 'candidates'")]
    [InlineData("space: {}", "space: needs exactly one of 'candidates'")]
    public void SpaceProblems(string space, string expected)
    {
        Assert.Contains(Problems("name: x\n" + space + "\nobjectives: [{property: gap, goal: max}]"), p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void HostileDocumentsAreRefusedBeforeTheyAreLoaded()
    {
        Assert.Contains(Problems(new string('[', 100_000)), p => p.Contains("deep", StringComparison.OrdinalIgnoreCase) || p.Contains("nest", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(Problems("a: &x [1]\nb: *x"), p => p.Contains("aliases", StringComparison.Ordinal));
        Assert.Contains(Problems("- 1\n- 2"), p => p.StartsWith("(document)", StringComparison.Ordinal));
    }

    [Fact]
    public void AServiceSpecNamesOnlyUploadedFiles()
    {
        var text = "name: x\nspace: {continuous: {balance: Fe, elements: {Ni: [0, 0.3]}}}\nobjectives: [{property: gap, goal: max}]\nobservations: {csv: /etc/passwd}";
        var problems = Assert.Throws<SpecException>(() => CampaignSpecParser.Parse(text, SpecOrigin.Service, ["data.csv"])).Texts;
        Assert.Contains(problems, p => p.StartsWith("observations.csv: '/etc/passwd' is not a file uploaded", StringComparison.Ordinal));
        Assert.NotNull(CampaignSpecParser.Parse(text.Replace("/etc/passwd", "data.csv", StringComparison.Ordinal), SpecOrigin.Service, ["data.csv"]).Observations);
    }
}
