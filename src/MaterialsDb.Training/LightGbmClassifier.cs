using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace MaterialsDb.Training;

/// <summary>
/// Trains one LightGBM binary classifier with ML.NET (Platt-calibrated probabilities) and exports it to ONNX
/// (input <c>Features</c> float32[N, F], output <c>Probability.output</c> float32[N]).
/// </summary>
public static class LightGbmClassifier
{
    /// <summary>Probability output name of the exported graph.</summary>
    public const string ProbabilityName = "Probability.output";

    /// <summary>Trains on the given rows; returns the ONNX bytes and the trainer's P(label) for <paramref name="predictRows"/>.</summary>
    public static (byte[] Onnx, float[] Probabilities) Train(float[] features, int width, Func<int, bool> label, int[] trainRows, int[] predictRows, LightGbmOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(predictRows);
        ArgumentNullException.ThrowIfNull(options);
        var ml = new MLContext(seed: options.Seed);
        var training = MlRows.Classified(ml, features, width, trainRows, label);
        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
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
        });
        var model = trainer.Fit(training);
        var predictInput = MlRows.Unlabelled(ml, features, width, predictRows);
        var probabilities = model.Transform(predictInput).GetColumn<float>("Probability").ToArray();
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, predictInput, onnx);
        return (onnx.ToArray(), probabilities);
    }
}
