using MaterialsDb.Data;
using MaterialsDb.Design.Spec;
using MaterialsDb.Design.Surrogate;

namespace MaterialsDb.Design.Tests;

/// <summary>The bootstrap ensemble: learns, is reproducible, and its calibrated σ covers held-out errors.</summary>
public sealed class SurrogateTests
{
    private static (float[] X, double[] Y, double[] Clean) Noisy(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * 3];
        var y = new double[rows];
        var clean = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 3; j++)
            {
                x[(r * 3) + j] = (float)random.NextDouble();
            }

            clean[r] = (4 * x[r * 3]) + Math.Sin(5 * x[(r * 3) + 1]);
            y[r] = clean[r] + (0.3 * (random.NextDouble() - 0.5) * 2);
        }

        return (x, y, clean);
    }

    [Fact]
    public void LearnsAndItsSigmaCoversHeldOutErrors()
    {
        var (x, y, _) = Noisy(600, 1);
        var spec = new SurrogateSpec(Members: 10, Trees: 60);
        var surrogate = EnsembleSurrogate.Fit(x.AsSpan(0, 300 * 3).ToArray(), 3, y[..300], spec, 7);
        var (mean, std) = (new double[300], new double[300]);
        surrogate.Predict(x.AsSpan(300 * 3), 300, mean, std, new float[300 * 10]);
        var errors = Enumerable.Range(0, 300).Select(i => Math.Abs(mean[i] - y[300 + i])).ToArray();
        var spread = y.Max() - y.Min();
        Assert.True(errors.Average() < 0.1 * spread, $"MAE {errors.Average()} of a {spread} range");
        // Coverage of ±1σ on unseen rows should be near 68 %; out-of-bag calibration gets it into a sane band.
        var coverage = Enumerable.Range(0, 300).Count(i => errors[i] <= std[i]) / 300.0;
        Assert.InRange(coverage, 0.5, 0.9);
        Assert.InRange(surrogate.Calibration, 0.25, 20);
    }

    [Fact]
    public void TheSameSeedGivesTheSameSurrogate()
    {
        var (x, y, _) = Noisy(120, 2);
        var spec = new SurrogateSpec(Members: 4, Trees: 20);
        double[] Run(int seed)
        {
            var s = EnsembleSurrogate.Fit(x, 3, y, spec, seed);
            var (m, sd) = (new double[120], new double[120]);
            s.Predict(x, 120, m, sd, new float[120 * 4]);
            return [.. m, .. sd];
        }

        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void TooFewObservationsIsAClearError()
    {
        var e = Assert.Throws<InputDataException>(() => EnsembleSurrogate.Fit(new float[6], 3, [1, 2], new SurrogateSpec(), 1, "band_gap"));
        Assert.Contains("band_gap: 2 observation(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObservationWeightsDecideWhatTheTreesFit()
    {
        // Every point twice: once on the law, once 10 above it. Weighted 1 and 0.001, the trees follow the law;
        // unweighted, they split the difference.
        var (x, _, clean) = Noisy(200, 3);
        var doubled = x.Concat(x).ToArray();
        var y = clean.Concat(clean.Select(v => v + 10)).ToArray();
        var weights = Enumerable.Repeat(1.0, 200).Concat(Enumerable.Repeat(0.001, 200)).ToArray();
        var spec = new SurrogateSpec(Members: 4, Trees: 60);
        var weighted = EnsembleSurrogate.Fit(doubled, 3, y, spec, 5, observationWeights: weights);
        var plain = EnsembleSurrogate.Fit(doubled, 3, y, spec, 5);
        var (mw, mp) = (new double[200], new double[200]);
        weighted.Predict(x, 200, mw, new double[200], new float[200 * 4]);
        plain.Predict(x, 200, mp, new double[200], new float[200 * 4]);
        var offWeighted = Enumerable.Range(0, 200).Average(i => mw[i] - clean[i]);
        var offPlain = Enumerable.Range(0, 200).Average(i => mp[i] - clean[i]);
        Assert.InRange(offWeighted, -0.5, 0.5);
        Assert.InRange(offPlain, 4, 6);
    }
}
