using MaterialsDb.Data;
using MaterialsDb.Design.Benchmark;
using MaterialsDb.Design.Spec;
using MaterialsDb.Design.Surrogate;

namespace MaterialsDb.Design.Tests;

/// <summary>
/// The Bayesian linear surrogate: recovers a linear law, switches off features that do not matter, extrapolates where
/// trees cannot, its σ covers held-out errors, and it finds hits that lie above every observation.
/// </summary>
public sealed class LinearSurrogateTests
{
    // y = 3 x0 − 2 x1 + 5 + noise; x2..x7 are irrelevant, x7 is constant.
    private static (float[] X, double[] Y) Law(int rows, int seed, double noise = 0.1, double scale = 1)
    {
        var random = new Random(seed);
        var x = new float[rows * 8];
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 7; j++)
            {
                x[(r * 8) + j] = (float)(random.NextDouble() * scale);
            }

            x[(r * 8) + 7] = 1;
            y[r] = (3 * x[r * 8]) - (2 * x[(r * 8) + 1]) + 5 + (noise * Gaussian(random));
        }

        return (x, y);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void RecoversTheLawAndSwitchesOffIrrelevantFeatures()
    {
        var (x, y) = Law(200, 1);
        var s = LinearSurrogate.Fit(x, 8, y);
        var weights = s.Weights.ToDictionary(w => w.Feature, w => w.Weight);
        Assert.DoesNotContain(7, weights.Keys);
        // A weight per standard deviation of a uniform [0, 1) feature (σ = 0.2887): 3 → 0.866, −2 → −0.577.
        Assert.InRange(weights[0], 0.866 * 0.95, 0.866 * 1.05);
        Assert.InRange(weights[1], -0.577 * 1.05, -0.577 * 0.95);
        Assert.All(weights.Where(w => w.Key > 1), w => Assert.True(Math.Abs(w.Value) < 0.02, $"feature {w.Key}: {w.Value}"));
        Assert.True(s.ActiveFeatures < 7, $"{s.ActiveFeatures} of 7 varying features kept");
    }

    [Fact]
    public void ExtrapolatesWhereTreesCannotAndSaysItIsLessSure()
    {
        var (x, y) = Law(100, 2);
        var linear = LinearSurrogate.Fit(x, 8, y);
        var trees = EnsembleSurrogate.Fit(x, 8, y, new SurrogateSpec(Members: 6, Trees: 60), 3);
        // Inside the data (x0 = 0.5) and far beyond it (x0 = 3): the truth is 6.5 and 14.
        float[] probe = [0.5f, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 1, 3, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 1];
        var (m, sd) = (new double[2], new double[2]);
        linear.Predict(probe, 2, m, sd, default);
        Assert.InRange(m[0], 6.3, 6.7);
        Assert.InRange(m[1], 13.3, 14.7);
        Assert.True(sd[1] > 1.2 * sd[0], $"σ inside {sd[0]}, outside {sd[1]}");
        var (tm, tsd) = (new double[2], new double[2]);
        trees.Predict(probe, 2, tm, tsd, new float[2 * trees.ScratchPerRow]);
        Assert.True(tm[1] <= y.Max() + 1e-9, $"trees predict {tm[1]} beyond the largest observation {y.Max()}");
    }

    [Fact]
    public void ItsSigmaCoversHeldOutErrors()
    {
        var (x, y) = Law(600, 4, noise: 0.5);
        var s = LinearSurrogate.Fit(x.AsSpan(0, 300 * 8).ToArray(), 8, y[..300]);
        var (m, sd) = (new double[300], new double[300]);
        s.Predict(x.AsSpan(300 * 8), 300, m, sd, default);
        var coverage = Enumerable.Range(0, 300).Count(i => Math.Abs(m[i] - y[300 + i]) <= sd[i]) / 300.0;
        Assert.InRange(coverage, 0.6, 0.76);
        Assert.InRange(s.Calibration, 0.8, 1.25);
    }

    [Fact]
    public void AnAllConstantInputPredictsTheMeanAndTooFewObservationsIsAClearError()
    {
        var x = Enumerable.Repeat(1f, 5 * 2).ToArray();
        var s = LinearSurrogate.Fit(x, 2, [1, 2, 3, 4, 5]);
        var (m, sd) = (new double[1], new double[1]);
        s.Predict(x.AsSpan(0, 2), 1, m, sd, default);
        Assert.Equal(3, m[0], 1e-9);
        Assert.True(sd[0] > 0);
        var e = Assert.Throws<InputDataException>(() => LinearSurrogate.Fit(new float[4], 2, [1, 2], "yield_strength"));
        Assert.Contains("yield_strength: 2 observation(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindsHitsAboveEveryObservationWhereTreesCannot()
    {
        // The Fe–Ni–Co–Cr grid with a value rising along Ni + Co: the top 2 % lie beyond every initial observation
        // (the initial sets are non-hits), where a tree ensemble predicts no more than the best it has seen.
        var (pool, _) = Synthetic.Grid();
        var truth = Enumerable.Range(0, pool.Count).Select(r =>
        {
            double ni = 0, co = 0;
            var z = pool.RowAtomicNumbers(r);
            var f = pool.RowFractions(r);
            for (var i = 0; i < z.Length; i++)
            {
                ni += z[i] == 28 ? f[i] : 0;
                co += z[i] == 27 ? f[i] : 0;
            }

            return (800 * ni) + (500 * co);
        }).ToArray();
        var task = new SimulationTask("ramp", pool, truth, new Objective("target", Goal.Max), 2);
        SimulationReport Run(SurrogateModel model) => SimulatedCampaigns.Run(task, new SimulationOptions(20, 5, 4, 6, [AcquisitionKind.Ucb], new SurrogateSpec(Members: 4, Trees: 30, Featurizer: "fractions", Model: model)), Synthetic.Featurizer, Synthetic.Supply, cancellationToken: TestContext.Current.CancellationToken);
        var linear = Run(SurrogateModel.Linear).Results.Single(r => r.Acquisition == "greedy");
        var trees = Run(SurrogateModel.Trees).Results.Single(r => r.Acquisition == "greedy");
        Assert.Equal(1, linear.MedianEvaluationsToFirstHit);
        Assert.True(trees.MedianEvaluationsToFirstHit > 1, $"trees' median {trees.MedianEvaluationsToFirstHit}");
    }

    [Fact]
    public void FocusWeightsRankObservationsByTheGoal()
    {
        double[] values = [5, 1, 3, 3, 9];
        // Ranks by value 4, 1, 2.5, 2.5, 5 of 5.
        Assert.Equal([0.64, 0.04, 0.25, 0.25, 1], Surrogates.FocusWeights(values, new Objective("y", Goal.Max), 2).Select(w => Math.Round(w, 12)));
        Assert.Equal([0.4, 1, 0.7, 0.7, 0.2], Surrogates.FocusWeights(values, new Objective("y", Goal.Min), 1).Select(w => Math.Round(w, 12)));
        // A window ranks by the distance to it: 3 is inside (best, shared), 5 and 1 are 2 away, 9 is 6 away.
        Assert.Equal([0.5, 0.5, 0.9, 0.9, 0.2], Surrogates.FocusWeights(values, new Objective("y", Goal.Window, 2.5, 3.5), 1).Select(w => Math.Round(w, 12)));
    }

    [Fact]
    public void WeightsOfOneChangeNothingAndFocusFitsTheLawWhereTheGoalLies()
    {
        // A hinge: flat at 0 below x0 = 0.5, then rising with slope 10. The top of the data lies on the rising side.
        var random = new Random(4);
        const int rows = 120;
        var x = new float[rows * 3];
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 3; j++)
            {
                x[(r * 3) + j] = (float)random.NextDouble();
            }

            y[r] = Math.Max(0, 10 * (x[r * 3] - 0.5)) + (0.05 * Gaussian(random));
        }

        var plain = LinearSurrogate.Fit(x, 3, y);
        var ones = LinearSurrogate.Fit(x, 3, y, observationWeights: [.. Enumerable.Repeat(1.0, rows)]);
        float[] probe = [0.9f, 0.5f, 0.5f, 1.2f, 0.5f, 0.5f];
        var (m0, s0, m1, s1) = (new double[2], new double[2], new double[2], new double[2]);
        plain.Predict(probe, 2, m0, s0, default);
        ones.Predict(probe, 2, m1, s1, default);
        Assert.Equal(m0, m1);
        Assert.Equal(s0, s1);

        var focused = LinearSurrogate.Fit(x, 3, y, observationWeights: Surrogates.FocusWeights(y, new Objective("y", Goal.Max), 2));
        var m2 = new double[2];
        focused.Predict(probe, 2, m2, new double[2], default);
        // The truth at x0 = 0.9 and 1.2: 4 and 7, slope 10. Unweighted, the flat half pulls the slope down to about 5.
        var slope = (m0[1] - m0[0]) / 0.3;
        var focusedSlope = (m2[1] - m2[0]) / 0.3;
        Assert.True(focusedSlope > slope + 1, $"slope {slope:F2} unweighted, {focusedSlope:F2} with focus");
        Assert.True(Math.Abs(m2[1] - 7) < Math.Abs(m0[1] - 7), $"at 1.2: {m2[1]:F2} with focus, {m0[1]:F2} without");
        Assert.Throws<ArgumentException>(() => LinearSurrogate.Fit(x, 3, y, observationWeights: [1, 2]));
        Assert.Throws<ArgumentException>(() => LinearSurrogate.Fit(x, 3, y, observationWeights: [.. Enumerable.Repeat(double.NaN, rows)]));
    }
}
