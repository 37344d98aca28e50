using System.Security.Cryptography;
using MaterialsDb.Features;
using MaterialsDb.Models.Evaluation;
using MaterialsDb.Models.Packages;
using MaterialsDb.Training.Classification;

namespace MaterialsDb.Training;

/// <summary>
/// Trains a model package the Matbench way: one member (LightGBM trees or an MLP) per Matbench fold, each trained on that fold's
/// training rows and scored on its held-out rows (so the package's metrics are the Matbench v0.1 protocol's), written
/// as ONNX files with a manifest, then reloaded to check that ONNX gives the trainer's predictions within 1e-5.
/// </summary>
public static class EnsembleTrainer
{
    /// <summary>Largest allowed |ONNX − trainer| on the held-out rows, relative to max(1, the targets' root mean square, |prediction|).</summary>
    public const float OnnxTolerance = 1e-5f;

    /// <summary>What to record about the model in its manifest.</summary>
    /// <param name="Id">Model id.</param>
    /// <param name="Target">Predicted property.</param>
    /// <param name="Units">Units of the target.</param>
    /// <param name="Dataset">Training data provenance.</param>
    /// <param name="Command">The command that reproduces the package.</param>
    /// <param name="Task"><see cref="TrainingTasks.Regression"/> or <see cref="TrainingTasks.Classification"/> (targets 0/1; members predict P(1)).</param>
    public sealed record Description(string Id, string Target, string Units, TrainingDataset? Dataset, string Command, string Task = TrainingTasks.Regression)
    {
        /// <summary>True for a classifier.</summary>
        public bool Classifies => Task == TrainingTasks.Classification;
    }

    /// <summary>Trains, writes <paramref name="outputFolder"/> (ONNX files, manifest, model card) and returns what was measured.</summary>
    /// <param name="outputFolder">Package folder to create. Everything is written to a sibling staging folder first and
    /// swapped in only once the package has been reloaded and checked, so a failed or interrupted run leaves a previous
    /// package there untouched.</param>
    /// <param name="featurizer">The preset the features came from.</param>
    /// <param name="features">Row-major features of every row.</param>
    /// <param name="targets">Target of every row.</param>
    /// <param name="description">Manifest fields.</param>
    /// <param name="options">Trainer settings.</param>
    /// <param name="progress">Receives one line per finished fold.</param>
    /// <param name="calibrate">Also train the calibration ensemble (five more members inside fold 0's training rows) to fit and measure the uncertainty (a classifier's probability calibration).</param>
    /// <param name="test">The dataset's own test split, scored once by the finished package (metrics <c>test_*</c>).</param>
    /// <exception cref="InvalidOperationException">ONNX disagrees with the trainer beyond <see cref="OnnxTolerance"/>.</exception>
    /// <exception cref="InvalidOptionException">A trainer setting is out of range.</exception>
    public static TrainingReport Train(string outputFolder, ICompositionFeaturizer featurizer, float[] features, float[] targets, Description description, TrainerOptions options, Action<string>? progress = null, bool calibrate = true, TrainingData? test = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var target = Path.GetFullPath(outputFolder).TrimEnd(Path.DirectorySeparatorChar);
        // Hidden names (leading '.'): the registry and `models list` skip them while they exist.
        var staging = Sibling(target, "training");
        RemoveLeftovers(target);

        try
        {
            var report = TrainInto(staging, featurizer, features, targets, description, options, progress, calibrate, test);
            var previous = Sibling(target, "replaced");
            if (Directory.Exists(target))
            {
                Directory.Move(target, previous);
            }

            Directory.Move(staging, target);
            if (Directory.Exists(previous))
            {
                Directory.Delete(previous, recursive: true);
            }

            return report;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static string Sibling(string target, string role) =>
        Path.Combine(Path.GetDirectoryName(target) ?? ".", $".{Path.GetFileName(target)}.{role}-{Environment.ProcessId}");

    // Staging folders of runs that were killed before their cleanup ran (a kill skips finally blocks).
    private static void RemoveLeftovers(string target)
    {
        var parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent))
        {
            return;
        }

        // A run killed between its two moves left the previous package only under its .replaced name: restore it.
        foreach (var replaced in Directory.GetDirectories(parent, $".{Path.GetFileName(target)}.replaced-*"))
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(replaced, recursive: true);
            }
            else
            {
                Directory.Move(replaced, target);
            }
        }

        foreach (var staging in Directory.GetDirectories(parent, $".{Path.GetFileName(target)}.training-*"))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static TrainingReport TrainInto(string outputFolder, ICompositionFeaturizer featurizer, float[] features, float[] targets, Description description, TrainerOptions options, Action<string>? progress, bool calibrate, TrainingData? test)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
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
        var classMetrics = new List<ClassificationMetrics>();
        var heldOut = new MemberFit[folds.Length];
        for (var k = 0; k < folds.Length; k++)
        {
            var train = MatbenchFolds.TrainIndices(rows, folds, k);
            var member = FitMember(features, width, targets, train, folds[k], options, description.Task);
            var (onnx, predictions) = (member.Onnx, member.Predictions);
            // Tree ensembles compress about five-fold; gzip keeps shipped packages to a few MB.
            var name = $"fold{k}.onnx.gz";
            var packed = OnnxFiles.Compress(onnx);
            File.WriteAllBytes(Path.Combine(outputFolder, name), packed);
            files.Add(new ModelFile(name, Convert.ToHexStringLower(SHA256.HashData(packed))));
            heldOut[k] = member;
            metrics.Add(FoldMetrics.Of(k, predictions, [.. folds[k].Select(i => targets[i])]));
            if (description.Classifies)
            {
                classMetrics.Add(ClassificationMetrics.Of(k, predictions, [.. folds[k].Select(i => targets[i])]));
                progress?.Invoke(System.FormattableString.Invariant($"fold {k}: {train.Length} train / {folds[k].Length} test rows, ROC-AUC {classMetrics[^1].RocAuc:0.####}"));
            }
            else
            {
                progress?.Invoke(System.FormattableString.Invariant($"fold {k}: {train.Length} train / {folds[k].Length} test rows, MAE {MetricText.Of(metrics[^1].Mae)} {description.Units}"));
            }
        }

        var cv = new CrossValidation(metrics);
        var classes = description.Classifies ? new ClassificationValidation(classMetrics) : null;
        var calibration = !description.Classifies && calibrate && rows >= 50 ? Calibrate(features, width, targets, folds, options, progress) : null;
        var probability = description.Classifies && calibrate && rows >= 50 ? CalibrateProbability(features, width, targets, folds, options, progress) : null;
        var trainingTime = clock.Elapsed;
        var metricValues = classes is null
            ? new Dictionary<string, double>
            {
                ["mae_mean"] = cv.MaeMean,
                ["mae_std"] = cv.MaeStd,
                ["rmse_mean"] = cv.RmseMean,
                ["rmse_std"] = cv.RmseStd,
                ["max_error_mean"] = cv.MaxErrorMean,
                ["max_error_std"] = cv.MaxErrorStd,
            }
            : new Dictionary<string, double>
            {
                ["roc_auc_mean"] = classes.RocAucMean,
                ["roc_auc_std"] = classes.RocAucStd,
                ["accuracy_mean"] = classes.AccuracyMean,
                ["f1_mean"] = classes.F1Mean,
                ["brier_mean"] = classes.BrierMean,
                ["calibration_error_mean"] = classes.CalibrationErrorMean,
            };
        if (probability is not null)
        {
            metricValues["calibration_error_raw"] = probability.RawCalibrationError;
            metricValues["calibration_error"] = probability.CalibrationError;
            metricValues["brier_raw"] = probability.RawBrier;
            metricValues["brier"] = probability.Brier;
        }

        if (calibration is not null)
        {
            metricValues["coverage_1sigma_raw"] = calibration.RawWithin1Sigma;
            metricValues["coverage_2sigma_raw"] = calibration.RawWithin2Sigma;
            metricValues["coverage_1sigma"] = calibration.Within1Sigma;
            metricValues["coverage_2sigma"] = calibration.Within2Sigma;
        }

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
            OutputName = description.Classifies ? ClassifierMember.OutputName : LightGbmRegressor.OutputName,
            Task = description.Classifies ? TrainingTasks.Classification : null,
            ProbabilityCalibration = probability?.Calibration,
            Files = files,
            Dataset = description.Dataset,
            Hyperparameters = Hyperparameters(options, heldOut, description.Task),
            Metrics = metricValues,
            UncertaintyScale = calibration?.Scale,
            Command = description.Command,
        };
        manifest.Write(Path.Combine(outputFolder, "manifest.json"));

        // Each member's ONNX graph must reproduce the trainer on the rows it was scored on.
        // Relative to the target's scale: many trees with large leaf values sum to a small prediction in float32.
        // A log-target member is compared in log space, where its trees summed (Exp then scales any float noise).
        var logTarget = options is LightGbmOptions { LogTarget: true };
        Func<float, double> space = logTarget ? v => Math.Log(Math.Max(v, float.Epsilon)) : v => v;
        var scale = Math.Max(1, Math.Sqrt(targets.Average(t => space(t) * space(t))));
        using var model = OnnxModel.Load(outputFolder, featurizer);
        for (var k = 0; k < folds.Length; k++)
        {
            var input = folds[k].SelectMany(i => features.AsSpan(i * width, width).ToArray()).ToArray();
            var onnxPredictions = new float[folds[k].Length];
            model.PredictMember(k, input, folds[k].Length, onnxPredictions);
            var trainer = heldOut[k].Predictions;
            for (var i = 0; i < onnxPredictions.Length; i++)
            {
                // A gated member's row whose probability sits within float noise of its threshold may go either way.
                var borderline = heldOut[k].GateMargins is { } margins && Math.Abs(margins[i]) < GateNoise;
                if (!borderline && Math.Abs(space(onnxPredictions[i]) - space(trainer[i])) > OnnxTolerance * Math.Max(scale, Math.Abs(space(trainer[i]))))
                {
                    throw new InvalidOperationException($"Fold {k}, row {folds[k][i]}: ONNX predicts {onnxPredictions[i]}, the trainer {trainer[i]}.");
                }
            }
        }

        var report = new TrainingReport(cv, calibration, trainingTime, MeasureRowsPerSecond(model, features, rows, width), rows, model.Engine)
        {
            Classification = classes,
            ProbabilityCalibration = probability,
        };
        if (test is not null)
        {
            report = TestSplit.Score(report, model, test, targets, description.Classifies, description.Units, progress);
            manifest = manifest with { Metrics = new Dictionary<string, double>(metricValues.Concat(TestSplit.Metrics(report))) };
            manifest.Write(Path.Combine(outputFolder, "manifest.json"));
        }

        ModelCard.Write(Path.Combine(outputFolder, ModelCard.FileName), manifest, report);
        return report;
    }

    /// <summary>Largest |P − threshold| at which a gated member's trainer and ONNX graph may decide differently.</summary>
    private const float GateNoise = 1e-5f;

    /// <summary>Trains one member: a regressor of the options' trainer, or a classifier.</summary>
    internal static MemberFit FitMember(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options, string task) =>
        task == TrainingTasks.Classification
            ? ClassifierMember.Fit(features, width, targets, train, predict, options)
            : MemberTrainers.For(options).Fit(features, width, targets, train, predict, options);

    private static Dictionary<string, string> Hyperparameters(TrainerOptions options, MemberFit[] members, string task)
    {
        var values = new Dictionary<string, string>(options.ToDictionary());
        if (task == TrainingTasks.Classification)
        {
            values["trainer"] = "ML.NET LightGBM binary classifier (log loss), P(1) Platt-scaled by ML.NET";
        }

        if (options is LightGbmOptions { ZeroGate: true })
        {
            values["gateThresholds"] = string.Join(",", members.Select(m => m.Threshold!.Value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return values;
    }

    // Uncertainty can only be judged on rows no member saw, but every row is in four of the five members' training
    // sets. So a second ensemble is trained the same way inside fold 0's training rows and judged on fold 0's test rows.
    private static UncertaintyCalibration Calibrate(float[] features, int width, float[] targets, int[][] folds, TrainerOptions options, Action<string>? progress)
    {
        var heldOut = folds[0];
        var (mean, std) = HeldOutEnsemble.Predict(features, width, targets, MatbenchFolds.TrainIndices(targets.Length, folds, 0), heldOut, options);
        var calibration = UncertaintyCalibration.Fit(mean, std, [.. heldOut.Select(i => targets[i])]);
        progress?.Invoke(System.FormattableString.Invariant($"calibration: scale {calibration.Scale:0.###}; within 1σ {calibration.Within1Sigma:P1}, 2σ {calibration.Within2Sigma:P1} of {calibration.Rows} held-out rows"));
        return calibration;
    }

    // A classifier's ensemble mean probability, judged the same way: a second ensemble inside fold 0's training rows
    // predicts fold 0's test rows; Platt scaling is fitted on half of them and measured on the other half.
    private static ProbabilityCalibrationFit CalibrateProbability(float[] features, int width, float[] targets, int[][] folds, TrainerOptions options, Action<string>? progress)
    {
        var heldOut = folds[0];
        var (mean, _) = HeldOutEnsemble.Predict(features, width, targets, MatbenchFolds.TrainIndices(targets.Length, folds, 0), heldOut, options, task: TrainingTasks.Classification);
        var fit = ProbabilityCalibrationFit.Fit(mean, [.. heldOut.Select(i => targets[i])]);
        progress?.Invoke(System.FormattableString.Invariant($"probability calibration: a {fit.Calibration.A:0.###}, b {fit.Calibration.B:0.###}; calibration error {fit.RawCalibrationError:0.####} → {fit.CalibrationError:0.####}, Brier {fit.RawBrier:0.####} → {fit.Brier:0.####} on {fit.Rows} held-out rows"));
        return fit;
    }

    // A quick single-thread figure for the model card (the BenchmarkDotNet suite gives the careful one).
    private static double MeasureRowsPerSecond(OnnxModel model, float[] features, int rows, int width)
    {
        const int Batch = 4096;
        using var predictor = model.CreatePredictor(Batch);
        var mean = new float[Batch];
        var std = new float[Batch];
        var n = Math.Min(rows, Batch);
        features.AsSpan(0, n * width).CopyTo(predictor.Input(n));
        predictor.Run(n, mean, std);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var done = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(0.5) || done < 4 * n)
        {
            predictor.Run(n, mean, std);
            done += n;
        }

        return done / clock.Elapsed.TotalSeconds;
    }
}
