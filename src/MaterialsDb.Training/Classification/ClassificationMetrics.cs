namespace MaterialsDb.Training.Classification;

/// <summary>
/// How well probabilities P(1) separate and match 0/1 labels: ROC-AUC (the Matbench classification metric), accuracy,
/// precision, recall and F1 at P ≥ 0.5, Brier score and the expected calibration error (10 equal-width bins).
/// </summary>
public sealed record ClassificationMetrics(int Fold, int TestRows, double RocAuc, double Accuracy, double Precision, double Recall, double F1, double Brier, double CalibrationError)
{
    /// <summary>Bins of <see cref="CalibrationError"/>.</summary>
    public const int Bins = 10;

    /// <summary>Computes the metrics of <paramref name="probabilities"/> against <paramref name="labels"/> (0 or 1).</summary>
    public static ClassificationMetrics Of(int fold, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels)
    {
        if (probabilities.Length != labels.Length || labels.Length == 0)
        {
            throw new ArgumentException($"Need as many probabilities as labels, at least one; got {probabilities.Length} and {labels.Length}.");
        }

        int tp = 0, fp = 0, fn = 0, tn = 0;
        double brier = 0;
        var binCount = new int[Bins];
        var binP = new double[Bins];
        var binY = new double[Bins];
        for (var i = 0; i < labels.Length; i++)
        {
            var y = labels[i] >= 0.5f;
            var p = (double)probabilities[i];
            var predicted = p >= 0.5;
            (tp, fp, fn, tn) = (predicted, y) switch
            {
                (true, true) => (tp + 1, fp, fn, tn),
                (true, false) => (tp, fp + 1, fn, tn),
                (false, true) => (tp, fp, fn + 1, tn),
                _ => (tp, fp, fn, tn + 1),
            };
            brier += (p - (y ? 1 : 0)) * (p - (y ? 1 : 0));
            var bin = Math.Clamp((int)(p * Bins), 0, Bins - 1);
            binCount[bin]++;
            binP[bin] += p;
            binY[bin] += y ? 1 : 0;
        }

        var n = labels.Length;
        var ece = 0.0;
        for (var b = 0; b < Bins; b++)
        {
            ece += binCount[b] == 0 ? 0 : Math.Abs(binP[b] - binY[b]) / n;
        }

        var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new ClassificationMetrics(fold, n, AreaUnderRoc(probabilities, labels), (tp + tn) / (double)n, precision, recall, f1, brier / n, ece);
    }

    /// <summary>
    /// Area under the ROC curve as scikit-learn's <c>roc_auc_score</c> computes it: the probability that a random
    /// positive scores above a random negative, ties counting one half (Mann–Whitney with mid-ranks). NaN without both classes.
    /// </summary>
    public static double AreaUnderRoc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[a].CompareTo(s[b]));
        double positiveRanks = 0;
        long positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && s[order[end + 1]] == s[order[start]])
            {
                end++;
            }

            var midRank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]] >= 0.5f)
                {
                    positiveRanks += midRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = scores.Length - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (positiveRanks - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }
}

/// <summary>A classifier's cross-validation: per-fold metrics and their mean and (population) standard deviation.</summary>
public sealed record ClassificationValidation(IReadOnlyList<ClassificationMetrics> Folds)
{
    /// <summary>Mean of the fold ROC-AUCs (Matbench's ranking metric).</summary>
    public double RocAucMean => Folds.Average(f => f.RocAuc);

    /// <summary>Standard deviation (ddof = 0) of the fold ROC-AUCs.</summary>
    public double RocAucStd => Std(Folds.Select(f => f.RocAuc));

    /// <summary>Mean of the fold accuracies.</summary>
    public double AccuracyMean => Folds.Average(f => f.Accuracy);

    /// <summary>Mean of the fold F1 scores.</summary>
    public double F1Mean => Folds.Average(f => f.F1);

    /// <summary>Mean of the fold Brier scores.</summary>
    public double BrierMean => Folds.Average(f => f.Brier);

    /// <summary>Mean of the fold calibration errors.</summary>
    public double CalibrationErrorMean => Folds.Average(f => f.CalibrationError);

    /// <summary>A Markdown table: one row per fold, then the means (± std for ROC-AUC).</summary>
    public string ToMarkdown()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| fold | test rows | ROC-AUC | accuracy | precision | recall | F1 | Brier | calibration error |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var f in Folds)
        {
            sb.AppendLine(System.FormattableString.Invariant($"| {f.Fold} | {f.TestRows} | {f.RocAuc:0.####} | {f.Accuracy:0.####} | {f.Precision:0.####} | {f.Recall:0.####} | {f.F1:0.####} | {f.Brier:0.####} | {f.CalibrationError:0.####} |"));
        }

        sb.AppendLine(System.FormattableString.Invariant($"| mean ± std | {Folds.Sum(f => f.TestRows)} | {RocAucMean:0.####} ± {RocAucStd:0.####} | {AccuracyMean:0.####} | {Folds.Average(f => f.Precision):0.####} | {Folds.Average(f => f.Recall):0.####} | {F1Mean:0.####} | {BrierMean:0.####} | {CalibrationErrorMean:0.####} |"));
        return sb.ToString();
    }

    // ddof = 0, as numpy's default and Matbench's tables.
    private static double Std(IEnumerable<double> values) => MathNet.Numerics.Statistics.Statistics.PopulationStandardDeviation(values);
}
