using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;
using MaterialsDb.Training.Classification;

namespace MaterialsDb.Training.Tests;

/// <summary>Classifier packages: the metrics, the probability calibration, and a trained glass-forming ensemble end to end.</summary>
public sealed class ClassificationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RocAucIsTheShareOfCorrectlyOrderedPairsWithTiesCountingHalf()
    {
        // Pairs (positive, negative): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4, as scikit-learn gives.
        Assert.Equal(0.75, ClassificationMetrics.AreaUnderRoc([0.1f, 0.4f, 0.35f, 0.8f], [0, 0, 1, 1]), 12);

        // A tie between a positive and a negative counts one half: (0.5, 0.5) ½ + three correct pairs → 3.5/4.
        Assert.Equal(0.875, ClassificationMetrics.AreaUnderRoc([0.5f, 0.5f, 0.2f, 0.9f], [1, 0, 0, 1]), 12);
        Assert.True(double.IsNaN(ClassificationMetrics.AreaUnderRoc([0.2f, 0.3f], [1, 1])));
    }

    [Fact]
    public void ThresholdMetricsBrierAndCalibrationErrorByHand()
    {
        var m = ClassificationMetrics.Of(0, [0.9f, 0.9f, 0.1f, 0.1f], [1, 0, 0, 0]);

        Assert.Equal(0.75, m.Accuracy, 12);
        Assert.Equal(0.5, m.Precision, 12);
        Assert.Equal(1.0, m.Recall, 12);
        Assert.Equal(2 / 3.0, m.F1, 12);
        Assert.Equal((0.01 + 0.81 + 0.01 + 0.01) / 4, m.Brier, 6);

        // Bin 0.9: mean P 0.9 vs half positive → |1.8 − 1| / 4; bin 0.1: |0.2 − 0| / 4.
        Assert.Equal(0.25, m.CalibrationError, 6);
    }

    [Fact]
    public void PlattScalingRecoversAKnownMiscalibration()
    {
        // Labels drawn with P = σ(2 logit(p) − 0.5): the raw p is under-confident and biased.
        var random = new Random(7);
        var n = 20_000;
        var p = new float[n];
        var y = new float[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = (float)(0.02 + (0.96 * random.NextDouble()));
            var logit = Math.Log(p[i] / (1 - p[i]));
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-((2 * logit) - 0.5))) ? 1 : 0;
        }

        var fit = ProbabilityCalibrationFit.Fit(p, y);

        Assert.InRange(fit.Calibration.A, 1.85, 2.15);
        Assert.InRange(fit.Calibration.B, -0.6, -0.4);
        Assert.Equal(n / 2, fit.Rows);
        Assert.True(fit.CalibrationError < fit.RawCalibrationError / 3, $"{fit.CalibrationError} vs {fit.RawCalibrationError}");
        Assert.True(fit.Brier < fit.RawBrier);
        Assert.Equal(0.5, new ProbabilityCalibration(1, 0).Apply(0.5), 12);
        Assert.True(double.IsNaN(new ProbabilityCalibration(2, 1).Apply(double.NaN)));
    }

    [Fact]
    public void ClassifiersRefuseRegressionOnlySettings()
    {
        float[] features = [0, 1, 2, 3];
        float[] targets = [0, 1, 0, 1];
        Assert.Throws<InvalidOptionException>(() => ClassifierMember.Fit(features, 1, targets, [0, 1], [2, 3], new MlpOptions()));
        Assert.Throws<InvalidOptionException>(() => ClassifierMember.Fit(features, 1, targets, [0, 1], [2, 3], new LightGbmOptions { ZeroGate = true }));
        Assert.Throws<InvalidOptionException>(() => ClassifierMember.Fit(features, 1, targets, [0, 1], [2, 3], new LightGbmOptions { LogTarget = true }));
        Assert.Throws<InvalidOptionException>(() => ClassifierMember.Fit(features, 1, targets, [0, 1], [2, 3], new LightGbmOptions { RobustPasses = 1 }));
    }

    [Fact]
    public async Task AGlassFormingEnsembleIsAPackageOfCalibratedProbabilities()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("glass", "magpie");
        var folder = Path.Combine(_dir.Path, "glass");
        var lines = new List<string>();
        var options = new LightGbmOptions { Iterations = 60, Leaves = 15, LearningRate = 0.1, MinimumRowsPerLeaf = 5 };

        var report = EnsembleTrainer.Train(folder, featurizer, features, targets, new EnsembleTrainer.Description("glass", "glass", "boolean", new TrainingDataset("glass", "x"), "test", TrainingTasks.Classification), options, lines.Add);

        // Far better than chance (0.5) on every Matbench fold; the progress names ROC-AUC, not MAE.
        var classes = report.Classification!;
        Assert.Equal(5, classes.Folds.Count);
        Assert.All(classes.Folds, f => Assert.InRange(f.RocAuc, 0.85, 1));
        Assert.StartsWith("fold 0:", lines[0], StringComparison.Ordinal);
        Assert.Contains("ROC-AUC", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("probability calibration:", lines[^1], StringComparison.Ordinal);

        using var model = OnnxModel.Load(folder, featurizer);
        var manifest = model.Manifest;
        Assert.True(manifest.IsClassifier);
        Assert.Equal(ClassifierMember.OutputName, manifest.OutputName);
        Assert.Null(manifest.UncertaintyScale);
        Assert.Equal(classes.RocAucMean, manifest.Metrics!["roc_auc_mean"], 12);
        Assert.False(manifest.Metrics.ContainsKey("mae_mean"));
        var calibration = manifest.ProbabilityCalibration!;
        Assert.Equal(report.ProbabilityCalibration!.Calibration, calibration);
        Assert.Contains("binary classifier", manifest.Hyperparameters!["trainer"], StringComparison.Ordinal);

        // The package's probability is the calibrated mean of its members' probabilities; its σ is their raw spread.
        const int Rows = 64;
        var width = featurizer.FeatureLabels.Count;
        var input = features[..(Rows * width)];
        var mean = new float[Rows];
        var std = new float[Rows];
        model.Predict(input, Rows, mean, std);
        var members = Enumerable.Range(0, model.MemberCount).Select(m =>
        {
            var p = new float[Rows];
            model.PredictMember(m, input, Rows, p);
            return p;
        }).ToArray();
        for (var r = 0; r < Rows; r++)
        {
            var average = members.Average(m => (double)m[r]);
            Assert.Equal(calibration.Apply(average), mean[r], 5);
            Assert.InRange(mean[r], 0, 1);
            Assert.Equal(Math.Sqrt(members.Average(m => (double)m[r] * m[r]) - (average * average)), std[r], 4);
        }

        var card = await File.ReadAllTextAsync(Path.Combine(folder, ModelCard.FileName), TestContext.Current.CancellationToken);
        Assert.Contains("probability that glass = 1", card, StringComparison.Ordinal);
        Assert.Contains("## Probability calibration", card, StringComparison.Ordinal);
        Assert.Contains(classes.RocAucMean.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture), card, StringComparison.Ordinal);
    }
}
