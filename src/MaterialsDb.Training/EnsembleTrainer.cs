using System.Security.Cryptography;
using MaterialsDb.Features;
using MaterialsDb.Models.Evaluation;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Training;

/// <summary>
/// Trains a model package the Matbench way: one LightGBM member per Matbench fold, each trained on that fold's
/// training rows and scored on its held-out rows (so the package's metrics are the Matbench v0.1 protocol's), written
/// as ONNX files with a manifest, then reloaded to check that ONNX gives the trainer's predictions within 1e-5.
/// </summary>
public static class EnsembleTrainer
{
    /// <summary>Largest allowed |ONNX − trainer| on the held-out rows.</summary>
    public const float OnnxTolerance = 1e-5f;

    /// <summary>What to record about the model in its manifest.</summary>
    public sealed record Description(string Id, string Target, string Units, TrainingDataset? Dataset, string Command);

    /// <summary>Trains, writes <paramref name="outputFolder"/> and returns the cross-validation result.</summary>
    /// <param name="outputFolder">Package folder to create (its previous ONNX files and manifest are replaced).</param>
    /// <param name="featurizer">The preset the features came from.</param>
    /// <param name="features">Row-major features of every row.</param>
    /// <param name="targets">Target of every row.</param>
    /// <param name="description">Manifest fields.</param>
    /// <param name="options">Trainer settings.</param>
    /// <param name="progress">Receives one line per finished fold.</param>
    /// <exception cref="InvalidOperationException">ONNX disagrees with the trainer beyond <see cref="OnnxTolerance"/>.</exception>
    public static CrossValidation Train(string outputFolder, ICompositionFeaturizer featurizer, float[] features, float[] targets, Description description, LightGbmOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(featurizer);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(description);
        var width = featurizer.FeatureLabels.Count;
        var rows = targets.Length;
        if (features.Length != rows * width)
        {
            throw new ArgumentException($"{features.Length} feature values do not make {rows} rows of {width}.", nameof(features));
        }

        Directory.CreateDirectory(outputFolder);
        var folds = MatbenchFolds.TestIndices(rows);
        var files = new List<ModelFile>();
        var metrics = new List<FoldMetrics>();
        var heldOut = new float[folds.Length][];
        for (var k = 0; k < folds.Length; k++)
        {
            var train = MatbenchFolds.TrainIndices(rows, folds, k);
            var (onnx, predictions) = LightGbmRegressor.Train(features, width, targets, train, folds[k], options);
            var name = $"fold{k}.onnx";
            File.WriteAllBytes(Path.Combine(outputFolder, name), onnx);
            files.Add(new ModelFile(name, Convert.ToHexStringLower(SHA256.HashData(onnx))));
            heldOut[k] = predictions;
            metrics.Add(FoldMetrics.Of(k, predictions, [.. folds[k].Select(i => targets[i])]));
            progress?.Invoke(System.FormattableString.Invariant($"fold {k}: {train.Length} train / {folds[k].Length} test rows, MAE {metrics[^1].Mae:0.####} {description.Units}"));
        }

        var cv = new CrossValidation(metrics);
        var manifest = new ModelManifest
        {
            Id = description.Id,
            Version = "1",
            Target = description.Target,
            Units = description.Units,
            Preset = featurizer.Id,
            LabelsSha256 = ModelManifest.HashLabels(featurizer.FeatureLabels),
            FeatureCount = width,
            InputName = LightGbmRegressor.InputName,
            OutputName = LightGbmRegressor.OutputName,
            Files = files,
            Dataset = description.Dataset,
            Hyperparameters = options.ToDictionary(),
            Metrics = new Dictionary<string, double>
            {
                ["mae_mean"] = cv.MaeMean, ["mae_std"] = cv.MaeStd,
                ["rmse_mean"] = cv.RmseMean, ["rmse_std"] = cv.RmseStd,
                ["max_error_mean"] = cv.MaxErrorMean, ["max_error_std"] = cv.MaxErrorStd,
            },
            Command = description.Command,
        };
        manifest.Write(Path.Combine(outputFolder, "manifest.json"));

        // Each member's ONNX graph must reproduce the trainer on the rows it was scored on.
        using var model = OnnxModel.Load(outputFolder, featurizer);
        for (var k = 0; k < folds.Length; k++)
        {
            var input = folds[k].SelectMany(i => features.AsSpan(i * width, width).ToArray()).ToArray();
            var onnxPredictions = new float[folds[k].Length];
            model.PredictMember(k, input, folds[k].Length, onnxPredictions);
            for (var i = 0; i < onnxPredictions.Length; i++)
            {
                if (Math.Abs(onnxPredictions[i] - heldOut[k][i]) > OnnxTolerance * Math.Max(1, Math.Abs(heldOut[k][i])))
                {
                    throw new InvalidOperationException($"Fold {k}, row {folds[k][i]}: ONNX predicts {onnxPredictions[i]}, the trainer {heldOut[k][i]}.");
                }
            }
        }

        return cv;
    }
}
