using MaterialsDb.Models.Evaluation;

namespace MaterialsDb.Training;

/// <summary>
/// A regressor for targets with a spike at zero (band gaps: 43.5 % of mp_gap and 53.2 % of expt_gap are metals, gap 0):
/// a LightGBM classifier gives P(target ≠ 0), a LightGBM regressor trained on the non-zero rows only gives the value,
/// and the prediction is 0 unless P exceeds a threshold. The threshold minimises MAE on a held-out fifth of the
/// training rows (the first Matbench-style inner fold), so it is tuned inside the training fold only.
/// </summary>
public static class GatedRegressor
{
    /// <summary>|target| at or below this counts as zero.</summary>
    public const float ZeroTolerance = 1e-6f;

    /// <summary>Trains the pair on <paramref name="trainRows"/> and predicts <paramref name="predictRows"/>.</summary>
    public static MemberFit Train(float[] features, int width, float[] targets, int[] trainRows, int[] predictRows, LightGbmOptions options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        var threshold = TuneThreshold(features, width, targets, trainRows, options);
        var (classifier, probabilities) = LightGbmClassifier.Train(features, width, r => IsNonZero(targets[r]), trainRows, predictRows, options);
        var (regressor, values) = RobustRegressor.Train(features, width, targets, NonZero(targets, trainRows), predictRows, options);
        var predictions = new float[predictRows.Length];
        var margins = new float[predictRows.Length];
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = probabilities[i] > threshold ? values[i] : 0f;
            margins[i] = probabilities[i] - threshold;
        }

        return new MemberFit(GatedGraph.Join(classifier, regressor, threshold), predictions, margins, threshold);
    }

    /// <summary>The threshold (0.05 … 0.95 in steps of 0.01) with the least MAE on the inner held-out rows.</summary>
    public static float TuneThreshold(float[] features, int width, float[] targets, int[] trainRows, LightGbmOptions options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        var inner = MatbenchFolds.TestIndices(trainRows.Length);
        var holdout = inner[0].Select(i => trainRows[i]).ToArray();
        var fit = MatbenchFolds.TrainIndices(trainRows.Length, inner, 0).Select(i => trainRows[i]).ToArray();
        var nonZero = NonZero(targets, fit);
        if (nonZero.Length == 0 || nonZero.Length == fit.Length)
        {
            throw new MaterialsDbException("A gated model needs training rows with a zero target and rows with a non-zero one.");
        }

        var (_, probabilities) = LightGbmClassifier.Train(features, width, r => IsNonZero(targets[r]), fit, holdout, options);
        var (_, values) = RobustRegressor.Train(features, width, targets, nonZero, holdout, options);
        var best = 0.5f;
        var bestError = double.PositiveInfinity;
        for (var step = 5; step <= 95; step++)
        {
            var t = step / 100f;
            double error = 0;
            for (var i = 0; i < holdout.Length; i++)
            {
                error += Math.Abs((probabilities[i] > t ? values[i] : 0f) - targets[holdout[i]]);
            }

            if (error < bestError)
            {
                (best, bestError) = (t, error);
            }
        }

        return best;
    }

    private static bool IsNonZero(float target) => Math.Abs(target) > ZeroTolerance;

    private static int[] NonZero(float[] targets, int[] rows) => [.. rows.Where(r => IsNonZero(targets[r]))];
}

/// <summary>One trained ensemble member: its ONNX bytes and the trainer's own predictions for the rows asked for.</summary>
/// <param name="Onnx">The member's graph.</param>
/// <param name="Predictions">The trainer's predictions.</param>
/// <param name="GateMargins">For gated members, P(target ≠ 0) − threshold per row: rows within float noise of the threshold may flip between trainer and ONNX.</param>
/// <param name="Threshold">For gated members, the tuned threshold.</param>
public sealed record MemberFit(byte[] Onnx, float[] Predictions, float[]? GateMargins = null, float? Threshold = null);
