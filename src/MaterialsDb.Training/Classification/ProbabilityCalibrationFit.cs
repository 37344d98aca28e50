using MaterialsDb.Models.Packages;

namespace MaterialsDb.Training.Classification;

/// <summary>
/// Fits Platt scaling on the logit of held-out probabilities (logistic regression of the label on logit(p), by Newton's
/// method) and measures it: fitted on the even held-out positions, judged on the odd ones, as the regressors' σ scale is.
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

    // Maximum likelihood of y ~ Bernoulli(σ(a x + b)), Newton's method on (a, b) with a small ridge for separable data.
    internal static ProbabilityCalibration Logistic(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double a = 1, b = 0;
        const double Ridge = 1e-6;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = -Ridge * (a - 1), gb = -Ridge * b, haa = Ridge, hab = 0, hbb = Ridge;
            for (var i = 0; i < x.Count; i++)
            {
                var p = 1 / (1 + Math.Exp(-((a * x[i]) + b)));
                var w = p * (1 - p);
                ga += (y[i] - p) * x[i];
                gb += y[i] - p;
                haa += w * x[i] * x[i];
                hab += w * x[i];
                hbb += w;
            }

            var det = (haa * hbb) - (hab * hab);
            if (!(det > 0))
            {
                break;
            }

            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a += da;
            b += db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10)
            {
                break;
            }
        }

        return double.IsFinite(a) && double.IsFinite(b) ? new ProbabilityCalibration(a, b) : new ProbabilityCalibration(1, 0);
    }
}
