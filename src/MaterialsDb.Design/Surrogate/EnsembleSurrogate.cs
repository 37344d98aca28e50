using MaterialsDb.Data;
using MaterialsDb.Design.Spec;
using MaterialsDb.Models.Trees;
using MaterialsDb.Training;

namespace MaterialsDb.Design.Surrogate;

/// <summary>
/// The surrogate of one property: a bootstrap ensemble of small LightGBM models (each member fitted on a resample of
/// the observations, with replacement), evaluated by the native tree evaluator. The mean of the members is the
/// prediction; their spread, scaled by <see cref="Calibration"/>, its σ.
/// </summary>
/// <remarks>
/// Calibration uses the out-of-bag rows: each observation is predicted by the members whose resample left it out, and
/// the scale is √(Σ (observed − out-of-bag mean)² / Σ out-of-bag variance) over the observations that at least two
/// members left out. A scale of 1 means the spread already matches the errors on unseen rows; above 1 the raw spread
/// was too narrow. The scale is clamped to [0.25, 20] and is 1 with fewer than five such rows.
/// </remarks>
public sealed class EnsembleSurrogate : ISurrogate
{
    /// <summary>Fewest observations a surrogate is fitted on.</summary>
    public const int MinimumObservations = 3;

    private readonly TreeEnsemble[] _members;

    private EnsembleSurrogate(TreeEnsemble[] members, double calibration, int width, int observations)
    {
        _members = members;
        Calibration = calibration;
        Width = width;
        Observations = observations;
    }

    /// <summary>The σ scale from the out-of-bag residuals.</summary>
    public double Calibration { get; }

    /// <summary>Features per row.</summary>
    public int Width { get; }

    /// <summary>Observations it was fitted on.</summary>
    public int Observations { get; }

    /// <summary>Members.</summary>
    public int Members => _members.Length;

    /// <inheritdoc/>
    public int ScratchPerRow => _members.Length;

    /// <summary>Fits the ensemble; the same data, settings and seed give the same members on any number of threads.</summary>
    /// <param name="features">Row-major features of the observations.</param>
    /// <param name="width">Features per row.</param>
    /// <param name="targets">One value per observation (finite).</param>
    /// <param name="spec">Ensemble settings.</param>
    /// <param name="seed">Seeds the resamples and the trees.</param>
    /// <param name="property">Names the property in errors.</param>
    /// <param name="observationWeights">Optional, one per observation (<see cref="Surrogates.FocusWeights"/>): each observation's weight in every member's loss.</param>
    /// <exception cref="InputDataException">Fewer than <see cref="MinimumObservations"/> observations.</exception>
    public static EnsembleSurrogate Fit(float[] features, int width, double[] targets, SurrogateSpec spec, int seed, string property = "the property", double[]? observationWeights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(spec);
        var n = targets.Length;
        if (n < MinimumObservations)
        {
            throw new InputDataException($"{property}: {n} observation(s) with a value; a surrogate needs at least {MinimumObservations}.");
        }

        var y = targets.Select(v => (float)v).ToArray();
        var members = new TreeEnsemble[spec.Members];
        var inBag = new bool[spec.Members][];
        var options = new LightGbmOptions
        {
            Iterations = spec.Trees,
            Leaves = spec.Leaves,
            LearningRate = spec.LearningRate,
            MinimumRowsPerLeaf = spec.MinLeaf,
            FeatureFraction = spec.FeatureFraction,
        };
        Parallel.For(0, spec.Members, m =>
        {
            var random = new Random(Rounds.Seeds.Derive(seed, m, 1));
            var rows = new int[n];
            var bag = new bool[n];
            for (var i = 0; i < n; i++)
            {
                rows[i] = random.Next(n);
                bag[rows[i]] = true;
            }

            inBag[m] = bag;
            members[m] = LightGbmTrees.Fit(features, width, y, rows, options with { Seed = Rounds.Seeds.Derive(seed, m, 2) }, observationWeights is null ? null : r => (float)observationWeights[r]);
        });

        var predictions = new float[spec.Members * n];
        foreach (var (m, member) in members.Index())
        {
            TreeEvaluator.Predict(member, features.AsSpan(0, n * width), n, predictions.AsSpan(m * n, n));
        }

        return new EnsembleSurrogate(members, Calibrate(predictions, inBag, targets), width, n);
    }

    /// <summary>Mean and calibrated σ of every row; <paramref name="scratch"/> holds at least <see cref="Members"/> × rows floats.</summary>
    public void Predict(ReadOnlySpan<float> features, int rows, Span<double> mean, Span<double> std, Span<float> scratch)
    {
        var b = _members.Length;
        for (var m = 0; m < b; m++)
        {
            TreeEvaluator.Predict(_members[m], features[..(rows * Width)], rows, scratch.Slice(m * rows, rows));
        }

        for (var r = 0; r < rows; r++)
        {
            double sum = 0, sum2 = 0;
            for (var m = 0; m < b; m++)
            {
                double v = scratch[(m * rows) + r];
                sum += v;
                sum2 += v * v;
            }

            var mu = sum / b;
            mean[r] = mu;
            std[r] = Calibration * Math.Sqrt(Math.Max(0, (sum2 / b) - (mu * mu)) * b / (b - 1));
        }
    }

    // The ratio of the mean squared out-of-bag residual to the mean out-of-bag variance (a ratio of sums: a ratio per
    // row would divide by spreads of two or three members, whose small values make it heavy-tailed).
    private static double Calibrate(float[] predictions, bool[][] inBag, double[] targets)
    {
        var n = targets.Length;
        double residuals = 0, variances = 0;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            double sum = 0, sum2 = 0;
            var k = 0;
            for (var m = 0; m < inBag.Length; m++)
            {
                if (!inBag[m][i])
                {
                    double v = predictions[(m * n) + i];
                    (sum, sum2, k) = (sum + v, sum2 + (v * v), k + 1);
                }
            }

            if (k < 2)
            {
                continue;
            }

            var mu = sum / k;
            residuals += (targets[i] - mu) * (targets[i] - mu);
            variances += Math.Max(0, (sum2 / k) - (mu * mu)) * k / (k - 1);
            count++;
        }

        return count < 5 || !(variances > 0) ? 1 : Math.Clamp(Math.Sqrt(residuals / variances), 0.25, 20);
    }
}
