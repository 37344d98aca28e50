using MaterialsDb.Models.Packages;
using MaterialsDb.Training.Classification;

namespace MaterialsDb.Training;

/// <summary>
/// A dataset published with its own test file: the finished package (ONNX, calibration and all, as users run it)
/// predicts the test rows once, beside the trivial predictor.
/// </summary>
internal static class TestSplit
{
    /// <summary>Scores the finished package on the test rows; returns <paramref name="report"/> with the test figures.</summary>
    public static TrainingReport Score(TrainingReport report, OnnxModel model, TrainingData test, float[] fitTargets, bool classifies, string units, Action<string>? progress)
    {
        var rows = test.Targets.Length;
        var mean = new float[rows];
        var std = new float[rows];
        model.Predict(test.Features, rows, mean, std);

        if (classifies)
        {
            var scored = ClassificationMetrics.Of(-1, mean, test.Targets);
            progress?.Invoke(System.FormattableString.Invariant($"test split: {rows} rows, ROC-AUC {scored.RocAuc:0.####}"));
            return report with { ClassificationTest = scored };
        }

        var errors = FoldMetrics.Of(-1, mean, test.Targets);
        progress?.Invoke(System.FormattableString.Invariant($"test split: {rows} rows, MAE {MetricText.Of(errors.Mae)} {units}"));
        // The trivial baseline: the training rows' median (the best constant for absolute error) as every prediction.
        var median = MathNet.Numerics.Statistics.Statistics.Median(fitTargets.Select(t => (double)t));
        return report with
        {
            Test = errors,
            TestMedianBaselineMae = test.Targets.Average(t => Math.Abs((double)t - median)),
            TestWithin1Sigma = std.Zip(mean, test.Targets).Count(x => Math.Abs(x.Second - x.Third) <= x.First) / (double)rows,
            TestWithin2Sigma = std.Zip(mean, test.Targets).Count(x => Math.Abs(x.Second - x.Third) <= 2 * x.First) / (double)rows,
        };
    }

    /// <summary>The test figures as manifest metrics (<c>test_*</c>).</summary>
    public static IEnumerable<KeyValuePair<string, double>> Metrics(TrainingReport report)
    {
        if (report.Test is { } t)
        {
            yield return new("test_rows", t.TestRows);
            yield return new("test_mae", t.Mae);
            yield return new("test_median_baseline_mae", report.TestMedianBaselineMae);
            yield return new("test_rmse", t.Rmse);
            yield return new("test_coverage_1sigma", report.TestWithin1Sigma);
            yield return new("test_coverage_2sigma", report.TestWithin2Sigma);
        }

        if (report.ClassificationTest is { } c)
        {
            yield return new("test_rows", c.TestRows);
            yield return new("test_roc_auc", c.RocAuc);
            yield return new("test_accuracy", c.Accuracy);
            yield return new("test_f1", c.F1);
            yield return new("test_brier", c.Brier);
            yield return new("test_calibration_error", c.CalibrationError);
        }
    }
}
