using MaterialsDb.Models.Packages;
using Microsoft.ML;

namespace MaterialsDb.Training.Classification;

/// <summary>
/// Fits Platt scaling on the logit of held-out probabilities (ML.NET's Platt calibrator: a logistic regression of the
/// label on logit(p)) and measures it: fitted on the even held-out positions, judged on the odd ones, as the regressors' σ scale is.
/// </summary>
public sealed record ProbabilityCalibrationFit(ProbabilityCalibration Calibration, int Rows, double RawBrier, double RawCalibrationError, double Brier, double CalibrationError)
{
    /// <summary>Fits on even positions of (<paramref name="probabilities"/>, <paramref name="labels"/>) and measures on odd ones.</summary>
    public static ProbabilityCalibrationFit Fit(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels)
    {
        var fitX = new List<double>();
        var fitY = new List<double>();
        var checkP = new List<float>();
        var checkY = new List<float>();
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (i % 2 == 0)
            {
                fitX.Add(Logit(probabilities[i]));
                fitY.Add(labels[i] >= 0.5f ? 1 : 0);
            }
            else
            {
                checkP.Add(probabilities[i]);
                checkY.Add(labels[i]);
            }
        }

        var calibration = Logistic(fitX, fitY);
        var calibrated = checkP.Select(p => (float)calibration.Apply(p)).ToArray();
        var raw = ClassificationMetrics.Of(0, [.. checkP], [.. checkY]);
        var after = ClassificationMetrics.Of(0, calibrated, [.. checkY]);
        return new ProbabilityCalibrationFit(calibration, checkP.Count, raw.Brier, raw.CalibrationError, after.Brier, after.CalibrationError);
    }

    private static double Logit(double p)
    {
        var q = Math.Clamp(p, ProbabilityCalibration.Epsilon, 1 - ProbabilityCalibration.Epsilon);
        return Math.Log(q / (1 - q));
    }

    // ML.NET's Platt calibrator (P = 1 / (1 + exp(slope · x + offset))) on the logits: our A and B are −slope and −offset.
    internal static ProbabilityCalibration Logistic(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(x.Select((v, i) => new ScoredRow { Score = (float)v, Label = y[i] >= 0.5 }));
        ISingleFeaturePredictionTransformer<Microsoft.ML.Calibrators.PlattCalibrator> fitted = ml.BinaryClassification.Calibrators.Platt(labelColumnName: nameof(ScoredRow.Label), scoreColumnName: nameof(ScoredRow.Score)).Fit(rows);
        var platt = fitted.Model;
        return double.IsFinite(platt.Slope) && double.IsFinite(platt.Offset) ? new ProbabilityCalibration(-platt.Slope, -platt.Offset) : new ProbabilityCalibration(1, 0);
    }

    private sealed class ScoredRow
    {
        public float Score { get; set; }

        public bool Label { get; set; }
    }
}
