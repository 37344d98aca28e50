using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Spec;
using MathNet.Numerics.Distributions;

namespace MaterialsDb.Screening.Tests;

/// <summary>p_stable: P(e_above_hull ≤ threshold) from the calibrated σ, as a column, a constraint and a rank key.</summary>
public sealed class StabilityProbabilityTests(ScreeningFixture fixture) : IClassFixture<ScreeningFixture>
{
    private static string Spec(string stabilityExtra, string constraints, string rank) => $$"""
        name: p-stable
        candidates:
          enumerate:
            elements: [Li, Mg, O, S, Cl, Fe]
            n_elements: [2, 3]
            max_coefficient: 4
            charge_neutral: true
        stability: {reference: mp_e_form, model: formation-energy{{stabilityExtra}}}
        constraints:
          {{constraints}}
        rank:
          {{rank}}
        top: 200
        """;

    [Fact]
    public void PStableIsTheNormalProbabilityOfLyingWithinTheThreshold()
    {
        foreach (var threshold in new[] { 0.0, 0.05 })
        {
            var plan = fixture.Plan(Spec($", p_stable_threshold: {threshold}", "e_above_hull: {max: 0.5}", "by: [e_above_hull]"));
            var result = ScreeningEngine.Run(plan, new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken);
            var q = plan.Quantities;
            Assert.True(result.Rows.Count > 50);
            foreach (var row in result.Rows)
            {
                var e = row.Values[q[Quantities.EAboveHull]];
                var sigma = row.Values[q[Quantities.EAboveHull + "_std"]];
                Assert.True(sigma > 0);
                Assert.Equal(Normal.CDF(e, sigma, threshold + 1e-8), row.Values[q[Quantities.PStable]], 1e-12);
            }
        }
    }

    [Fact]
    public void RankingByPStablePutsTheMostLikelyStableFirstAndConstraintsBoundIt()
    {
        var plan = fixture.Plan(Spec(string.Empty, "p_stable: {min: 0.2}", "by: [p_stable]"));
        var result = ScreeningEngine.Run(plan, new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        var p = result.Rows.Select(r => r.Values[plan.Quantities[Quantities.PStable]]).ToArray();
        Assert.True(p.Length > 10);
        Assert.Equal(p.OrderDescending(), p);
        Assert.All(p, v => Assert.True(v >= 0.2));

        // '-' reverses a probability's natural order; the same rows come back, least likely first.
        var reversed = ScreeningEngine.Run(fixture.Plan(Spec(string.Empty, "p_stable: {min: 0.2}", "by: [-p_stable]")), new ScreeningOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        var q = reversed.Rows.Select(r => r.Values[plan.Quantities[Quantities.PStable]]).ToArray();
        Assert.Equal(q.Order(), q);
    }

    [Fact]
    public void TheProbabilityFollowsTheStepWhenSigmaIsZero()
    {
        Assert.Equal(1, TileWorker.StabilityProbability(0, 0, 0));
        Assert.Equal(0, TileWorker.StabilityProbability(0.01, 0, 0));
        Assert.Equal(0.5, TileWorker.StabilityProbability(0.1, 0.05, 0.1 - 1e-8), 9);
        Assert.True(double.IsNaN(TileWorker.StabilityProbability(double.NaN, 0.1, 0)));
    }

    [Theory]
    [InlineData("stability: {reference: mp_e_form, model: formation-energy, p_stable_threshold: 3}", "stability.p_stable_threshold")]
    [InlineData("stability: {reference: mp_e_form, model: formation-energy, p_stable_threshold: abc}", "stability.p_stable_threshold")]
    [InlineData("constraints: {p_stable: {min: 0.5}}", "constraints.p_stable: needs a 'stability' section")]
    [InlineData("rank: {by: [p_stable]}", "rank.by: 'p_stable' needs a 'stability' section")]
    [InlineData("rank: {objective: {p_stable: 1}}", "rank.objective.p_stable: needs a 'stability' section")]
    public void BadPStableUsesNameTheField(string section, string message)
    {
        var e = Assert.Throws<SpecException>(() => SpecParser.Parse("name: bad\ncandidates: {formulas: [Li2O]}\npredict: [band-gap-pbe]\n" + section));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
