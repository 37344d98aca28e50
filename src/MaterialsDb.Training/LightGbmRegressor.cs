using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace MaterialsDb.Training;

/// <summary>
/// Trains one LightGBM regressor with ML.NET on a row-major float32 feature matrix and exports it to ONNX
/// (input <c>Features</c> float32[N, F], output <c>Score.output</c> float32[N, 1]).
/// </summary>
public static class LightGbmRegressor
{
    /// <summary>Input tensor name of the exported graph.</summary>
    public const string InputName = "Features";

    /// <summary>Prediction output name of the exported graph.</summary>
    public const string OutputName = "Score.output";

    /// <summary>Trains on the given rows; returns the ONNX bytes and the trainer's own predictions for <paramref name="predictRows"/>.</summary>
    /// <param name="features">Row-major features, <paramref name="width"/> per row.</param>
    /// <param name="width">Features per row.</param>
    /// <param name="targets">One target per row of <paramref name="features"/>.</param>
    /// <param name="trainRows">Rows to train on.</param>
    /// <param name="predictRows">Rows to predict with the trained model (e.g. a held-out fold).</param>
    /// <param name="options">Trainer settings.</param>
    /// <param name="weights">Optional weight per row (indexed like <paramref name="targets"/>).</param>
    public static (byte[] Onnx, float[] Predictions) Train(float[] features, int width, float[] targets, int[] trainRows, int[] predictRows, LightGbmOptions options, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(predictRows);
        ArgumentNullException.ThrowIfNull(options);
        var ml = new MLContext(seed: options.Seed);
        var training = MlRows.Labelled(ml, features, width, trainRows, r => targets[r], weights is null ? null : r => weights[r]);

        var trainer = ml.Regression.Trainers.LightGbm(TrainerSettings(options, weights is not null));
        var model = trainer.Fit(training);

        var predictInput = MlRows.Unlabelled(ml, features, width, predictRows);
        var predictions = model.Transform(predictInput).GetColumn<float>("Score").ToArray();

        // The ONNX graph is converted against a features-only view, so its only input is the feature tensor.
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, predictInput, onnx);
        return (onnx.ToArray(), predictions);
    }

    // Single-threaded and deterministic: the same data and options give the same trees on every run.
    internal static LightGbmRegressionTrainer.Options TrainerSettings(LightGbmOptions options, bool weighted) => new()
    {
        NumberOfIterations = options.Iterations,
        NumberOfLeaves = options.Leaves,
        LearningRate = options.LearningRate,
        MinimumExampleCountPerLeaf = options.MinimumRowsPerLeaf,
        NumberOfThreads = 1,
        Seed = options.Seed,
        Deterministic = true,
        Silent = true,
        Booster = new GradientBooster.Options { FeatureFraction = options.FeatureFraction, L2Regularization = options.L2Regularization },
        ExampleWeightColumnName = weighted ? "Weight" : null,
    };
}
