namespace MaterialsDb.Training;

/// <summary>
/// How well an ensemble's spread predicts its errors on rows none of its members saw: the share of absolute errors
/// within 1σ and 2σ before and after scaling σ by <see cref="Scale"/>. The scale is fitted on one half of the held-out
/// rows (even positions) and the coverages are measured on the other half (odd positions), so they are honest.
/// </summary>
public sealed record UncertaintyCalibration(int Rows, double Scale, double RawWithin1Sigma, double RawWithin2Sigma, double Within1Sigma, double Within2Sigma)
{
    /// <summary>Share of a normal distribution within one standard deviation.</summary>
    public const double OneSigma = 0.682689492137086;

    /// <summary>Fits and measures from held-out predictions, their ensemble spread and the true values.</summary>
    public static UncertaintyCalibration Fit(ReadOnlySpan<float> mean, ReadOnlySpan<float> std, ReadOnlySpan<float> truth)
    {
        var fit = new List<double>();
        var check = new List<(double Error, double Sigma)>();
        for (var i = 0; i < mean.Length; i++)
        {
            var error = Math.Abs((double)mean[i] - truth[i]);
            if (i % 2 == 0)
            {
                // A zero spread can't explain any error: it counts as an infinitely large ratio.
                fit.Add(std[i] > 0 ? error / std[i] : error == 0 ? 0 : double.PositiveInfinity);
            }
            else
            {
                check.Add((error, std[i]));
            }
        }

        fit.Sort();
        var scale = fit.Count == 0 ? 1 : fit[Math.Min(fit.Count - 1, (int)Math.Ceiling(OneSigma * fit.Count) - 1)];
        if (!double.IsFinite(scale) || scale <= 0)
        {
            scale = 1;
        }

        double Share(double k, double s) => check.Count == 0 ? double.NaN : check.Count(c => c.Error <= k * s * c.Sigma) / (double)check.Count;
        return new UncertaintyCalibration(check.Count, scale, Share(1, 1), Share(2, 1), Share(1, scale), Share(2, scale));
    }
}
