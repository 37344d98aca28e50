namespace MaterialsDb.Training;

/// <summary>How metrics are printed: four decimals, or four significant digits for values below 0.01 (thermal expansion is ~1e-5 1/K).</summary>
public static class MetricText
{
    /// <summary>The value as tables print it.</summary>
    public static string Of(double value) =>
        value != 0 && Math.Abs(value) < 0.01 && double.IsFinite(value)
            ? value.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Errors of one cross-validation fold's held-out predictions.</summary>
public sealed record FoldMetrics(int Fold, int TestRows, double Mae, double Rmse, double MaxError)
{
    /// <summary>Computes the metrics of <paramref name="predictions"/> against <paramref name="targets"/>.</summary>
    public static FoldMetrics Of(int fold, ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        double abs = 0, squares = 0, max = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            var e = Math.Abs((double)predictions[i] - targets[i]);
            abs += e;
            squares += e * e;
            max = Math.Max(max, e);
        }

        return new FoldMetrics(fold, predictions.Length, abs / predictions.Length, Math.Sqrt(squares / predictions.Length), max);
    }
}

/// <summary>A cross-validation result: per-fold metrics and their mean and (population) standard deviation, as Matbench reports them.</summary>
public sealed record CrossValidation(IReadOnlyList<FoldMetrics> Folds)
{
    /// <summary>Mean of the fold MAEs.</summary>
    public double MaeMean => Folds.Average(f => f.Mae);

    /// <summary>Standard deviation (ddof = 0, as numpy's default) of the fold MAEs.</summary>
    public double MaeStd => Std(Folds.Select(f => f.Mae));

    /// <summary>Mean of the fold RMSEs.</summary>
    public double RmseMean => Folds.Average(f => f.Rmse);

    /// <summary>Standard deviation of the fold RMSEs.</summary>
    public double RmseStd => Std(Folds.Select(f => f.Rmse));

    /// <summary>Mean of the fold max errors.</summary>
    public double MaxErrorMean => Folds.Average(f => f.MaxError);

    /// <summary>Standard deviation of the fold max errors.</summary>
    public double MaxErrorStd => Std(Folds.Select(f => f.MaxError));

    /// <summary>A Markdown table: one row per fold, then mean ± std.</summary>
    public string ToMarkdown(string units)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| fold | test rows | MAE ({units}) | RMSE ({units}) | max error ({units}) |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var f in Folds)
        {
            sb.AppendLine(System.FormattableString.Invariant($"| {f.Fold} | {f.TestRows} | {MetricText.Of(f.Mae)} | {MetricText.Of(f.Rmse)} | {MetricText.Of(f.MaxError)} |"));
        }

        sb.AppendLine(System.FormattableString.Invariant($"| mean ± std | {Folds.Sum(f => f.TestRows)} | {MetricText.Of(MaeMean)} ± {MetricText.Of(MaeStd)} | {MetricText.Of(RmseMean)} ± {MetricText.Of(RmseStd)} | {MetricText.Of(MaxErrorMean)} ± {MetricText.Of(MaxErrorStd)} |"));
        return sb.ToString();
    }

    // ddof = 0, as numpy's default and Matbench's tables.
    private static double Std(IEnumerable<double> values) => MathNet.Numerics.Statistics.Statistics.PopulationStandardDeviation(values);
}
