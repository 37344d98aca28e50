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
}
