namespace MaterialsDb.Training.Discovery;

/// <summary>
/// Stable/unstable classification at one threshold, with the Matbench Discovery definitions: a row is truly stable
/// when its true energy above the hull is at most <see cref="Threshold"/>, predicted stable when the predicted one is;
/// the discovery acceleration factor is precision ÷ prevalence (how many times more often a predicted-stable
/// candidate is stable than a random one).
/// </summary>
public sealed record StabilityClassification(double Threshold, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    // Energies equal within the hull's tolerance are equal: a hull vertex's own distance is 0 up to rounding.
    private const double Tolerance = Stability.PhaseDiagram.StabilityTolerance;

    /// <summary>Rows classified.</summary>
    public int Rows => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Share of truly stable rows.</summary>
    public double Prevalence => Ratio(TruePositives + FalseNegatives, Rows);

    /// <summary>Share of predicted-stable rows that are stable.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Share of stable rows predicted stable.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    /// <summary>Share of rows classified correctly.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, Rows);

    /// <summary>Discovery acceleration factor: precision ÷ prevalence.</summary>
    public double AccelerationFactor => Precision / Prevalence;

    /// <summary>Counts the four outcomes; rows where either value is NaN are skipped.</summary>
    public static StabilityClassification Of(ReadOnlySpan<double> predicted, ReadOnlySpan<double> truth, double threshold)
    {
        if (predicted.Length != truth.Length)
        {
            throw new ArgumentException($"{predicted.Length} predictions for {truth.Length} true values.", nameof(predicted));
        }

        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            if (double.IsNaN(predicted[i]) || double.IsNaN(truth[i]))
            {
                continue;
            }

            var stable = truth[i] <= threshold + Tolerance;
            var called = predicted[i] <= threshold + Tolerance;
            (tp, fp, tn, fn) = (stable, called) switch
            {
                (true, true) => (tp + 1, fp, tn, fn),
                (false, true) => (tp, fp + 1, tn, fn),
                (false, false) => (tp, fp, tn + 1, fn),
                (true, false) => (tp, fp, tn, fn + 1),
            };
        }

        return new StabilityClassification(threshold, tp, fp, tn, fn);
    }

    private static double Ratio(int a, int b) => b == 0 ? double.NaN : a / (double)b;
}
