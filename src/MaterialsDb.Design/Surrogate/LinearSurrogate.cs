using MaterialsDb.Data;
using MathNet.Numerics.LinearAlgebra;

namespace MaterialsDb.Design.Surrogate;

/// <summary>
/// The surrogate of one property as a Bayesian linear model with automatic relevance determination (MacKay 1992;
/// Tipping, J. Mach. Learn. Res. 1, 211 (2001); scikit-learn's <c>ARDRegression</c>) on standardized features: each
/// weight has its own prior precision, fitted with the noise precision by maximising the evidence, so features that do
/// not explain the observations are switched off. Unlike trees it extrapolates: the mean keeps rising along the
/// directions that raised it so far, which finds hits above every observation (Matbench's steels).
/// </summary>
/// <remarks>
/// σ is the posterior predictive spread, 1/β + zᵀΣz, scaled by <see cref="Calibration"/>: the root mean square of the
/// leave-one-out z-scores of the observations, rᵢ √(β / (1 − hᵢ)) with hᵢ = β zᵢᵀΣzᵢ (the closed form for a linear
/// smoother with the fitted precisions held fixed), clamped to [0.25, 20]. Fit costs O(n d² + d³) per iteration and a
/// prediction O(d²) for d features, whatever the number of observations.
/// </remarks>
public sealed class LinearSurrogate : ISurrogate
{
    /// <summary>Evidence iterations at most.</summary>
    public const int MaxIterations = 300;

    /// <summary>A weight whose prior precision exceeds this is switched off (scikit-learn's <c>threshold_lambda</c>).</summary>
    public const double PruneThreshold = 1e4;

    private readonly int[] _columns;
    private readonly double[] _center;
    private readonly double[] _scale;
    private readonly double[] _weights;
    private readonly double[] _covariance;
    private readonly double _noise;
    private readonly double _yMean;
    private readonly double _yScale;

    private LinearSurrogate(int width, int[] columns, double[] center, double[] scale, double[] weights, double[] covariance, double noise, double yMean, double yScale, double calibration, int observations)
    {
        Width = width;
        _columns = columns;
        _center = center;
        _scale = scale;
        _weights = weights;
        _covariance = covariance;
        _noise = noise;
        _yMean = yMean;
        _yScale = yScale;
        Calibration = calibration;
        Observations = observations;
    }

    /// <inheritdoc/>
    public double Calibration { get; }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int Observations { get; }

    /// <inheritdoc/>
    public int ScratchPerRow => 0;

    /// <summary>Features the evidence kept (a weight not switched off).</summary>
    public int ActiveFeatures => _columns.Length;

    /// <summary>Each kept feature's index and weight per standard deviation of the feature, in the property's units.</summary>
    public IEnumerable<(int Feature, double Weight)> Weights => _columns.Select((c, k) => (c, _weights[k] * _yScale));

    /// <summary>Fits the model; deterministic.</summary>
    /// <param name="features">Row-major features of the observations.</param>
    /// <param name="width">Features per row.</param>
    /// <param name="targets">One finite value per observation.</param>
    /// <param name="property">Names the property in errors.</param>
    /// <param name="observationWeights">
    /// Optional, one per observation, finite and non-negative (<see cref="Surrogates.FocusWeights"/>): observation i
    /// counts as wᵢ observations — its noise precision is β wᵢ, and the centering is the weighted mean. σ is the
    /// spread at weight 1.
    /// </param>
    /// <exception cref="InputDataException">Fewer than <see cref="EnsembleSurrogate.MinimumObservations"/> observations.</exception>
    public static LinearSurrogate Fit(float[] features, int width, double[] targets, string property = "the property", double[]? observationWeights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        var n = targets.Length;
        if (n < EnsembleSurrogate.MinimumObservations)
        {
            throw new InputDataException($"{property}: {n} observation(s) with a value; a surrogate needs at least {EnsembleSurrogate.MinimumObservations}.");
        }

        var ow = observationWeights;
        if (ow is not null && (ow.Length != n || ow.Any(w => !(w >= 0) || !double.IsFinite(w)) || !(ow.Sum() > 0)))
        {
            throw new ArgumentException("One finite, non-negative weight per observation, not all zero.", nameof(observationWeights));
        }

        // Standardize every feature that varies among the observations; a constant one carries no information.
        var (columns, center, scale) = Standardization(features, width, n);
        var d = columns.Length;
        var yMean = targets.Average();
        var ySd = Math.Sqrt(targets.Sum(v => (v - yMean) * (v - yMean)) / n);
        var effective = (double)n;
        if (ow is not null)
        {
            // The model has no intercept of its own: with weights, center on the weighted means.
            effective = ow.Sum();
            yMean = targets.Select((v, i) => v * ow[i]).Sum() / effective;
            ySd = Math.Sqrt(targets.Select((v, i) => ow[i] * (v - yMean) * (v - yMean)).Sum() / effective);
            for (var k = 0; k < d; k++)
            {
                center[k] = Enumerable.Range(0, n).Sum(i => ow[i] * features[(i * width) + columns[k]]) / effective;
            }
        }

        var yScale = ySd > 0 ? ySd : 1;

        // Rows scaled by √wᵢ turn the likelihood's β wᵢ rᵢ² into β (√wᵢ rᵢ)²: the algebra below stays as without weights.
        var root = ow?.Select(Math.Sqrt).ToArray();
        var z = Matrix<double>.Build.Dense(n, d, (i, k) => (features[(i * width) + columns[k]] - center[k]) / scale[k] * (root?[i] ?? 1));
        var t = Vector<double>.Build.Dense(n, i => (targets[i] - yMean) / yScale * (root?[i] ?? 1));

        var active = Enumerable.Range(0, d).ToList();
        var lambda = Enumerable.Repeat(1.0, d).ToArray();
        var beta = 1.0;
        double[] weights = new double[d];
        Matrix<double> sigma = Matrix<double>.Build.Dense(0, 0);
        for (var iteration = 0; iteration < MaxIterations && active.Count > 0; iteration++)
        {
            var za = Matrix<double>.Build.Dense(n, active.Count, (i, k) => z[i, active[k]]);
            var precision = za.TransposeThisAndMultiply(za) * beta;
            for (var k = 0; k < active.Count; k++)
            {
                precision[k, k] += lambda[active[k]];
            }

            sigma = precision.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(active.Count));
            var m = sigma * za.TransposeThisAndMultiply(t) * beta;
            var residual = t - (za * m);
            double gammaSum = 0, change = 0;
            for (var k = 0; k < active.Count; k++)
            {
                var j = active[k];
                var gamma = 1 - (lambda[j] * sigma[k, k]);
                gammaSum += gamma;
                change = Math.Max(change, Math.Abs(m[k] - weights[j]));
                weights[j] = m[k];
                lambda[j] = gamma / Math.Max(m[k] * m[k], 1e-12);
            }

            beta = Math.Max(effective - gammaSum, 1e-6) / Math.Max(residual.DotProduct(residual), 1e-12);
            var pruned = active.Where(j => lambda[j] > PruneThreshold).ToList();
            foreach (var j in pruned)
            {
                weights[j] = 0;
                active.Remove(j);
            }

            if (pruned.Count == 0 && change < 1e-6 && iteration > 0)
            {
                break;
            }
        }

        // The posterior of the features still active.
        var keep = active.ToArray();
        var x = Matrix<double>.Build.Dense(n, keep.Length, (i, k) => z[i, keep[k]]);
        var a = x.TransposeThisAndMultiply(x) * beta;
        for (var k = 0; k < keep.Length; k++)
        {
            a[k, k] += lambda[keep[k]];
        }

        var cov = keep.Length == 0 ? Matrix<double>.Build.Dense(0, 0) : a.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(keep.Length));
        var w = keep.Length == 0 ? Vector<double>.Build.Dense(0) : cov * x.TransposeThisAndMultiply(t) * beta;

        // Leave-one-out z-scores from the hat values (with weights, each against its own noise 1 / (β wᵢ)).
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            var h = keep.Length == 0 ? 0 : beta * row.DotProduct(cov * row);
            var r = t[i] - (keep.Length == 0 ? 0 : row.DotProduct(w));
            var score = r * Math.Sqrt(beta / Math.Max(1 - h, 1e-9));
            sum += score * score;
        }

        // A row of weight 0 scores 0 and says nothing: average over the others.
        var counted = ow?.Count(v => v > 0) ?? n;
        var calibration = counted < 5 ? 1 : Math.Sqrt(sum / counted);
        calibration = double.IsFinite(calibration) ? Math.Clamp(calibration, 0.25, 20) : 1;
        return new LinearSurrogate(
            width,
            [.. keep.Select(k => columns[k])],
            [.. keep.Select(k => center[k])],
            [.. keep.Select(k => scale[k])],
            w.ToArray(),
            cov.ToRowMajorArray(),
            1 / beta,
            yMean,
            yScale,
            calibration,
            n);
    }

    /// <inheritdoc/>
    public void Predict(ReadOnlySpan<float> features, int rows, Span<double> mean, Span<double> std, Span<float> scratch)
    {
        var d = _columns.Length;
        Span<double> z = d <= 256 ? stackalloc double[d] : new double[d];
        for (var r = 0; r < rows; r++)
        {
            var row = features.Slice(r * Width, Width);
            double mu = 0;
            for (var k = 0; k < d; k++)
            {
                z[k] = (row[_columns[k]] - _center[k]) / _scale[k];
                mu += z[k] * _weights[k];
            }

            // zᵀΣz, Σ symmetric: the diagonal once, each off-diagonal pair twice.
            double quadratic = 0;
            for (var a = 0; a < d; a++)
            {
                var covRow = _covariance.AsSpan(a * d, d);
                double inner = 0;
                for (var b = 0; b < a; b++)
                {
                    inner += covRow[b] * z[b];
                }

                quadratic += z[a] * ((2 * inner) + (covRow[a] * z[a]));
            }

            mean[r] = _yMean + (_yScale * mu);
            std[r] = _yScale * Calibration * Math.Sqrt(Math.Max(_noise + quadratic, 1e-12));
        }
    }

    private static (int[] Columns, double[] Center, double[] Scale) Standardization(float[] features, int width, int n)
    {
        var columns = new List<int>();
        var centers = new List<double>();
        var scales = new List<double>();
        for (var c = 0; c < width; c++)
        {
            double sum = 0, sum2 = 0;
            for (var i = 0; i < n; i++)
            {
                double v = features[(i * width) + c];
                (sum, sum2) = (sum + v, sum2 + (v * v));
            }

            var mean = sum / n;
            var sd = Math.Sqrt(Math.Max(0, (sum2 / n) - (mean * mean)));
            if (double.IsFinite(sd) && sd > 1e-9 * Math.Max(1, Math.Abs(mean)))
            {
                columns.Add(c);
                centers.Add(mean);
                scales.Add(sd);
            }
        }

        return ([.. columns], [.. centers], [.. scales]);
    }
}
