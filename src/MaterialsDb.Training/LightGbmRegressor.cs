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
    public static (byte[] Onnx, float[] Predictions) Train(float[] features, int width, float[] targets, int[] trainRows, int[] predictRows, LightGbmOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(predictRows);
        ArgumentNullException.ThrowIfNull(options);
        var ml = new MLContext(seed: options.Seed);
        var training = ml.Data.LoadFromEnumerable(trainRows.Select(r => new LabelledRow { Features = Row(features, width, r), Label = targets[r] }), Schema<LabelledRow>(width));

        // Single-threaded and deterministic: the same data and options give the same trees on every run.
        var trainer = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
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

        var predictInput = ml.Data.LoadFromEnumerable(predictRows.Select(r => new FeatureRow { Features = Row(features, width, r) }), Schema<FeatureRow>(width));
        var predictions = model.Transform(predictInput).GetColumn<float>("Score").ToArray();

        // The ONNX graph is converted against a features-only view, so its only input is the feature tensor.
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, predictInput, onnx);
        return (onnx.ToArray(), predictions);
    }

    private static float[] Row(float[] features, int width, int row) => features.AsSpan(row * width, width).ToArray();

    private static SchemaDefinition Schema<T>(int width)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private sealed class LabelledRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}
